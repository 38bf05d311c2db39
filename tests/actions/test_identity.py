"""Nothing personal about an order before the customer proves it is theirs."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.demo_store import DemoStore
from actions.identity import MAX_CANDIDATES, MAX_TRIES, postcodes, proves
from actions.lookups import ActionInvoiceLookup, ActionOrderLookup
from actions.numbers import find_number
from actions.proof_form import (
    ActionAskOrderId,
    ActionAskOrderProof,
    ValidateInvoiceForm,
    ValidateOrderForm,
)
from tests.actions.conftest import owner, says
from tests.actions.test_offers import conversation

ORDER_SLOTS = ["order_id", "order_proof"]  # as domain.yml's order_form
DOMAIN: dict[str, Any] = {"forms": {"order_form": {"required_slots": ORDER_SLOTS}}}


def in_form(
    texts: list[str],
    form: str = "order_form",
    requested: list[str | None] | None = None,
    customer: str | None = None,
    **slots: Any,
) -> Tracker:
    """A tracker inside ``form``: the customer wrote ``texts``, the bot asked for
    ``requested[i]`` before ``texts[i]`` (None: nothing was asked)."""
    asked = requested or [None] * len(texts)
    events: list[dict[str, Any]] = [{"event": "action", "name": "action_listen"}]
    if "order_id" in slots and len(texts) > 1:  # known before the latest message
        events.append({"event": "slot", "name": "order_id", "value": slots["order_id"]})
    latest: dict[str, Any] = {}
    for text, slot in zip(texts, asked, strict=True):
        if slot:
            events.append({"event": "slot", "name": "requested_slot", "value": slot})
            events.append({"event": "bot", "text": f"(asks for {slot})"})
        latest = {
            "text": text,
            "intent": {"name": "inform", "confidence": 0.9},
            "entities": [],
            "metadata": {"channel": "web"}
            | ({"customer_id": customer} if customer else {}),
        }
        events.append({"event": "user", "text": text, "parse_data": latest})
    events.append({"event": "active_loop", "name": form})
    return Tracker.from_dict(
        {
            "sender_id": "proof-test",
            "slots": {"requested_slot": asked[-1], **slots},
            "latest_message": latest,
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": form},
            "latest_action_name": form,
        }
    )


# -- what proves an order -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "proven"),
    [
        ("maya.lindqvist@example.com", True),
        ("It's MAYA.Lindqvist@Example.com, thanks.", True),
        ("postcode SE-113 56", True),
        ("se11356", True),
        ("kwame.mensah@example.org", False),  # someone else's address
        ("maya.lindqvist@example.co", False),
        ("113 56", False),
        ("48213", False),  # the order number proves nothing
        ("I don't remember, sorry", False),
    ],
)
async def test_the_orders_email_or_postcode_proves_it_and_nothing_else(
    store: DemoStore, text: str, proven: bool
) -> None:
    assert proves(text, await store.customer(owner("48213"))) is proven


async def test_a_list_of_postcodes_is_not_a_faster_way_to_guess(
    store: DemoStore,
) -> None:
    customer = await store.customer(owner("5520174"))  # EC1A 1BB
    assert customer is not None
    guesses = [f"EC{n}A 1BB" for n in range(2, 2 + MAX_CANDIDATES)]
    spray = " ".join([*guesses, "EC1A 1BB"])
    assert len(postcodes(spray)) <= 3 * MAX_CANDIDATES
    assert not proves(spray, customer)
    assert proves(" ".join([guesses[0], "EC1A 1BB"]), customer)


# -- the order form asks for proof before the lookup ----------------------------------


async def required(form: Any, tracker: Tracker) -> list[str]:
    return await form.required_slots(
        list(ORDER_SLOTS), CollectingDispatcher(), tracker, DOMAIN
    )


async def test_the_form_asks_for_proof_only_when_the_order_is_not_known_theirs() -> (
    None
):
    form = ValidateOrderForm()
    stranger = in_form(["where is 48213"], order_id="48213")
    assert await required(form, stranger) == ["order_id", "order_proof"]
    vouched = in_form(["where is 48213"], customer=owner("48213"), order_id="48213")
    assert await required(form, vouched) == ["order_id"]
    proven = in_form(
        ["where is 48213"], order_id="48213", verified_customer=owner("48213")
    )
    assert await required(form, proven) == ["order_id"]
    # proving one order proves the customer: their other orders open too...
    same = in_form(["and 13579?"], order_id="13579", verified_customer=owner("48213"))
    assert owner("13579") == owner("48213")
    assert await required(form, same) == ["order_id"]
    # ...but nobody else's
    other = in_form(["and 64450?"], order_id="64450", verified_customer=owner("48213"))
    assert await required(form, other) == ["order_id", "order_proof"]
    # a number no order has is asked about the same way: whether an order exists
    # is told only to whoever proves it theirs
    assert await required(form, in_form(["11112222"], order_id="11112222")) == [
        "order_id",
        "order_proof",
    ]
    assert await required(
        form, in_form(["11112222"], order_id="11112222", verified_customer="c-1001")
    ) == ["order_id", "order_proof"]


async def test_the_right_answer_proves_the_customer_and_a_wrong_one_counts() -> None:
    form = ValidateOrderForm()
    asked = ["order_id", "order_proof"]
    right = in_form(
        ["where is 48213", "maya.lindqvist@example.com"],
        requested=asked,
        order_id="48213",
    )
    assert await form.validate_order_proof(
        "maya.lindqvist@example.com", CollectingDispatcher(), right, DOMAIN
    ) == {"order_proof": "proven", "verified_customer": "c-1001", "proof_tries": 0}
    wrong = in_form(["where is 48213", "EC1A 1BB"], requested=asked, order_id="48213")
    assert await form.validate_order_proof(
        "EC1A 1BB", CollectingDispatcher(), wrong, DOMAIN
    ) == {"order_proof": None, "proof_tries": 1}
    # a question is answered, not counted
    why = in_form(["where is 48213", "why do you need that?"], requested=asked)
    assert await form.validate_order_proof(
        "why do you need that?", CollectingDispatcher(), why, DOMAIN
    ) == {"order_proof": None}


async def test_after_the_last_wrong_try_the_form_stops_asking() -> None:
    form = ValidateOrderForm()
    tracker = in_form(["x"], order_id="48213", proof_tries=MAX_TRIES)
    assert await required(form, tracker) == ["order_id"]


async def test_an_invoice_is_as_private_as_its_order() -> None:
    form = ValidateInvoiceForm()
    tracker = in_form(["INV-20931"], form="invoice_form", invoice_id="20931")
    slots = ["invoice_id", "order_proof"]  # as domain.yml's invoice_form
    assert await form.required_slots(
        slots, CollectingDispatcher(), tracker, DOMAIN
    ) == ["invoice_id", "order_proof"]
    # an invoice asked for by its order's number needs no invoice number
    by_order = in_form(["the invoice for 48213"], form="invoice_form", order_id="48213")
    assert await form.required_slots(
        slots, CollectingDispatcher(), by_order, DOMAIN
    ) == ["order_proof"]
    dispatcher = CollectingDispatcher()
    await ActionInvoiceLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], "order.unproven", order_id="48213")
    assert "84.50" not in message["text"]


@pytest.mark.parametrize(
    ("texts", "requested", "tries", "key"),
    [
        (["where is 48213"], [None], 0, "ask.order_proof"),
        (
            ["where is 48213", "EC1A 1BB"],
            [None, "order_proof"],
            1,
            "ask.order_proof_again",
        ),
        (["where is 48213", "why?"], [None, "order_proof"], 0, "ask.order_proof_why"),
    ],
)
async def test_the_question_says_why_it_is_asked_again(
    texts: list[str], requested: list[str | None], tries: int, key: str
) -> None:
    tracker = in_form(texts, requested=requested, order_id="48213", proof_tries=tries)
    dispatcher = CollectingDispatcher()
    await ActionAskOrderProof().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], key, order_id="48213")


async def test_without_proof_the_lookup_shows_and_changes_nothing(
    store: DemoStore,
) -> None:
    tracker = in_form(
        ["please cancel 5520174"], order_id="5520174", proof_tries=MAX_TRIES
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], "order.unproven", order_id="5520174")
    order = await store.order("5520174")
    assert order is not None and order.status == "processing"  # not cancelled
    assert order.total not in message["text"]
    assert not any(item in message["text"] for item in order.items)


async def test_a_complaint_naming_an_order_asks_for_proof_before_the_record() -> None:
    tracker = conversation(
        [("customer", "order 228810 came with the mat torn in half", "complaint")],
        "complaint-unproven",
    )
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(dispatcher, tracker, DOMAIN)
    assert FollowupAction("order_form") in events
    assert {
        "event": "slot",
        "timestamp": None,
        "name": "order_id",
        "value": "228810",
    } in events
    assert (
        not dispatcher.messages
    )  # the form's question comes next, nothing about the order


async def test_a_number_nlu_did_not_tag_is_taken_as_the_order_number() -> None:
    form = ValidateOrderForm()
    tracker = in_form(["my ordr 7203 hasnt come yet"])
    assert await form.extract_order_id(CollectingDispatcher(), tracker, DOMAIN) == {
        "order_id": "7203"
    }
    # one already known stays; a telephone number is not one
    known = in_form(["and 99887766?"], order_id="48213")
    assert await form.extract_order_id(CollectingDispatcher(), known, DOMAIN) == {}
    phone = in_form(["call me on 07700 900123"])
    assert await form.extract_order_id(CollectingDispatcher(), phone, DOMAIN) == {}


@pytest.mark.parametrize(
    ("answer", "read_as", "meant"),
    [
        ("postcode 560001", "560001", "228810"),  # the right postcode
        ("560002", "560002", "228810"),  # a wrong one: still about 228810
        ("sorry, it's order 48213", "48213", "48213"),  # another of our orders
    ],
)
async def test_digits_given_as_proof_are_not_taken_for_another_order(
    answer: str, read_as: str, meant: str
) -> None:
    tracker = in_form(
        ["where's my refund for 228810", answer],
        requested=[None, "order_proof"],
        order_id="228810",
    )
    result = await ValidateOrderForm().validate_order_id(
        read_as, CollectingDispatcher(), tracker, DOMAIN
    )
    assert result == {"order_id": meant}


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("status of my order 651234. Postcode is 10115.", "651234"),
        ("PLZ 10115, Bestellung 651234", "651234"),
        ("zip: 10115", None),  # a postcode alone is no order number
        ("about 651234: the postcode on my account is 10115", "651234"),
        ("order 651234 please", "651234"),
    ],
)
async def test_a_postcode_said_to_be_one_is_never_the_order_number(
    text: str, number: str | None
) -> None:
    assert find_number(text) == number
    tracker = in_form([text])
    form = ValidateOrderForm()
    # NLU may tag the postcode as the order number: the order's own number wins
    if number and "10115" in text:
        assert await form.validate_order_id(
            "10115", CollectingDispatcher(), tracker, DOMAIN
        ) == {"order_id": number}


async def test_a_proof_given_with_the_order_number_is_not_asked_for_again() -> None:
    form = ValidateOrderForm()
    for text in (
        "what's happening with 651234? postcode 10115",
        "status of 651234 please, my email is jonas.weber@example.net",
    ):
        tracker = in_form([text], order_id="651234")
        assert await form.extract_order_proof(
            CollectingDispatcher(), tracker, DOMAIN
        ) == {"order_proof": text}
    # the order number alone offers nothing to check
    alone = in_form(["what's happening with 651234?"], order_id="651234")
    assert await form.extract_order_proof(CollectingDispatcher(), alone, DOMAIN) == {}


async def test_an_address_given_before_a_corrected_order_number_still_proves_it() -> (
    None
):
    """'status of 48213? my email is <Jonas's>' then 'sorry, I meant 651234'."""
    form = ValidateOrderForm()
    texts = [
        "status of order 48213? my email is jonas.weber@example.net",
        "oh sorry, wrong one, I meant 651234",
    ]
    tracker = in_form(
        texts, requested=[None, "order_proof"], order_id="651234", proof_tries=1
    )
    tracker.events.insert(1, {"event": "slot", "name": "order_id", "value": "48213"})
    assert await form.validate_order_proof(
        texts[-1], CollectingDispatcher(), tracker, DOMAIN
    ) == {
        "order_proof": "proven",
        "verified_customer": owner("651234"),
        "proof_tries": 0,
    }


# -- the proof given while nothing asks for it -----------------------------------------


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("my email is kwame.mensah@example.org", "nlu_fallback"),
        ("EC1A 1BB", "out_of_scope"),  # the order's own postcode, on its own
        ("it's under kwame.mensah@example.org", "payment_issue"),
    ],
)
async def test_a_proof_given_after_the_answer_opens_the_order_of_the_chat(
    said: str, intent: str
) -> None:
    """The bot answered a question naming an order without opening it; the customer
    then gives the e-mail address or postcode: the order form takes it from there."""
    tracker = conversation(
        [
            ("customer", "my refund for 5520174 never arrived", "track_refund"),
            ("bot", "Refunds reach your account within 5 business days.", None),
            ("customer", said, intent),
        ],
        "proof-after",
    )
    events = await ActionAnswer().run(CollectingDispatcher(), tracker, DOMAIN)
    assert FollowupAction("order_form") in events
    assert {"event": "slot", "timestamp": None, "name": "order_id"} | {
        "value": "5520174"
    } in events


@pytest.mark.parametrize(
    "said",
    [
        "how do I change my email to kwame.new@example.org?",  # a question of its own
        "EC2A 1BB",  # not the order's postcode, and not said to be one
    ],
)
async def test_an_address_that_is_no_proof_is_answered_as_itself(said: str) -> None:
    tracker = conversation(
        [
            ("customer", "where is 5520174", "track_order"),
            ("bot", "Could you tell me the e-mail address it's under?", None),
            ("customer", said, "edit_account"),
        ],
        "no-proof",
    )
    events = await ActionAnswer().run(CollectingDispatcher(), tracker, DOMAIN)
    assert FollowupAction("order_form") not in events


async def test_an_address_with_no_order_in_the_chat_asks_which_order() -> None:
    tracker = conversation(
        [("customer", "my e-mail is priya.raman@example.org", "nlu_fallback")],
        "proof-first",
    )
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(dispatcher, tracker, DOMAIN)
    assert FollowupAction("order_form") in events
    assert not dispatcher.messages  # the form asks for the number next


async def test_the_order_form_takes_the_orders_own_postcode_unasked() -> None:
    form = ValidateOrderForm()
    right = in_form(["EC1A 1BB"], order_id="5520174")
    assert await form.extract_order_proof(CollectingDispatcher(), right, DOMAIN) == {
        "order_proof": "EC1A 1BB"
    }
    # a bare wrong one is not taken as a try: the form asks for the proof
    wrong = in_form(["EC2A 1BB"], order_id="5520174")
    assert await form.extract_order_proof(CollectingDispatcher(), wrong, DOMAIN) == {}


def test_the_lookup_after_an_unasked_proof_answers_the_earlier_question() -> None:
    from actions.order_chat import ORDER_TOPICS, form_topic

    tracker = conversation(
        [
            ("customer", "my refund for 5520174 never arrived", "track_refund"),
            ("bot", "Refunds reach your account within 5 business days.", None),
            ("customer", "kwame.mensah@example.org", "nlu_fallback"),
            ("form", "", None),
        ],
        "topic-carried",
    )
    assert form_topic(tracker, "order_form", ORDER_TOPICS, "track_order") == (
        "track_refund"
    )


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "answer"),
    [
        # a question we answer from templates: its answer, then the proof again
        (
            "and can I pay with PayPal?",
            "check_payment_methods",
            0.95,
            "check_payment_methods_named_yes",  # PayPal named: yes first
        ),
        # NLU's guess loses to the FAQ question the message is much closer to
        ("one question: can I buy a gift card?", "place_order", 0.9, "faq.gift_card"),
        # one that NLU is sure is none of ours: said so in the same breath
        ("what's the weather like in Stockholm next week?", "out_of_scope", 0.95, None),
    ],
)
async def test_a_question_asked_instead_of_the_proof_is_answered(
    text: str, intent: str, confidence: float, answer: str | None
) -> None:
    """The proof question does not swallow what the customer asked meanwhile, and
    the order goes on waiting for the proof (nothing shown, no try counted)."""
    tracker = in_form(
        ["where is 48213", text], requested=[None, "order_proof"], order_id="48213"
    )
    tracker.latest_message["intent"] = {"name": intent, "confidence": confidence}
    dispatcher = CollectingDispatcher()
    await ActionAskOrderProof().run(dispatcher, tracker, DOMAIN)
    texts = [m["text"] for m in dispatcher.messages]
    if answer is None:
        [message] = texts
        assert says(message, "ask.order_proof_aside", order_id="48213")
        return
    first, second = texts
    assert says(first, answer, payment_method="PayPal")
    assert says(second, "ask.order_proof_still", order_id="48213")
    assert "JD0146" not in " ".join(texts)  # the parcel's tracking number: private


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Can you at least tell me when it'll arrive?", "delivery_period"),
        ("has it even shipped yet?", "track_order"),
        ("ok and when will it get here", "nlu_fallback"),
    ],
)
async def test_a_question_about_the_order_itself_waits_for_the_proof(
    text: str, intent: str
) -> None:
    """ "When will it arrive?" while the proof is asked for is about that order: the
    proof opens it, said in one reply; not our delivery times in general."""
    tracker = in_form(
        ["my order 48213 is late", text],
        requested=[None, "order_proof"],
        order_id="48213",
    )
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.9}
    dispatcher = CollectingDispatcher()
    await ActionAskOrderProof().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], "ask.order_proof_for_it", order_id="48213")


@pytest.mark.parametrize(
    "text",
    [
        "why do you need my email?",  # about the proof: why we ask
        "hmm I'm not sure",  # no question: why we ask
    ],
)
async def test_a_message_about_the_proof_hears_why_it_is_asked(text: str) -> None:
    tracker = in_form(
        ["where is 48213", text], requested=[None, "order_proof"], order_id="48213"
    )
    tracker.latest_message["intent"] = {"name": "out_of_scope", "confidence": 0.95}
    dispatcher = CollectingDispatcher()
    await ActionAskOrderProof().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], "ask.order_proof_why", order_id="48213")


@pytest.mark.parametrize(
    ("texts", "key"),
    [
        # an e-mail address instead of the number: not a way to find orders
        (
            [
                "where's my parcel",
                "My email is haruto.tanaka@example.com if that helps",
            ],
            "ask.order_id_not_by_proof",
        ),
        # no number to give: where it is, and a person offered
        (["where's my parcel", "I don't know my order number, sorry"], "no_number"),
        (["Hello, I can't find the order number anywhere"], "no_number"),
        (["where's my parcel", "hmm not sure"], "ask.order_id_again"),
    ],
)
async def test_the_number_is_not_asked_for_again_when_the_customer_cannot_give_it(
    texts: list[str], key: str
) -> None:
    requested: list[str | None] = [None, *["order_id"] * (len(texts) - 1)]
    tracker = in_form(texts, requested=requested)
    dispatcher = CollectingDispatcher()
    await ActionAskOrderId().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], key)
    assert "haruto" not in message["text"].lower()


@pytest.mark.parametrize("action", ["number", "proof"])
async def test_yes_to_a_person_offered_while_the_form_asks_brings_one_in(
    own_redis_keys: str, action: str
) -> None:
    """The form's question offered a person ("shall I bring one in?"); "yes please"
    is no order number or proof: the person comes, and the form is closed."""
    tracker = in_form(
        ["where is it", "yes please"],
        requested=[None, "order_id" if action == "number" else "order_proof"],
        offered="handoff",
        **({"order_id": "48213"} if action == "proof" else {}),
    )
    tracker.latest_message["intent"] = {"name": "affirm", "confidence": 0.95}
    dispatcher = CollectingDispatcher()
    asker = ActionAskOrderId() if action == "number" else ActionAskOrderProof()
    events = await asker.run(dispatcher, tracker, DOMAIN)
    kinds = [e.get("event") for e in events]
    assert "pause" in kinds
    assert {"event": "active_loop", "timestamp": None, "name": None} in events


async def test_money_back_asked_instead_of_the_proof_after_a_double_charge() -> None:
    """ "when do I get both back?" while the proof is asked for, after a double
    charge: what holds for a double charge, not delivery times, whatever NLU said."""
    tracker = in_form(
        ["you billed me twice for order 48213", "when do I get both back?"],
        requested=[None, "order_proof"],
        order_id="48213",
    )
    tracker.latest_message["intent"] = {"name": "delivery_period", "confidence": 0.8}
    dispatcher = CollectingDispatcher()
    await ActionAskOrderProof().run(dispatcher, tracker, DOMAIN)
    first, second = [m["text"] for m in dispatcher.messages]
    assert says(first, "get_refund.double_charge")
    assert says(second, "ask.order_proof_still", order_id="48213")


@pytest.mark.parametrize(
    ("asked", "business"),
    [
        ("I need the invoice for order 48213 with our VAT number on it", True),
        ("can I have the invoice for 48213 in my company's name?", True),
        ("can I have the invoice for 48213 please", False),
    ],
)
async def test_an_invoice_wanted_for_a_business_is_offered_reissued(
    asked: str, business: bool
) -> None:
    """The invoice asked for with a company's name or VAT number on it: where it is,
    and that a person reissues it with them (offered), not only where to download
    one that shows neither."""
    tracker = conversation(
        [("customer", asked, "get_invoice")],
        f"business-invoice-{business}",
        order_id="48213",
        verified_customer=owner("48213"),
    )
    dispatcher = CollectingDispatcher()
    await ActionInvoiceLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    text = message["text"]
    assert ("reissue" in text) is business, text
    assert "48213" in text
