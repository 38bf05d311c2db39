"""Emotion exercises and skills without a server: the library's checks, grading,
colleagues' agreement, the analyzer comparison, and weekly trends."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.console.exercises import (
    Answer,
    Exercise,
    agreement,
    band,
    check,
    compare_analyzer,
    examples,
    grade,
)
from bot.console.skills import summary, trend, week

CAPS = examples()["third_time_caps"]


def test_every_example_is_well_formed_and_covers_every_feeling() -> None:
    found = examples()
    assert len(found) >= 20
    assert all(check(e) == [] for e in found.values())
    assert {e.emotion for e in found.values()} == {
        "anger", "frustration", "sadness", "anxiety", "confusion", "joy", "neutral"
    }  # fmt: skip
    assert {e.intensity for e in found.values()} == {"low", "medium", "high"}


def test_a_bad_library_is_refused_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "exercises.yml"
    bad.write_text(
        "exercises:\n  - {id: x, text: hi, emotion: glee, intensity: low,"
        " about: delivery, cues: [a]}\n"
    )
    with pytest.raises(ValueError, match="unknown emotion 'glee'"):
        examples.__wrapped__(bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.0, "low"), (0.33, "low"), (0.34, "medium"), (0.66, "medium"), (0.67, "high"),
     (1.0, "high")],
)  # fmt: skip
def test_bands(value: float, expected: str) -> None:
    assert band(value) == expected


def test_grading_weighs_emotion_intensity_and_about() -> None:
    assert grade(Answer("frustration", 0.9, "delivery"), CAPS)["score"] == 100
    assert grade(Answer("frustration", 0.5, "delivery"), CAPS)["score"] == 75
    assert grade(Answer("anger", 0.9, "refund"), CAPS)["score"] == 25
    real = Exercise("r" + "0" * 16, "no", "anger", "high", "", (), "real")
    found = grade(Answer("anger", 0.1, "other"), real)
    assert found == {
        "score": 67,
        "right": {"emotion": True, "intensity": False, "about": None},
    }


def test_agreement_is_shown_from_three_answers() -> None:
    mine = Answer("anger", 0.8, "refund")
    two = [{"emotion": "anger", "intensity": 0.8, "about": "refund"}] * 2
    assert agreement(two, mine) == {"answers": 2, "shown": False, "needed": 3}
    three = [*two, {"emotion": "sadness", "intensity": 0.2, "about": "other"}]
    found = agreement(three, mine)
    assert found["shown"] and found["most_said"] == "anger"
    assert found["agreement"] == 0.667 and found["bands"] == {"high": 2, "low": 1}


def test_the_analyzer_comparison_keeps_its_reasons() -> None:
    analysis = {
        "label": "frustration",
        "intensity": 0.8,
        "signals": [{"name": "all_caps", "reason": "ALL CAPS in 'WHERE'"}],
    }
    found = compare_analyzer(Answer("anger", 0.9, "delivery"), analysis)
    assert found["same_band"] and not found["same_emotion"]
    assert found["reasons"] == ["ALL CAPS in 'WHERE'"]
    assert compare_analyzer(Answer("anger", 0.9, "x"), None) == {"available": False}


def test_weeks_and_trends() -> None:
    assert week(0) == "1970-W01"
    assert trend([None, 40, None]) is None
    assert trend([40, None, 50]) == "up"
    assert trend([50, 46]) == "steady"
    assert trend([50, 40]) == "down"
    found = summary({"exercises": {"2026-W48": [0.0], "2026-W49": [100.0, 50.0]}})
    assert [w["week"] for w in found["weeks"]] == ["2026-W48", "2026-W49"]
    assert found["weeks"][1]["exercises"] == 75.0
    assert found["weeks"][1]["practice"] is None
    assert found["overall"]["exercises"] == 50.0
    assert found["trend"] == {
        "practice": None, "exercises": "up", "automatic": None, "peer": None
    }  # fmt: skip
