"""Whether an order number exists is told only to whoever proves the order theirs:
a number no order has goes through the same questions, in the same words, as a
real order asked about with a wrong e-mail address or postcode (nobody learns
which numbers are real by trying them)."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import MAX_TRIES
from actions.language import language_book
from actions.lookups import ActionOrderLookup
from actions.proof_form import ActionAskOrderProof, ValidateOrderForm
from tests.actions.conftest import says
from tests.actions.test_identity import DOMAIN, in_form, required
from tests.actions.test_language import answer
from tests.actions.test_offers import conversation

REAL = "48213"  # Maya's
UNKNOWN = "48231"  # no order has it
STRANGER = "kwame.mensah@example.org"  # not Maya's address


async def asked(number: str, texts: list[str], tries: int) -> str:
    """What the bot asks after ``texts`` about order ``number``."""
    requested: list[str | None] = [None, *["order_proof"] * (len(texts) - 1)]
    tracker = in_form(texts, requested=requested, order_id=number, proof_tries=tries)
    dispatcher = CollectingDispatcher()
    await ActionAskOrderProof().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    return str(message["text"])


@pytest.mark.parametrize("number", [REAL, UNKNOWN])
async def test_a_number_is_asked_for_its_proof_whether_or_not_an_order_has_it(
    number: str,
) -> None:
    form = ValidateOrderForm()
    first = in_form([f"where is order {number}?"], order_id=number)
    assert await required(form, first) == ["order_id", "order_proof"]
    question = await asked(number, [f"where is order {number}?"], 0)
    assert says(question, "ask.order_proof", order_id=number)
    assert "found" not in question.lower() and "in our system" not in question


@pytest.mark.parametrize("number", [REAL, UNKNOWN])
async def test_a_wrong_proof_counts_and_is_answered_alike_for_both(
    number: str,
) -> None:
    texts = [f"where is order {number}?", STRANGER]
    tracker = in_form(texts, requested=[None, "order_proof"], order_id=number)
    checked = await ValidateOrderForm().validate_order_proof(
        STRANGER, CollectingDispatcher(), tracker, DOMAIN
    )
    assert checked == {"order_proof": None, "proof_tries": 1}
    again = await asked(number, texts, 1)
    # the number may be the mistake: the question says to check it too
    assert says(again, "ask.order_proof_again", order_id=number)


@pytest.mark.parametrize("number", [REAL, UNKNOWN])
async def test_after_the_last_try_both_get_the_same_answer(number: str) -> None:
    tracker = in_form([STRANGER], order_id=number, proof_tries=MAX_TRIES)
    assert await required(ValidateOrderForm(), tracker) == ["order_id"]
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], "order.unproven", order_id=number)


async def test_the_owner_of_a_real_order_still_opens_it() -> None:
    texts = [f"where is order {REAL}?", "maya.lindqvist@example.com"]
    tracker = in_form(texts, requested=[None, "order_proof"], order_id=REAL)
    checked = await ValidateOrderForm().validate_order_proof(
        texts[-1], CollectingDispatcher(), tracker, DOMAIN
    )
    assert checked["order_proof"] == "proven"


@pytest.mark.parametrize("number", [REAL, UNKNOWN])
async def test_in_another_language_too(own_queue: str, number: str) -> None:
    """In German: the question for the proof, then, after a wrong answer, the same
    question again for both (no "no order with that number")."""
    book = language_book()
    first = f"Hallo, wo bleibt meine Bestellung {number}?"
    events, [said] = await answer(
        conversation([("customer", first, "nlu_fallback")], f"web-de-priv-{number}")
    )
    assert said.endswith(book.say("de", "order.proof", order_id=number))
    assert book.say("de", "order.not_found", order_id=number) not in said
    tracker = conversation(
        [
            ("customer", first, "nlu_fallback"),
            ("bot", said, None),
            ("customer", STRANGER, "nlu_fallback"),
        ],
        f"web-de-priv-{number}-2",
        order_id=number,
    )
    events, [again] = await answer(tracker)
    assert again == book.say("de", "order.proof_again", order_id=number)
    tries = {"event": "slot", "timestamp": None, "name": "proof_tries", "value": 1}
    assert tries in events
