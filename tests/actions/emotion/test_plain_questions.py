"""A message that only asks, or only asks for a person, gets no words of feeling when
the feeling is only read into its words (the sentence model, the tone, problem
words): the real analyzer and the empathy layer together."""

from __future__ import annotations

import pytest

from actions.asking import only_asks
from actions.emotion import EmotionAnalyzer
from actions.empathy import empathy_book
from actions.replies import fill
from actions.situation import Level, Situation


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("was order 55120 cancelled by you?", True),
        ("Thanks. Does it need a signature?", True),  # thanks beside the question
        ("and if I'm out all day, what happens to the parcel", True),
        ("paypal?", True),
        ("My parcel is two weeks late, where is it?", False),  # a problem told first
        ("why does it take so long?", False),  # a why-question is often a complaint
        ("I'm quite nervous about paying online. Is it safe?", False),
    ],
)
def test_a_message_that_only_asks(text: str, asks: bool) -> None:
    assert only_asks(text) is asks


@pytest.mark.parametrize(
    "text",
    ["has my order 55120 been cancelled?", "how do I swap the jumper for a medium?"],
)
def test_a_plain_question_gets_no_words_of_feeling(
    analyzer: EmotionAnalyzer, text: str
) -> None:
    analysis = analyzer.analyze(text, [])
    assert empathy_book().level(analysis, text) is Level.NEUTRAL


@pytest.mark.parametrize(
    "text",
    ["has my order 55120 been cancelled?? this is RIDICULOUS", "why is it so slow?!"],
)
def test_a_question_with_a_feeling_said_is_still_heard(
    analyzer: EmotionAnalyzer, text: str
) -> None:
    analysis = analyzer.analyze(text, [])
    assert empathy_book().level(analysis, text) is not Level.NEUTRAL


def test_a_calm_request_for_a_person_is_granted_without_sympathy(
    analyzer: EmotionAnalyzer,
) -> None:
    text = "I'd like to speak with a real person please"
    book = empathy_book()
    analysis = analyzer.analyze(text, [])
    said = book.handoff(
        Situation(intent=None, analysis=analysis, text=text), ["person_request"]
    )
    asked = {fill(t, {"name_prefix": ""}) for t in book.data["handoff"]["asked"]}
    assert said.lower() in {a.lower() for a in asked}, said


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("the adapter has to be here as we're flying out on Sunday", "on Sunday"),
        ("my wife and I are travelling next week and need the case", "next week"),
    ],
)
def test_a_trip_told_with_a_verb_is_a_date_that_cannot_move(
    analyzer: EmotionAnalyzer, text: str, when: str
) -> None:
    found = [
        c for c in analyzer.analyze(text, []).circumstances if c.kind == "deadline"
    ]
    assert [(c.what, c.when) for c in found] == [("trip", when)]


def test_leaving_a_parcel_somewhere_tomorrow_is_no_trip(
    analyzer: EmotionAnalyzer,
) -> None:
    found = analyzer.analyze("could the driver leave it at the back door tomorrow", [])
    assert not [c for c in found.circumstances if c.kind == "deadline"]
