"""What the gateway says itself, in English and in the customer's language."""

from __future__ import annotations

import re

import pytest

from bot.texts import say, texts, translations, waiting_words
from bot.waiting_reading import asks_how_long

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_a_waiting_customer_is_reassured_in_their_language() -> None:
    german = translations()["de"]
    assert say("waiting_for_person", "de") == german["waiting_for_person"]
    saved = say("follow_up_saved", "pl", contact="+48 600 100 200")
    assert saved.endswith("+48 600 100 200.")


def test_english_when_the_language_or_the_text_is_missing() -> None:
    assert say("waiting_for_person") == texts()["waiting_for_person"]
    assert say("waiting_for_person", "da") == texts()["waiting_for_person"]
    assert (
        say("agent_joined", "de", agent="Greta")
        == "Greta from our team has joined the chat."
    )


def test_every_waiting_text_is_in_every_language_with_its_placeholders() -> None:
    waiting = {k: v for k, v in texts().items() if k.startswith("waiting_")}
    assert "waiting_felt_confusion" in waiting
    for code, entry in translations().items():
        for key, english in waiting.items():
            assert key in entry, (code, key)
            assert PLACEHOLDER.findall(entry[key]) == PLACEHOLDER.findall(english)
            assert "!" not in entry[key], (code, key)
            assert entry[key] != english, (code, key)
        assert (
            "!" not in entry["follow_up_saved"]
            and "{contact}" in entry["follow_up_saved"]
        ), code
        words = waiting_words(code)
        assert words is not None and "confusion" in words.feelings, code


@pytest.mark.parametrize(
    ("code", "thanks", "question", "call", "person"),
    [
        (
            "de",
            "Vielen Dank",
            "Wie lange dauert das noch",
            "Rufen Sie mich an",
            "Ich möchte mit einem Menschen sprechen",
        ),
        (
            "es",
            "Muchas gracias",
            "Cuándo me contestan",
            "Me pueden llamar",
            "Quiero hablar con una persona",
        ),
        (
            "fr",
            "Merci beaucoup",
            "Combien de temps encore",
            "Pouvez-vous m'appeler",
            "Je veux parler à quelqu'un",
        ),
        (
            "it",
            "Grazie mille",
            "Quanto ci vuole ancora",
            "Mi può chiamare",
            "Vorrei parlare con un operatore",
        ),
        (
            "nl",
            "Dank u wel",
            "Hoe lang duurt het nog",
            "Kunt u mij bellen",
            "Ik wil een medewerker spreken",
        ),
        (
            "pt",
            "Muito obrigada",
            "Quanto tempo demora",
            "Podem ligar-me",
            "Quero falar com uma pessoa",
        ),
        (
            "pl",
            "Dziękuję bardzo",
            "Jak długo to potrwa",
            "Proszę do mnie zadzwonić",
            "Chcę rozmawiać z konsultantem",
        ),
        (
            "sv",
            "Tack så mycket",
            "Hur länge dröjer det",
            "Kan ni ringa mig",
            "Jag vill prata med en handläggare",
        ),
    ],
)
def test_each_language_has_words_for_what_a_waiting_customer_writes(
    code: str, thanks: str, question: str, call: str, person: str
) -> None:
    words = waiting_words(code)
    assert words is not None
    assert words.thanks.search(thanks.lower()) and not words.thanks.search(
        question.lower()
    )
    assert words.question.search(question.lower())
    assert words.call.search(call.lower()) and not words.call.search(thanks.lower())
    assert words.person.search(person.lower())


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Der Artikel stimmt nicht mit meiner Bestellung überein."),
        ("es", "El artículo no corresponde con mi pedido."),
        ("fr", "J'ai reçu un article qui ne correspond pas à ma commande."),
        ("it", "Il pacco non corrisponde al mio ordine."),
        ("nl", "Het artikel komt niet overeen met mijn bestelling."),
        ("pt", "O artigo não corresponde à minha encomenda."),
        ("pl", "Paczka nie zgadza się z moim zamówieniem."),
        ("sv", "Varan stämmer inte med min beställning."),
    ],
)
def test_an_item_that_does_not_match_the_order_is_a_wrong_item(
    code: str, text: str
) -> None:
    words = waiting_words(code)
    assert words is not None
    found = [name for name, pattern in words.situations if pattern.search(text.lower())]
    assert found == ["wrong_item"], (code, found)


# Words that promise a person at once ("sees it straight away"): untrue to a customer
# waiting while nobody from the team is signed in
AT_ONCE = re.compile(
    r"\b(?:straight away|right away|immediately|sofort|tout de suite|meteen|"
    r"subito|enseguida|de imediato|od razu|direkt(?! (?:an|hier|till)\b))\b",
    re.IGNORECASE,
)


def test_no_waiting_text_promises_that_a_person_sees_it_at_once() -> None:
    """What is said to a customer in the queue holds when nobody is online until
    the morning: a person sees it when they open the chat, not "straight away"."""
    english = texts()
    # (advice to act at once is no promise: "call your bank straight away")
    keys = [
        k
        for k in english
        if (k.startswith("waiting_") or k == "wants_named")
        and not k.startswith("waiting_advice_")
    ]
    for code, entry in [("en", english), *translations().items()]:
        for key in keys:
            if key in entry:
                assert not AT_ONCE.search(entry[key]), (code, key, entry[key])


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Wann melden Sie sich bei mir?"),
        ("es", "¿Cuándo me van a contactar?"),
        ("fr", "Quand allez-vous me recontacter ?"),
        ("it", "Quando mi contatterete?"),
        ("nl", "Wanneer neemt u contact met mij op?"),
        ("pt", "Quando me vão contactar?"),
        ("pl", "Kiedy się ze mną skontaktujecie?"),
        ("sv", "När hör ni av er?"),
    ],
)
def test_when_we_get_in_touch_is_asked_how_long_the_wait_is(
    code: str, text: str
) -> None:
    """ "When will you contact me?" while waiting asks when a person comes: the
    time (or that nobody is in until the morning), not another reassurance."""
    assert asks_how_long(text.lower(), waiting_words(code))
