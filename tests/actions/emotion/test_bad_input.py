"""Bad input never crashes: a neutral or low-confidence result with a reason."""

from __future__ import annotations

import json

import pytest

from actions.emotion import Analysis, Emotion, EmotionAnalyzer, Turn

BAD = [
    ("", "no_words"),
    ("   \n\t ", "no_words"),
    ("🙂🙂🙂", "no_words"),
    ("😡😡😡", "no_words"),
    (
        "¿Dónde está mi pedido? Hace dos semanas que espero y nadie me contesta",
        "non_english",
    ),
    (
        "Wo ist meine Bestellung? Ich warte seit zwei Wochen und niemand antwortet",
        "non_english",
    ),
    ("Где мой заказ?", "non_english"),
    ("<script>alert('x')</script><b>where is my order</b>", "markup"),
    ("where is\x00 my\x07 order\x1b[31m", "unreadable"),
    ("broken \ud800 surrogate \udfff text", "unreadable"),
    ("my order " * 2500, "truncated"),
]


@pytest.mark.parametrize(("text", "reason"), BAD)
def test_bad_input(analyzer: EmotionAnalyzer, text: str, reason: str) -> None:
    analysis = analyzer.analyze(text)
    assert analysis.has(reason), analysis.signals
    assert 0.0 <= analysis.intensity <= 1.0
    json.dumps(analysis.to_dict())  # still serialisable


@pytest.mark.parametrize(
    "text",
    [
        "",
        "🙂🙂🙂",
        "¿Dónde está mi pedido? Hace dos semanas que espero y nadie me contesta",
    ],
)
def test_unreadable_is_neutral_and_unsure(analyzer: EmotionAnalyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    assert analysis.label in (Emotion.NEUTRAL, Emotion.JOY)
    assert analysis.confidence <= 0.5
    assert analysis.frustration <= 1


def test_angry_emoji_only_is_low_confidence(analyzer: EmotionAnalyzer) -> None:
    analysis = analyzer.analyze("😡😡😡")
    assert analysis.confidence <= 0.5
    assert analysis.has("emotion_words")


def test_long_text_keeps_the_tail(analyzer: EmotionAnalyzer) -> None:
    text = "I bought a kettle. " * 1200 + "You useless idiots, I want my money back!!!"
    analysis = analyzer.analyze(text)
    assert analysis.has("truncated")
    assert analysis.has("abuse")


def test_html_text_is_still_read(analyzer: EmotionAnalyzer) -> None:
    analysis = analyzer.analyze("<p>I want to <b>talk to a real person</b></p>")
    assert analysis.has("markup") and analysis.has("person_request")


@pytest.mark.parametrize("value", [None, 12345, b"bytes"])
def test_non_string_input(analyzer: EmotionAnalyzer, value: object) -> None:
    analysis = analyzer.analyze(value)  # type: ignore[arg-type]
    assert isinstance(analysis, Analysis)


def test_garbage_history(analyzer: EmotionAnalyzer) -> None:
    history = [
        Turn("customer", ""),
        Turn("robot?", "\x00"),
        Turn("customer", "🙂" * 50),
    ]
    analysis = analyzer.analyze("Where is my parcel?", history)
    assert analysis.frustration <= 2
