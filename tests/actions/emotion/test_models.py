"""Serialisation of the value types (they live in Rasa slots and Redis)."""

from __future__ import annotations

import json

import pytest

from actions.emotion import Analysis, Emotion, EmotionAnalyzer, Signal, Trend, Turn


@pytest.mark.parametrize(
    "text",
    [
        "WHERE IS MY ORDER???",
        "Thanks a lot!",
        "",
        "I'll do a chargeback",
        "still waiting",
    ],
)
def test_analysis_round_trip(analyzer: EmotionAnalyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    data = json.loads(json.dumps(analysis.to_dict()))
    again = Analysis.from_dict(data)
    assert again.label == analysis.label
    assert again.frustration == analysis.frustration
    assert again.trend == analysis.trend
    assert [s.name for s in again.signals] == [s.name for s in analysis.signals]
    assert again.intensity == pytest.approx(analysis.intensity, abs=1e-4)


def test_turn_round_trip() -> None:
    analysis = Analysis(
        label=Emotion.ANGER,
        intensity=0.8,
        frustration=3,
        signals=[Signal("abuse", 0.9, "x")],
    )
    turn = Turn("customer", "hi", intent="greet", confidence=0.9, analysis=analysis)
    again = Turn.from_dict(json.loads(json.dumps(turn.to_dict())))
    assert again.analysis is not None and again.analysis.label == Emotion.ANGER
    assert again.intent == "greet" and again.confidence == 0.9


def test_enums_are_strings() -> None:
    assert Emotion.ANGER == "anger"
    assert Trend.RISING == "rising"
    assert json.dumps({"label": Emotion.JOY}) == '{"label": "joy"}'


def test_from_dict_tolerates_missing_fields() -> None:
    analysis = Analysis.from_dict({"label": "sadness"})
    assert (
        analysis.label == Emotion.SADNESS
        and analysis.frustration == 0
        and analysis.signals == []
    )


def test_rules_only_mode_without_model() -> None:
    lite = EmotionAnalyzer.load(use_model=False)
    assert lite.encoder is None
    analysis = lite.analyze("I want to talk to a human!!!")
    assert analysis.has("person_request") and not analysis.has("semantic")
    assert lite.embed(["x"]).shape == (1, 384)
