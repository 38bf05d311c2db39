"""A condition that takes away the memory or the judgement an order needs (dementia,
Alzheimer's), told by the customer or of the one who ordered, in English or another
language: a person at once, with the condition named kindly, never a plain answer
first as for other illness (a cancellation asked for is still done first); a speaker
that began to melt is a hazard in every language (our own sentences; the real
analyzer, policy and reply books)."""

from __future__ import annotations

import pytest

from actions.empathy import empathy_book
from actions.language import language_book
from actions.mood import analyzer, assess
from actions.situation import Situation
from tests.actions.test_offers import conversation


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("I have dementia, how do I track order 48213?", True),
        ("My grandad has Alzheimers, where is the order 99887766 now?", True),
        # a cancellation asked for is done first, as after a death
        ("My grandad has Alzheimers and I need to cancel order 99887766.", False),
        # other illness beside a plain question: the question first, as before
        ("I'm on chemo at the moment, how do I track order 48213?", False),
    ],
)
def test_dementia_is_for_a_person_at_once(text: str, person: bool) -> None:
    intent = "cancel_order" if "cancel" in text else "track_order"
    mood = assess(conversation([("customer", text, intent)], "capacity"))
    assert mood.decision.escalate is person, mood.decision.explanation


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("pt", "A minha avó tem demência e fez a encomenda 87001. Como a devolvo?"),
        ("de", "Mein Vater hat Alzheimer und hat 99887766 bestellt. Wo ist es?"),
        ("fr", "Ma mère souffre de démence, où en est la commande 48213 ?"),
    ],
)
def test_dementia_in_another_language_is_no_plain_question(
    code: str, text: str
) -> None:
    book = language_book()
    found = book.situations(code, text)
    assert "health" in found
    assert not book.answers_first(code, text, found)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("My mum has alzheimers and ordered a lamp.", "your mum's Alzheimer's"),
        ("I have dementia and I get muddled with orders.", "dementia"),
    ],
)
def test_the_condition_is_named_with_whose_it_is(text: str, named: str) -> None:
    analysis = analyzer().analyze(text)
    [health] = [c for c in analysis.circumstances if c.kind == "health"]
    said = empathy_book().circumstance(
        health, Situation(intent="cancel_order", analysis=analysis, text=text)
    )
    assert named in said, said


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("nl", "De oplader werd zo heet dat het snoer begon te smelten."),
        ("de", "Das Netzteil fing an zu schmelzen."),
        ("pl", "Obudowa zaczęła się topić."),
        ("sv", "Sladden började smälta."),
        ("es", "La carcasa empezó a derretirse."),
    ],
)
def test_something_that_began_to_melt_is_a_hazard(code: str, text: str) -> None:
    assert "hazard" in language_book().situations(code, text)
