"""After a fraud, the advice while waiting fits what the customer says they did
(bot/waiting_advice.py): nothing given away is safe, a card blocked or a password
changed is not asked for again."""

from __future__ import annotations

import pytest

from bot.conversations import Conversations  # noqa: E402  (the fixture's type)
from bot.handoff import UrgencyFlag
from bot.texts import say
from bot.waiting_advice import fraud_step
from tests.bot.handoff.test_waiting_replies import waiting

FRAUD = frozenset({UrgencyFlag.FRAUD})


@pytest.mark.parametrize(
    ("language", "text", "step"),
    [
        ("", "No worries, I never opened the link. Is that enough?", "safe"),
        ("", "I've rang my bank and the card is cancelled now.", "password"),
        ("", "I reset my password last night", "card"),
        ("", "I phoned the bank. I also changed my password.", "done"),
        ("de", "Ich habe den Link gar nicht angeklickt.", "safe"),
        (
            "de",
            "Die Bank habe ich schon angerufen, die Karte ist gesperrt.",
            "password",
        ),
        (
            "es",
            "He cambiado ya la contraseña, pero me da miedo lo de la tarjeta.",
            "card",
        ),
        ("fr", "J'ai déjà fait opposition sur ma carte ce matin.", "password"),
        ("it", "Ho già cambiato la password e ho chiamato la banca.", "done"),
        ("nl", "Ik heb nergens op geklikt hoor.", "safe"),
        ("pt", "Já bloqueei o cartão no banco.", "password"),
        ("pl", "Zmieniłem już hasło, co teraz?", "card"),
        ("sv", "Jag har redan spärrat kortet och bytt lösenordet.", "done"),
    ],
)
def test_what_they_did_is_read_in_every_language(
    language: str, text: str, step: str
) -> None:
    assert fraud_step([text], language) == f"waiting_fraud_{step}"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("", "Should I call my bank and block the card?"),  # asked, not done
        ("", "I haven't called the bank yet."),
        ("", "I clicked it and typed in my card number"),
        ("de", "Ich habe die Bank noch nicht angerufen."),
        ("es", "No he llamado al banco todavía."),
        ("fr", "Je n'ai pas encore appelé ma banque."),
        ("nl", "Moet ik mijn kaart laten blokkeren?"),
        ("pl", "Nie zadzwoniłam jeszcze do banku."),
        ("sv", "Jag har inte ringt banken än."),
    ],
)
def test_a_question_or_a_step_not_taken_is_no_step(language: str, text: str) -> None:
    assert fraud_step([text], language) is None


async def test_someone_who_gave_nothing_is_not_told_to_block_a_card(
    conversations: Conversations,
) -> None:
    """ "I didn't click anything, should I do anything else?" after a phishing
    message: the details are safe, no call to the bank; a password changed already
    leaves the card, in their language."""
    [safe] = await waiting(
        conversations,
        "web-fraud-safe",
        ["ok I didn't click on anything. anything else I should do?"],
        flags=FRAUD,
    )
    [card] = await waiting(
        conversations,
        "web-fraud-card-pl",
        ["Zmieniłam już hasło, ale boję się o dane karty. Co mam robić?"],
        "pl",
        FRAUD,
    )
    assert say("waiting_fraud_safe") in safe
    assert "bank" not in safe.lower()
    assert say("waiting_fraud_card", "pl") in card
    assert "zmienić hasło" not in card  # done already: not asked again
