"""NLU smoke tests: our own example sentences reach the right intent and entities."""

from __future__ import annotations

import httpx
import pytest

from bot.ops.stack import Stack

pytestmark = pytest.mark.stack

CASES = [
    ("hey, where's my parcel? it's been a week", "track_order"),
    ("please cancel order 5520174", "cancel_order"),
    ("what does it cost to cancel", "check_cancellation_fee"),
    ("has the refund for my returned shoes gone through yet?", "track_refund"),
    ("can I pay with paypal", "check_payment_methods"),
    ("my card keeps getting declined at checkout", "payment_issue"),
    ("send me a copy of my bill", "get_invoice"),
    ("I forgot my password", "recover_password"),
    ("I want to talk to a real person", "contact_human_agent"),
    ("how long does shipping to norway take", "delivery_period"),
    ("close my account for good", "delete_account"),
    ("good morning", "greet"),
    ("what's the weather like in Paris tomorrow", "out_of_scope"),
    # feelings and context around an order (bench/scenarios.jsonl kinds, own wording)
    (
        "the app says my parcel was delivered on tuesday but I never received it",
        "complaint",
    ),
    (
        "the tracking code for my order isn't working on the courier's site",
        "track_order",
    ),
    ("I've already sent you the form you asked for", "complaint"),
    ("this vase is gorgeous!! can I order a second one in blue?", "place_order"),
    ("YOU SENT ME THE WRONG COLOUR AGAIN!!!", "complaint"),
    ("I've been buying from you for years and this is how I get treated?", "complaint"),
    ("the rug looks even lovelier in real life!!!", "compliment"),
    ("I'm kind of disappointed, the towels look much paler than online", "complaint"),
    ("these boots pinch, could I have them one size bigger instead?", "exchange_item"),
    ("do you exchange things or only refund them", "exchange_item"),
]

# Messages that must not land on a confident wrong intent (fallback is fine).
NOT_CASES = [
    (
        "hello, the wheelchair cushion I ordered is for my husband after his op",
        "complaint",
    ),
    ("I've been upset all afternoon", "greet"),
    # a change to an order needs a word for a change (data/intent_words.yml)
    ("my order 48213 should have been here on monday, a bit annoyed", "change_order"),
    ("the bowl from order 651234 turned up with a crack in the rim", "change_order"),
    # a cancellation needs a word for one: a delivery question is none
    ("can the courier leave order 5520174 with my neighbour?", "cancel_order"),
    # where a refund stands needs the money or a return: paying for a faster
    # delivery is no refund
    ("where is parcel 48213, I paid extra for next-day!!", "track_refund"),
]


def parse(stack: Stack, text: str) -> dict:
    settings = stack.settings
    response = httpx.post(
        f"{settings.rasa_url}/model/parse",
        params={"token": settings.rasa_api_token()},
        json={"text": text},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


@pytest.mark.parametrize(("text", "intent"), CASES)
def test_intent(stack: Stack, text: str, intent: str) -> None:
    assert parse(stack, text)["intent"]["name"] == intent


@pytest.mark.parametrize(("text", "intent"), NOT_CASES)
def test_not_intent(stack: Stack, text: str, intent: str) -> None:
    assert parse(stack, text)["intent"]["name"] != intent


def test_order_number_is_an_entity(stack: Stack) -> None:
    entities = parse(stack, "can you cancel order 5520174 please")["entities"]
    assert {"entity": "order_id", "value": "5520174"}.items() <= entities[0].items()


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        (
            "the refund for 228810 still hasn't come through, three weeks now",
            {"228810"},
        ),
        ("invoice INV-20931 has the wrong address", set()),
        ("I paid 2026 pounds in total", set()),
    ],
)
def test_an_order_number_is_found_anywhere_in_a_sentence(
    stack: Stack, text: str, numbers: set[str]
) -> None:
    entities = parse(stack, text)["entities"]
    assert {e["value"] for e in entities if e["entity"] == "order_id"} == numbers


def test_rasa_api_needs_the_token(stack: Stack) -> None:
    response = httpx.post(
        f"{stack.settings.rasa_url}/model/parse", json={"text": "hi"}, timeout=10
    )
    assert response.status_code == 401


def test_a_change_still_reads_as_a_change(stack: Stack) -> None:
    """The words for a change keep the intent: the step only removes it from
    messages without any."""
    for text in (
        "can I swap the mug in order 651234 for the blue one",
        "edit my order",
    ):
        assert parse(stack, text)["intent"]["name"] == "change_order"
