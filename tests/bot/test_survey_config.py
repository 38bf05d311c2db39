"""data/surveys.yml as bot/survey_config.py reads it: the questions and their texts in
every language the bot speaks, what counts as ending a conversation, who is still
upset, and the checks of a customer's answers. No Redis needed."""

from __future__ import annotations

from typing import Any

import pytest

from bot.survey_config import SurveyInputError, load
from bot.texts import translations

CONFIG = load()
ASKED = ["csat", "understood", "effort", "recommend", "comment"]


def test_every_question_and_text_in_every_language_the_bot_speaks() -> None:
    languages = {"en", *translations()}
    assert [q.id for q in CONFIG.questions] == ASKED
    for question in CONFIG.questions:
        assert set(question.texts) == languages, question.id
        if not question.is_text:
            assert set(question.ends or {}) == languages, question.id
        else:  # Telegram's Skip button under the comment
            assert set(question.skip or {}) == languages, question.id
    comment = CONFIG.question("comment")
    assert comment is not None
    assert comment.to_dict("de")["skip"] == "Überspringen"
    assert comment.to_dict("da")["skip"] == "Skip"  # no texts: English
    assert (CONFIG.question("effort").low, CONFIG.question("effort").high) == (1, 7)  # type: ignore[union-attr]
    assert CONFIG.question("recommend").every_days > 0  # type: ignore[union-attr]
    for said in (CONFIG.intro, CONFIG.thanks):
        assert set(said) == languages
        assert all(len(set(options)) >= 3 for options in said.values())


def test_polish_texts_address_nobody_as_pan_or_pani() -> None:
    """No "Pan/Pani" slashes (nor "zadowolony/a") in Polish: the texts are written
    so they fit anyone, as the bot's other Polish texts are."""
    polish = [q.texts["pl"] for q in CONFIG.questions]
    polish += [*CONFIG.intro["pl"], *CONFIG.thanks["pl"]]
    for text in polish:
        assert "Pan" not in text and "/" not in text, text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("thanks, that's all", ""),
        ("Thank you!", ""),
        ("ok great, bye", ""),
        ("That's all, cheers.", ""),
        ("Danke, das war alles", "de"),
        ("Muchas gracias", "es"),
        ("Tack så mycket, det var allt", "sv"),
        ("tackle it later", None),  # no Swedish "tack" in it
        ("thanks, but where is my order?", None),
        ("thanks for nothing", None),
        ("where is my parcel", None),
        ("thanks " + "really " * 12, None),
    ],
)
def test_what_ends_a_conversation(text: str, language: str | None) -> None:
    assert CONFIG.closing_language(text) == language


@pytest.mark.parametrize(
    ("said", "asks"),
    [
        ("Happy to help. Anything else on your list?", False),
        ("You're very welcome. Is there anything else I can help with?", False),
        ("My pleasure. Is there anything more I can look at for you?", False),
        ("Glad I could help.", False),
        ("Which order is it about?", True),
        ("I'm sorry. Something went wrong, is that right?", True),
    ],
)
def test_a_question_back_is_mid_problem_unless_it_is_courtesy(
    said: str, asks: bool
) -> None:
    assert CONFIG.asks(said) is asks
    assert CONFIG.asks("Pick one.", buttons=True)


@pytest.mark.parametrize(
    ("readings", "upset"),
    [
        ([], False),
        ([{"label": "joy", "intensity": 0.9, "frustration": 0}], False),
        ([{"label": "anger", "intensity": 0.7, "frustration": 1}], True),
        ([{"label": "neutral", "intensity": 0.1, "frustration": 2}], True),
        ([{"label": "sadness", "intensity": 0.3, "frustration": 0}], False),
        # only the latest `look_back` count: an old outburst long settled
        (
            [{"label": "anger", "intensity": 0.9, "frustration": 4}]
            + [{"label": "neutral", "intensity": 0.0, "frustration": 0}] * 3,
            False,
        ),
    ],
)
def test_who_is_still_upset(readings: list[dict[str, Any]], upset: bool) -> None:
    assert CONFIG.upset(readings) is upset


def test_good_answers_pass_and_the_comment_is_optional() -> None:
    answers = {"csat": 5, "understood": 4, "effort": 7, "recommend": 0}
    assert CONFIG.check(ASKED, answers) == answers
    assert CONFIG.check(ASKED, answers | {"comment": " great "})["comment"] == "great"


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        ({"csat": 6, "understood": 4}, "csat must be 1-5"),
        ({"csat": 5, "understood": 0}, "understood must be 1-5"),
        ({"csat": 5, "understood": 4, "effort": 8}, "effort must be 1-7"),
        ({"csat": 5, "understood": 4, "recommend": 11}, "recommend must be 0-10"),
        ({"csat": "5", "understood": 4}, "csat must be a whole number"),
        ({"csat": True, "understood": 4}, "csat must be a whole number"),
        ({"csat": 4.5, "understood": 4}, "csat must be a whole number"),
        ({"understood": 4}, "csat is missing"),
        ({"csat": 5, "understood": 4, "comment": 7}, "comment must be text"),
        ({"csat": 5, "understood": 4, "comment": "x" * 1001}, "at most 1000"),
        ({"csat": 5, "understood": 4, "mood": 3}, "mood was not asked"),
    ],
)
def test_bad_answers_are_named(answers: dict[str, Any], problem: str) -> None:
    with pytest.raises(SurveyInputError, match=problem):
        CONFIG.check(ASKED, answers)


def test_the_nps_not_asked_is_not_answered() -> None:
    with pytest.raises(SurveyInputError, match="recommend was not asked"):
        CONFIG.check(
            ["csat", "understood"], {"csat": 1, "understood": 1, "recommend": 5}
        )
