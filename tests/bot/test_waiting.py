"""What a waiting customer's message is read as: urgent, felt, or neither (the
analysis dicts are the action server's ``POST /emotion`` answers)."""

from __future__ import annotations

from typing import Any

import pytest

from bot import waiting_reading


def analysis(label: str, frustration: int, *signals: str) -> dict[str, Any]:
    return {
        "label": label,
        "frustration": frustration,
        "signals": [{"name": s, "weight": 0.5, "reason": s} for s in signals],
    }


@pytest.mark.parametrize(
    ("read", "urgent", "felt"),
    [
        (analysis("neutral", 0), False, False),
        (analysis("joy", 0, "positive_tone"), False, False),
        # a serious situation or distress is urgent whatever the level
        (analysis("sadness", 1, "bereavement"), True, True),
        (analysis("anxiety", 2, "distress", "emotion_words"), True, True),
        # a high level from the conversation alone (a repeat) is not urgent...
        (analysis("frustration", 3, "repeated_question"), False, False),
        # ...a high level the message shows is
        (analysis("anger", 3, "all_caps", "punctuation"), True, False),
        # confusion is heard as confusion ("they'll go through it step by step")
        (analysis("confusion", 3, "emotion_words", "negative_sentiment"), False, True),
        # a feeling in words, not urgent: heard, not "thanks, I've added that"
        (analysis("sadness", 1, "emotion_words"), False, True),
        (analysis("frustration", 2, "negative_sentiment"), False, True),
        # politeness ("sorry to be a bother") is not a feeling to soothe
        (analysis("sadness", 0, "softened", "negative_sentiment"), False, False),
    ],
)
def test_a_waiting_message_is_read_by_what_it_says(
    read: dict[str, Any], urgent: bool, felt: bool
) -> None:
    assert waiting_reading.urgent(read) is urgent
    assert waiting_reading.felt(read) is felt or urgent  # urgent is answered first


def test_no_analysis_is_neither() -> None:
    assert not waiting_reading.urgent(None) and not waiting_reading.felt(None)


def test_blaming_themselves_is_a_feeling_to_answer() -> None:
    """ "I feel so silly" (the analysis's self-blame) is heard, not "Thanks, I've
    added that", whatever the label."""
    read = analysis("neutral", 0)
    read["circumstances"] = [{"kind": "self_blame", "serious": False}]
    assert waiting_reading.felt(read)
