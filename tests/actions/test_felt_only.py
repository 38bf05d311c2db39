"""A customer who only tells how they feel ("honestly I'm so stressed, there's loads
to organise") is heard and told what we can do, without a question put in their
mouth ("did you want to tell us something went wrong?") that a "thanks" could
answer with yes."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.side import own_questions
from actions.unclear import ActionNotUnderstood
from tests.actions.conftest import says
from tests.actions.test_offers import conversation

DOMAIN: dict[str, Any] = {}


async def _unclear(text: str, sender: str) -> str:
    """The reply to ``text`` NLU could not place (a complaint its best guess)."""
    tracker = conversation(
        [
            ("customer", "will order 48213 come before the wedding?", "track_order"),
            ("bot", "Yes, it should be in time: it's due on Wednesday.", None),
            ("customer", text, "nlu_fallback"),
        ],
        sender,
    )
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "complaint", "confidence": 0.37},
        {"name": "compliment", "confidence": 0.2},
    ]
    dispatcher = CollectingDispatcher()
    await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    return " ".join(m["text"] for m in dispatcher.messages)


async def test_a_feeling_told_with_nothing_asked_is_heard_not_guessed_at() -> None:
    said = await _unclear(
        "Honestly I'm so stressed, there's still loads to organise.", "felt-1"
    )
    assert says(said, "felt_only"), said
    assert not says(said, "confirm_intent"), said


async def test_a_feeling_beside_something_wrong_is_not_only_a_feeling() -> None:
    said = await _unclear("I'm so worried, it still hasn't arrived", "felt-2")
    assert not says(said, "felt_only"), said


def test_a_question_naming_the_order_is_the_orders_not_a_side_question() -> None:
    """ "Will order 48213 arrive before Friday? The wedding is on Saturday.": the
    lookup answers it, not the general delivery times beside it."""
    text = "Will order 48213 arrive before Friday? The wedding is on Saturday."
    parts = ["Will order 48213 arrive before Friday?", "The wedding is on Saturday."]
    assert own_questions(text, parts) == []
    text = "Order 48213: do you deliver to Norway?"
    assert own_questions(text, ["do you deliver to Norway?"]) == [
        "do you deliver to Norway?"
    ]


async def test_thanks_before_a_question_in_the_middle_is_no_praise() -> None:
    """ "Thank you. Will the money go back to her card? I'm sorting out her
    things.": a question between the thanks and a full stop is asked, not praise
    to be glad about."""
    said = await _unclear(
        "Thank you. Will the money go back to her card? I'm sorting out her things.",
        "thanks-q",
    )
    assert not says(said, "compliment"), said


async def test_a_glad_customer_is_not_asked_whether_something_went_wrong() -> None:
    """Excited about what they bought, with a question NLU half took for a
    complaint: no "did you want to tell us something went wrong?"."""
    text = "Yay, so excited for my new hobby! Will both things come in one box?"
    tracker = conversation([("customer", text, "nlu_fallback")], "glad-1")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "complaint", "confidence": 0.5},
        {"name": "compliment", "confidence": 0.38},
    ]
    dispatcher = CollectingDispatcher()
    await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    said = " ".join(m["text"] for m in dispatcher.messages)
    assert said and "went wrong" not in said, said
