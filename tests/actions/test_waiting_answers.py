"""General answers for a customer who waits for a person must fit what they
reported: a double charge's refund is no return, a broken or wrong item no return
of an unused one, an account's e-mail address no delivery address (the real reply
and language books, read from data/)."""

from __future__ import annotations

import pytest

from actions.language import language_book
from actions.waiting_answers import UNFIT, answer_while_waiting
from tests.actions.conftest import says


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("es", "¿Y cuánto tarda en llegar el reembolso?"),
        ("de", "Wie lange dauert die Erstattung?"),
        ("pt", "Quanto tempo demora o reembolso?"),
        ("it", "Quanto tempo ci vuole per il rimborso?"),
    ],
)
def test_a_refund_question_after_a_double_charge_gets_no_returns_answer(
    language: str, question: str
) -> None:
    plain = answer_while_waiting(question, language, None, None)
    assert plain is not None and plain != UNFIT  # the general answer, without it
    for situation in ("double_charge", "damaged", "wrong_item"):
        said = answer_while_waiting(question, language, None, None, None, situation)
        assert said == UNFIT, (language, situation)
    # something else reported: the general answer fits
    assert answer_while_waiting(question, language, None, None, None, "late") == plain


def test_a_returns_question_about_a_broken_item_gets_no_unused_item_policy() -> None:
    question = "Je dois renvoyer l'article ?"
    assert answer_while_waiting(question, "fr", None, None) not in (None, UNFIT)
    assert answer_while_waiting(question, "fr", None, None, None, "damaged") == UNFIT


def test_english_answers_about_returns_or_refunds_do_not_fit_a_double_charge() -> None:
    question = "how many days until a refund reaches my card"
    plain = answer_while_waiting(question, "", "get_refund", 0.97)
    assert plain not in (None, UNFIT)
    said = answer_while_waiting(question, "", "get_refund", 0.97, None, "double_charge")
    assert said == UNFIT
    # a question about something else still gets its answer
    other = "which payment methods do you accept"
    assert answer_while_waiting(
        other, "", "check_payment_methods", 0.97, None, "double_charge"
    ) not in (None, UNFIT)


def test_an_accounts_e_mail_address_is_not_the_delivery_address() -> None:
    book = language_book()
    for language, email, delivery in (
        (
            "fr",
            "Comment modifier l'adresse e-mail de mon compte ?",
            "Comment modifier mon adresse de livraison ?",
        ),
        (
            "de",
            "Wie kann ich die E-Mail-Adresse meines Kontos ändern?",
            "Wie kann ich die Lieferadresse ändern?",
        ),
    ):
        assert book.general(language, email) is None, language
        assert book.general(language, delivery) == book.say(language, "address")


@pytest.mark.parametrize(
    ("question", "intent", "situation"),
    [
        # a duplicate charge's refund is no price drop or price match
        (
            "could you give me back the second payment today?",
            "get_refund",
            "double_charge",
        ),
        # after fraud, the money is what they ask about, not a password how-to
        (
            "I already reset my password, but what happens to the money?",
            "recover_password",
            "fraud",
        ),
    ],
)
def test_a_money_question_after_a_double_charge_or_fraud_gets_no_how_to(
    question: str, intent: str, situation: str
) -> None:
    said = answer_while_waiting(question, "", intent, 0.95, None, situation)
    assert said in (UNFIT, None), said


def test_a_question_in_the_message_that_brings_in_a_person_is_answered_first() -> None:
    """Handed over, the customer's own question is not left for Monday when we know
    its answer: after a broken item, whether they get their money back (what holds
    for a broken item, not the return rule); a general question NLU read alone; not
    a request for a person, nor a question nothing known answers."""
    from actions.waiting_answers import answer_beside_handoff
    from bot.texts import say

    broken = ["The glass teapot arrived shattered. Will I get a refund?"]
    assert answer_beside_handoff(broken, "") == say("waiting_fits_damaged")
    spanish = ["La tetera llegó rota. ¿Me devuelven el dinero?"]
    assert answer_beside_handoff(spanish, "es") == say("waiting_fits_damaged", "es")
    shipping = answer_beside_handoff(
        ["Do you deliver to Norway?"], "", "delivery_options", 0.97
    )
    assert shipping and "Express" in shipping
    assert (
        answer_beside_handoff(["Can a human help me?"], "", "contact_human_agent", 0.99)
        == ""
    )
    assert answer_beside_handoff(["My parcel is late, I'm fed up."], "") == ""


def test_what_becomes_of_the_order_after_something_serious_is_the_persons() -> None:
    """A question in the handoff message about what becomes of the order or the money
    after something serious (a death: sending it back, cancelling it) is answered with
    what the person will do about it, in the customer's language, not with the
    self-service steps; a question about something else is answered as before."""
    from actions.waiting_answers import answer_beside_handoff
    from bot.handoff import UrgencyFlag
    from bot.texts import say

    loss = [UrgencyFlag.BEREAVEMENT]
    back = ["My wife died in March. The lamp she ordered is coming, can it go back?"]
    assert answer_beside_handoff(back, "", flags=loss) == say(
        "waiting_asked_bereavement"
    )
    cancel = ["Mein Vater ist gestorben. Könnten Sie seine Bestellung stornieren?"]
    assert answer_beside_handoff(cancel, "de", flags=loss) == say(
        "waiting_asked_bereavement", "de"
    )
    hurt = [UrgencyFlag.SAFETY]
    swap = ["The heater scorched my daughter's arm. Will you replace it?"]
    assert answer_beside_handoff(swap, "", flags=hurt) == say("waiting_asked_safety")
    other = ["My wife died in March. Do you deliver to Norway?"]
    answer = answer_beside_handoff(other, "", "delivery_options", 0.97, flags=loss)
    assert answer and say("waiting_asked_bereavement") not in answer


def test_a_question_whose_answer_is_not_for_a_waiting_customer_gets_the_faqs() -> None:
    """ "Is there a phone number I can call?", read surely as a request to contact
    us (whose answer offers to bring a person in), is answered while waiting by the
    FAQ's opening hours and number."""
    said = answer_while_waiting(
        "is there a phone number I could call?", "", "contact_customer_service", 0.97
    )
    assert said is not None and says(said, "faq.contact_hours"), said


@pytest.mark.parametrize(
    ("language", "question", "intent"),
    [
        ("", "do I have to post the parcel back myself?", "check_refund_policy"),
        ("sv", "Kan jag returnera den till er?", None),
        ("de", "Wie schicke ich das zurück?", None),
    ],
)
def test_after_a_death_a_return_is_what_the_person_arranges(
    language: str, question: str, intent: str | None
) -> None:
    """A bereaved customer asking how to send something back while waiting gets
    what the person arranges (the gateway's waiting_asked_bereavement), not the
    self-service returns how-to."""
    confidence = 0.95 if intent else None
    plain = answer_while_waiting(question, language, intent, confidence)
    assert plain not in (None, UNFIT)
    said = answer_while_waiting(
        question, language, intent, confidence, None, "bereavement"
    )
    assert said == UNFIT
