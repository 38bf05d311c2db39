"""An order's state answers only a message that asks where the order is or what
became of it. A customer who writes in another language and names an order beside
a question of their own ("can the speaker from order 87001 go on a TV?") is told
honestly that we have no sure answer and offered a person, not the day it was
delivered (nor asked to prove the order theirs for an answer that shows nothing)."""

from __future__ import annotations

import pytest

from actions.language import language_book
from actions.language_reading import asks_beside_the_order
from actions.numbers import find_number
from tests.actions.test_language import answer, has_ticket
from tests.actions.test_language_tasks import chat

# A question of the customer's own about an item of a named order, none of our
# texts answers (our own sentences)
OWN_QUESTION = {
    "de": "Kann man den Schal aus Bestellung 48213 mit einem Namen besticken lassen?",
    "es": "¿Se puede grabar un nombre en la sartén del pedido 1209384756?",
    "fr": "Est-ce que l'enceinte de la commande 87001 peut se brancher sur une télé ?",
    "it": "Il bollitore dell'ordine 651234 si può usare anche con una presa americana?",
    "nl": "Zit bij de koptelefoon van bestelling 5520174 een kabel voor het vliegtuig?",
    "pt": "O tapete de ioga da encomenda 228810 serve para ioga quente?",
    "pl": "Czy do słuchawek z zamówienia 5520174 jest dołączony kabel do samolotu?",
    "sv": "Går det att gravera ett namn på pennan i beställning 99887766?",
}
# Where the order is or what became of it, asked in other words than "where is"
STATE_ASKED = {
    "de": "Hallo, ist meine Bestellung 48213 schon unterwegs?",
    "es": "¿Me podéis decir algo del pedido 48213?",
    "fr": "Des nouvelles de ma commande 48213 ?",
    "it": "Potete controllare l'ordine 48213?",
    "nl": "Hoe staat het met bestelling 48213?",
    "pt": "Podem verificar a encomenda 48213, por favor?",
    "pl": "Czy zamówienie 48213 zostało już wysłane?",
    "sv": "Kan ni kolla min beställning 48213?",
}


@pytest.mark.parametrize(("code", "text"), sorted(OWN_QUESTION.items()))
async def test_a_question_of_its_own_beside_an_order_gets_no_state_for_an_answer(
    code: str, text: str, own_queue: str
) -> None:
    book = language_book()
    assert asks_beside_the_order(book.languages[code], text)
    tracker = chat(code, ("customer", text))
    events, [said] = await answer(tracker)
    # no state (no proof asked for it either): honestly unsure, a person offered
    assert said == book.say(code, "unsure")
    assert not await has_ticket(tracker.sender_id)
    assert {"event": "slot", "timestamp": None, "name": "missed", "value": True} in (
        events
    )


@pytest.mark.parametrize(("code", "text"), sorted(STATE_ASKED.items()))
async def test_where_an_order_is_asked_in_other_words_is_still_its_state(
    code: str, text: str, own_queue: str
) -> None:
    book = language_book()
    assert not asks_beside_the_order(book.languages[code], text)
    assert not book.unanswered(code, text)
    _, [said] = await answer(chat(code, ("customer", text)))
    # the order is looked up: first the proof that it is theirs
    assert book.say(code, "order.proof", order_id="48213") in said


@pytest.mark.parametrize("code", sorted(OWN_QUESTION))
def test_an_order_number_alone_or_with_a_greeting_asks_its_state(code: str) -> None:
    texts = language_book().languages[code]
    for text in ("48213", "48213?", "Hi! 48213?"):
        assert not asks_beside_the_order(texts, text)


@pytest.mark.parametrize(
    ("code", "text", "topic"),
    [
        ("it", "Lo speaker dell'ordine 87001 è ancora in garanzia?", "warranty"),
        ("de", "Kann ich für Bestellung 48213 auch mit PayPal bezahlen?", "payment"),
        ("es", "¿La funda del pedido 300418862 se puede lavar a 60 grados?", "product"),
    ],
)
async def test_a_question_answered_whatever_the_order_needs_no_proof(
    code: str, text: str, topic: str, own_queue: str
) -> None:
    """A question whose answer is the same for every order (the guarantee, ways to
    pay, the product's care) is answered at once, not after the e-mail address."""
    book = language_book()
    _, [said] = await answer(chat(code, ("customer", text)))
    texts = book.languages[code]
    assert texts.answers[topic].split(":")[0] in said, said
    assert book.say(code, "order.proof", order_id=find_number(text)) not in said


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Können Sie mir den aktuellen Stand von Bestellung 48213 sagen?"),
        ("nl", "Is bestelling 48213 al geleverd?"),
        ("pl", "Paczka 48213 miała przyjść wczoraj. Co się dzieje?"),
        ("sv", "Varför avbröt ni beställning 13579?"),
        ("it", "L'ordine 48213 è già partito?"),
        ("pt", "A encomenda 48213 já foi entregue?"),
    ],
)
def test_where_an_order_is_in_everyday_words_is_never_no_sure_answer(
    code: str, text: str
) -> None:
    """The words of where an order is are wide: a question about it in words of the
    delivery never meets "no sure answer"."""
    book = language_book()
    assert not asks_beside_the_order(book.languages[code], text)
    assert not book.unanswered(code, text)


# An order named and nothing asked of it, or a worry about how it all works: its
# state is what we can tell (our own sentences)
ONLY_NAMED = {
    "de": "Guten Tag, meine Enkelin hat für mich bestellt, Nummer 48213. Ich kenne "
    "mich damit nicht so aus.",
    "nl": "Hallo, mijn zoon heeft iets voor mij besteld, nummer 48213. Ik snap niet "
    "zo goed hoe dat gaat.",
    "sv": "Hej, min dotter beställde åt mig, nummer 48213. Jag är inte så van vid det "
    "här.",
}


@pytest.mark.parametrize(("code", "text"), sorted(ONLY_NAMED.items()))
async def test_an_order_named_with_nothing_asked_is_looked_up(
    code: str, text: str, own_queue: str
) -> None:
    """Not "no sure answer" and no person: the proof, then the order's state."""
    book = language_book()
    _, [said] = await answer(chat(code, ("customer", text)))
    assert book.say(code, "order.proof", order_id="48213") in said, said
    proven = chat(
        code,
        ("customer", text),
        ("bot", said),
        ("customer", "maya.lindqvist@example.com"),
        order_id="48213",
    )
    _, [state] = await answer(proven)
    assert "48213" in state and book.say(code, "unsure") not in state, state
    assert not await has_ticket(proven.sender_id)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (
            "de",
            "Na toll, die Bestellung 48213 ist immer noch unterwegs. Super Service.",
        ),
        ("es", "Qué bien, eh, el pedido 48213 sigue sin moverse. Excelente."),
        # praise beside what went wrong (late for days), no word of annoyance
        ("fr", "La commande 48213 est « expédiée » depuis dix jours. Bravo, super."),
    ],
)
async def test_praise_beside_annoyance_is_not_thanked_for(
    code: str, text: str, own_queue: str
) -> None:
    book = language_book()
    _, said = await answer(chat(code, ("customer", text)))
    assert not any(book.say(code, "praise") in s for s in said), said
    # ...nor once the order is open after the proof
    proven = chat(
        code,
        ("customer", text),
        ("bot", said[-1]),
        ("customer", "maya.lindqvist@example.com"),
        order_id="48213",
    )
    _, opened = await answer(proven)
    assert not any(book.say(code, "praise") in s for s in opened), opened
