"""A customer who rules out a way of contact in their own words is never offered it:
the words that rule one out, in every language we write, and our offers fitted."""

from __future__ import annotations

import re

import pytest
import yaml

from bot import reach
from bot.texts import LANGUAGES_FILE, TEXTS_FILE, say, translations

EMPATHY_FILE = TEXTS_FILE.parent / "empathy.yml"
LANGUAGES = sorted(translations())


@pytest.mark.parametrize(
    ("text", "ruled"),
    [
        ("Phone calls make me panic, I really can't use the phone", {"phone"}),
        ("I'm hard of hearing so please type", {"phone"}),
        ("Please do not ring me, I'm at work all day", {"phone"}),
        ("Ich bin gehörlos.", {"phone"}),
        ("No puedo hablar por teléfono ahora mismo.", {"phone"}),
        ("Je ne peux pas téléphoner au travail.", {"phone"}),
        ("Non posso telefonare, scrivetemi qui.", {"phone"}),
        ("Ik kan niet bellen vandaag.", {"phone"}),
        ("Não consigo falar ao telefone.", {"phone"}),
        ("Nie mogę rozmawiać przez telefon.", {"phone"}),
        ("My ex-husband still reads my emails.", {"email"}),
        ("Somebody got into my inbox last week", {"email"}),
        ("Er hat Zugriff auf mein E-Mail-Konto.", {"email"}),
        ("Mi pareja lee mis correos.", {"email"}),
        ("Il a accès à ma messagerie.", {"email"}),
        ("Lui legge le mie email.", {"email"}),
        ("Hij leest mijn mail.", {"email"}),
        ("Ele tem acesso ao meu e-mail.", {"email"}),
        ("On czyta moje maile.", {"email"}),
        ("I'm deaf and my partner reads my emails", {"phone", "email"}),
        # not ruled out: a number or an address given, someone else phoned, an
        # e-mail asked for or not found
        ("My number is 07700 900123, call me after six", set()),
        ("I'll phone my bank tomorrow", set()),
        ("Can you email me the return label?", set()),
        ("I can't find the email with the tracking link", set()),
        ("The courier called me this morning", set()),
    ],
)
def test_the_ways_a_customer_rules_out_are_read_from_their_words(
    text: str, ruled: set[str]
) -> None:
    assert reach.ruled_out([text]) == frozenset(ruled)


def _texts_with_offers() -> list[tuple[str, str, str]]:
    """(file, language, text) for every text of ours that offers a call or e-mail."""
    found: list[tuple[str, str, str]] = []

    def walk(node: object, where: str, language: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                code = str(key) if str(key) in LANGUAGES else language
                walk(value, where, code)
        elif isinstance(node, list):
            for value in node:
                walk(value, where, language)
        elif (
            isinstance(node, str)
            and reach.OFFER.search(node)
            and " " in node.strip("[]")
            and not re.search(r"\\b|\(\?", node)
        ):
            # (a text, not one of the files' patterns)
            found.append((where, language, node))

    for path in (TEXTS_FILE, LANGUAGES_FILE, EMPATHY_FILE):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), path.name, "")
    return found


def test_every_offer_of_a_call_or_an_e_mail_is_marked_and_fits() -> None:
    """Every text that mentions leaving a phone number or e-mail marks that offer,
    whole; without it the text still ends a sentence, and the offer of what is left
    is in the same language."""
    offers = _texts_with_offers()
    assert len(offers) >= 40
    languages = {language for _, language, _ in offers}
    assert languages == {"", *LANGUAGES}
    for where, language, text in offers:
        assert text.count("[") == text.count("]") == 1, (where, text)
        bare = reach.OFFER.sub("", text).strip()
        assert bare.endswith("."), (where, text)
        assert not re.search(r"phone|telef|e-?mail|correo", bare, re.I), text
        for ruled in ({"phone"}, {"email"}, {"phone", "email"}):
            fitted = reach.fit(
                text, frozenset(ruled), lambda k, lang=language: say(k, lang)
            )
            offer = say(reach.offer_key(frozenset(ruled)), language)
            assert fitted == f"{bare} {offer}"
            assert "[" not in fitted and "]" not in fitted
        assert reach.fit(text, frozenset(), lambda k: k) == reach.OFFER.sub(r"\1", text)
    for language in ("", *LANGUAGES):  # the offers themselves exist in each
        for key in ("offer_email", "offer_phone", "offer_here"):
            assert say(key, language) and "[" not in say(key, language)
        if language:
            assert say("offer_here", language) != say("offer_here")


def test_a_text_said_to_someone_who_cannot_phone_offers_only_e_mail() -> None:
    with reach.answering(["I can't use the phone, I have a stammer"]) as ruled:
        assert ruled == {"phone"}
        said = say("waiting_back", "de", back="am Montag")
    assert said.endswith(say("offer_email", "de"))
    assert "Telefonnummer" not in said
    # outside it, the offer as written, without its marks
    plain = say("waiting_back", "de", back="am Montag")
    assert "Telefonnummer oder E-Mail-Adresse" in plain and "[" not in plain
