"""Everyday words in the other languages for what a customer tells: an item that
was not in the parcel, a burn told in the first person, a crack, an order that was
cancelled, paying told (not asked), and "how long will that take?" while waiting
(our own sentences)."""

from __future__ import annotations

import pytest

from actions.language import language_book
from actions.language_reading import asks_its_state
from actions.language_texts import problem_said, topics_asked
from bot.texts import waiting_words
from bot.waiting_reading import asks_how_long


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("nl", "Ik heb het pakket, maar de handschoenen zitten er niet in."),
        ("de", "Die Handschuhe waren nicht im Paket."),
        ("fr", "Les gants n'étaient pas dans le colis."),
        ("it", "I guanti non c'erano nel pacco."),
        ("pt", "As luvas não vinham na caixa."),
        ("pl", "Rękawiczek nie było w paczce."),
    ],
)
def test_an_item_not_in_the_parcel_is_missing(code: str, text: str) -> None:
    texts = language_book().languages[code]
    said = problem_said(texts, text.lower())
    assert said and said == _missing_care(code), (said, text)


def _missing_care(code: str) -> str:
    """The care words of the language's ``missing`` problem."""
    texts = language_book().languages[code]
    sample = {
        "de": "es fehlt etwas",
        "fr": "il manque un gant",
        "it": "manca un guanto",
        "nl": "er ontbreekt iets",
        "pt": "falta uma luva",
        "pl": "brakuje rękawiczki",
    }[code]
    return problem_said(texts, sample)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("sv", "Kannan sprack och jag brände mig på handen."),
        ("es", "Me quemé la mano con la tetera."),
        ("pt", "Queimei-me com a chaleira."),
        ("pl", "Poparzyłam się czajnikiem."),
    ],
)
def test_a_burn_told_in_the_first_person_is_an_injury(code: str, text: str) -> None:
    assert "injury" in language_book().situations(code, text)


def test_a_crack_and_a_cancellation_in_swedish() -> None:
    texts = language_book().languages["sv"]
    assert problem_said(texts, "muggen har en spricka")
    assert asks_its_state(texts, "varför avbröts min beställning 13579?")


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("es", "¿Cuándo me devolvéis el cargo? Lo necesito para pagar el alquiler."),
        ("de", "Wann kommt mein Geld? Ich muss davon die Miete bezahlen."),
    ],
)
def test_paying_told_beside_a_question_asks_nothing_about_ways_to_pay(
    code: str, text: str
) -> None:
    texts = language_book().languages[code]
    assert "payment" not in topics_asked(texts, text.lower())[0]
    asked = "¿Puedo pagar a plazos?" if code == "es" else "Kann ich mit PayPal bezahlen"
    assert "payment" in topics_asked(texts, asked.lower())[0]


@pytest.mark.parametrize(
    ("code", "text"),
    [("de", "Wie lange dauert das ungefähr?"), ("pl", "Ile to potrwa?")],
)
def test_how_long_with_a_word_more_is_still_how_long(code: str, text: str) -> None:
    assert asks_how_long(text.lower(), waiting_words(code))
