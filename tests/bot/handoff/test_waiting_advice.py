"""After a fraud, the advice while waiting fits what the customer says they did
(bot/waiting_advice.py): nothing given away is safe, a card blocked or a password
changed is not asked for again."""

from __future__ import annotations

import pytest

from bot.conversations import Conversations  # noqa: E402  (the fixture's type)
from bot.handoff import UrgencyFlag
from bot.texts import say
from bot.waiting_advice import fraud_step
from tests.bot.handoff.conftest import request
from tests.bot.handoff.test_waiting_replies import waiting

FRAUD = frozenset({UrgencyFlag.FRAUD})


@pytest.mark.parametrize(
    ("language", "text", "step"),
    [
        ("", "No worries, I never opened the link. Is that enough?", "safe"),
        ("", "I've rang my bank and the card is cancelled now.", "password"),
        ("", "I reset my password last night", "card"),
        ("", "I phoned the bank. I also changed my password.", "done"),
        # no account with us: no password to change
        (
            "",
            "I've never even had an account with you. What happens now?",
            "no_account",
        ),
        ("", "I don't have an account with you. I spoke to my bank already.", "done"),
        ("", "it was 40 pounds. I've already rung my bank, what now?", "password"),
        ("de", "Ich habe den Link gar nicht angeklickt.", "safe"),
        ("de", "Ich hab da nicht draufgeklickt.", "safe"),
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
        # no account with us: no password to change, in every language
        ("de", "Ich habe gar kein Kundenkonto bei Ihnen.", "no_account"),
        ("es", "Pero si no tengo cuenta con ustedes.", "no_account"),
        ("fr", "Je n'ai jamais eu de compte chez vous.", "no_account"),
        ("it", "Non ho nessun account da voi.", "no_account"),
        ("nl", "Ik heb niet eens een account, geen account bij jullie.", "no_account"),
        ("pt", "Eu nem tenho conta convosco.", "no_account"),
        ("pl", "Nie mam konta u was.", "no_account"),
        ("sv", "Jag har inget konto hos er alls.", "no_account"),
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


async def test_an_apology_for_themselves_is_no_grief_and_no_new_urgency(
    conversations: Conversations,
) -> None:
    """ "Sorry, I'm not very good with computers" from a customer handed over as
    vulnerable: no need to apologise, not "I'm so sorry you're going through this"
    and "I've passed on how urgent this is" (the flag is on the ticket already)."""
    from actions.mood import analyzer, compact

    await conversations.queue.enqueue(
        request("web-sorry-vulnerable", flags=frozenset({UrgencyFlag.VULNERABLE}))
    )
    text = "Sorry, I'm not very good with computers. I'm Maya, by the way."
    analysis = compact(analyzer().analyze(text, []))
    reply = await conversations.waiting.reply(
        "web-sorry-vulnerable", text, analysis, ["a reply before"]
    )
    assert reply.endswith(say("waiting_no_apology")), reply
    assert say("waiting_ack_sadness") not in reply
    assert say("waiting_urgent_passed") not in reply


def test_the_hardship_advice_names_no_money_matter() -> None:
    """Someone in hardship may be waiting about a broken laptop, not money: the
    advice says the person looks at it first, in every language."""
    from bot.texts import translations

    for language in ("", *translations()):
        advice = say("waiting_advice_hardship", language)
        assert "money" not in advice and "Geld" not in advice, language


def test_an_apology_beside_a_feeling_is_the_feeling() -> None:
    """ "I'm sorry to bother you again" is an apology; "I'm sorry, I'm just
    devastated" is grief, heard as such."""
    from actions.mood import analyzer, compact
    from bot.waiting_courtesy import apologises
    from bot.waiting_english import ENGLISH

    def reads(text: str) -> bool:
        analysis = compact(analyzer().analyze(text, []))
        return apologises(analysis, text.lower(), ENGLISH)

    assert reads("I'm so sorry to bother you with this again")
    assert not reads("I'm sorry, I'm just devastated about all of it")
    assert not reads("when will someone reply?")
