"""A follow-up that would get the answer just given again gets the sentence of it
that answers the follow-up (actions/repeats.py), in English by the sentence model,
in another language by the words they share."""

from __future__ import annotations

import pytest

from actions.language import language_book
from actions.repeats import detail, repeats
from actions.replies import reply_book


def test_the_same_facts_in_other_words_repeat_an_answer() -> None:
    book = reply_book()
    first, second = book.answers["check_payment_methods"][:2]
    assert repeats(second, [first])  # two wordings of the ways to pay
    assert not repeats(second, [book.answers["check_refund_policy"][0]])
    assert not repeats("You're welcome!", ["You're welcome!"])  # too short to count
    assert repeats(
        "Order 48213 is with DHL, tracking number JD01, due on Tuesday 8 December.",
        ["Order 48213 left with DHL; tracking number JD01; due Tuesday 8 December."],
    )


TRACKED = (
    "Order 48213 is on its way with DHL. The tracking number is JD014600003828, "
    "and it's expected to arrive on Tuesday 8 December."
)
PAYING = reply_book().answers["check_payment_methods"][0]


@pytest.mark.parametrize(
    ("answer", "question", "expected"),
    [
        (TRACKED, "what's the tracking number again?", "JD014600003828"),
        (TRACKED, "what day will it come?", "Tuesday 8 December"),
        (PAYING, "do you take apple pay?", "Apple Pay"),
    ],
)
def test_a_detail_of_an_answer_gets_its_sentence(
    answer: str, question: str, expected: str
) -> None:
    sentence = detail(answer, question)
    assert sentence is not None and sentence in answer and sentence != answer
    assert expected in sentence


def test_a_one_sentence_answer_has_no_detail_to_pick() -> None:
    assert detail("Yes, we take PayPal at checkout.", "paypal ok?") is None


def test_a_follow_up_far_from_every_sentence_keeps_the_whole_answer() -> None:
    answer = reply_book().answers["check_refund_policy"][0]
    assert detail(answer, "what colour is the sky on mars?") is None


@pytest.mark.parametrize(
    ("code", "question", "expected"),
    [
        ("sv", "Och är returfrakten gratis?", "kostnadsfri"),
        ("de", "Und muss ich die Rücksendung bezahlen?", "kostenlos"),
    ],
)
def test_in_another_language_the_sentence_sharing_its_words(
    code: str, question: str, expected: str
) -> None:
    answer = language_book().say(code, "returns")
    sentence = detail(answer, question, code)
    assert sentence is not None and expected in sentence and sentence != answer
