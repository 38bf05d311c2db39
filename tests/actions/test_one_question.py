"""A message NLU is torn over between readings that ask the same thing ("how soon
will the money be back?": when the refund comes, and the refund rules; policy.yml
``answer_first.together``) is answered as the likelier, not met with a menu."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.unclear import ActionNotUnderstood
from tests.actions.conftest import offers_readings, says
from tests.actions.test_offers import conversation

DOMAIN: dict[str, Any] = {}


async def _torn(text: str, ranking: list[tuple[str, float]], sender: str) -> str:
    tracker = conversation([("customer", text, "nlu_fallback")], sender)
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.3},
        *({"name": n, "confidence": c} for n, c in ranking),
    ]
    dispatcher = CollectingDispatcher()
    await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    return " ".join(m.get("text") or "" for m in dispatcher.messages)


async def test_two_readings_of_one_question_are_answered_not_offered() -> None:
    said = await _torn(
        "So how quickly does the money come back to me?",
        [("track_refund", 0.46), ("check_refund_policy", 0.44)],
        "one-q",
    )
    assert not offers_readings(said), said
    assert not says(said, "confirm_intent"), said


async def test_two_different_readings_are_still_offered_to_choose() -> None:
    said = await _torn(
        "So what about the money and the address?",
        [("track_refund", 0.46), ("change_shipping_address", 0.44)],
        "two-q",
    )
    assert offers_readings(said), said
    assert "refund" in said and "address" in said, said
