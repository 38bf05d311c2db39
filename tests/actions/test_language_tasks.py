"""What the bot does, not only says, for a customer who writes in another language:
it cancels an order that is still with us (as it does in English), tells where
their money stands (a refund on record, a cancelled order's amount) instead of
reading "the money hasn't come" as a parcel that hasn't, and says honestly when it
has no answer, offering a person rather than queueing a calm question unasked."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.demo_store import DemoStore
from actions.language import language_book
from actions.language_tasks import asks_money_back, money_back, wants_cancelled
from actions.language_texts import (
    day_month,
    only_praises,
    problem_said,
    topics_asked,
)
from actions.store import OrderStatus
from tests.actions.conftest import owner
from tests.actions.test_language import answer, has_ticket
from tests.actions.test_offers import conversation

PROCESSING = "1209384756"
# A cancellation asked for, and nothing else, in each language (our own sentences)
CANCEL = {
    "de": "Bitte stornieren Sie meine Bestellung 1209384756, brauche ich nicht mehr.",
    "es": "Quisiera anular el pedido 1209384756, por favor.",
    "fr": "Je voudrais annuler ma commande 1209384756, s'il vous plaît.",
    "it": "Vorrei annullare l'ordine 1209384756, grazie.",
    "nl": "Ik wil bestelling 1209384756 graag annuleren.",
    "pt": "Quero cancelar a minha encomenda 1209384756, já não preciso dela.",
    "pl": "Proszę anulować moje zamówienie 1209384756, już go nie potrzebuję.",
    "sv": "Jag vill avbeställa beställning 1209384756, jag behöver den inte längre.",
}
# The money of a refund not back yet (not a parcel that has not come)
MONEY_AWAITED = {
    "de": "Ich warte immer noch auf mein Geld für die Bestellung 13579.",
    "es": "Todavía no me ha llegado el dinero del pedido 13579.",
    "fr": "Je n'ai toujours pas reçu le remboursement de la commande 13579.",
    "it": "Il rimborso dell'ordine 13579 non è ancora arrivato.",
    "nl": "Mijn geld voor bestelling 13579 is nog steeds niet binnen.",
    "pt": "Ainda estou à espera do dinheiro da encomenda 13579.",
    "pl": "Wciąż czekam na zwrot pieniędzy za zamówienie 13579.",
    "sv": "Jag väntar fortfarande på mina pengar för beställning 13579.",
}
# A calm question none of our texts answers
UNANSWERED = {
    "de": "Kann man bei Ihnen eigentlich zwei Rabattcodes gleichzeitig einlösen?",
    "es": "¿Se pueden combinar dos códigos de descuento en una compra?",
    "fr": "Bonjour, est-il possible de cumuler deux codes promo sur votre site ?",
    "nl": "Kan ik twee kortingscodes tegelijk gebruiken?",
    "sv": "Går det att använda två rabattkoder på samma köp?",
}


def chat(
    code: str, *turns: tuple[str, str], customer: str | None = None, **slots: Any
) -> Tracker:
    return conversation(
        [(a, t, "nlu_fallback") for a, t in turns],
        f"web-{code}-tasks",
        customer,
        **slots,
    )


@pytest.mark.parametrize(("code", "text"), sorted(CANCEL.items()))
async def test_a_cancellation_in_any_language_is_done_while_the_order_is_with_us(
    code: str, text: str, store: DemoStore, own_queue: str
) -> None:
    texts = language_book().languages[code]
    assert wants_cancelled(texts, text)
    tracker = chat(code, ("customer", text), customer=owner(PROCESSING))
    events, [said] = await answer(tracker)
    order = await store.order(PROCESSING)
    assert order is not None and order.status == OrderStatus.CANCELLED
    assert PROCESSING in said and order.total in said
    assert {"event": "pause", "timestamp": None} not in events
    assert not await has_ticket(tracker.sender_id)


@pytest.mark.parametrize(
    ("code", "yes"),
    [
        ("pt", "Sim, pode cancelar."),
        ("es", "Sí, cancélelo."),
        ("de", "Ja, bitte stornieren."),
    ],
)
async def test_yes_to_a_cancellation_already_done_says_it_is_done(
    code: str, yes: str, store: DemoStore, own_queue: str
) -> None:
    """ "Sim, pode cancelar." right after the order was cancelled: that it already
    is and nothing more is needed, not the same words again (nor "I'm not sure")."""
    book = language_book()
    tracker = chat(code, ("customer", CANCEL[code]), customer=owner(PROCESSING))
    _, [done] = await answer(tracker)
    order = await store.order(PROCESSING)
    assert order is not None and order.status == OrderStatus.CANCELLED
    again = chat(
        code,
        ("customer", CANCEL[code]),
        ("bot", done),
        ("customer", yes),
        customer=owner(PROCESSING),
        order_id=PROCESSING,
    )
    events, [said] = await answer(again)
    texts = book.languages[code]
    assert said.endswith(
        texts.answers["order.cancelled_again"].format(**order.values())
    ), said
    assert {"event": "pause", "timestamp": None} not in events


async def test_a_cancellation_waits_for_the_proof_that_the_order_is_theirs(
    store: DemoStore, own_queue: str
) -> None:
    book = language_book()
    asked = chat("es", ("customer", CANCEL["es"]))
    _, [question] = await answer(asked)
    assert question == book.say("es", "order.proof", order_id=PROCESSING)
    order = await store.order(PROCESSING)
    assert order is not None and order.status == OrderStatus.PROCESSING
    email = (await store.customer(order.customer)).email
    proven = chat(
        "es",
        ("customer", CANCEL["es"]),
        ("bot", question),
        ("customer", email),
        order_id=PROCESSING,  # set with the question
    )
    events, [said] = await answer(proven)
    order = await store.order(PROCESSING)
    assert order is not None and order.status == OrderStatus.CANCELLED
    assert said.startswith(f"El pedido {PROCESSING}")
    assert {"event": "pause", "timestamp": None} not in events


async def test_a_shipped_order_is_not_cancelled_a_person_takes_it(
    store: DemoStore, own_queue: str
) -> None:
    text = "Bitte stornieren Sie die Bestellung 48213."
    tracker = chat("de", ("customer", text), customer=owner("48213"))
    events, _ = await answer(tracker)
    order = await store.order("48213")
    assert order is not None and order.status == OrderStatus.SHIPPED
    assert {"event": "pause", "timestamp": None} in events


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Könnte ich die Bestellung 1209384756 noch stornieren?"),
        ("es", "No quiero cancelar el pedido 1209384756, solo saber cuándo llega."),
        ("nl", "Ik wil bestelling 1209384756 niet annuleren, alleen weten waar ze is."),
        ("fr", "Je veux annuler la commande 1209384756, elle est arrivée cassée."),
    ],
)
def test_a_question_a_refusal_or_a_problem_is_no_cancellation(
    code: str, text: str
) -> None:
    assert not wants_cancelled(language_book().languages[code], text)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (
            "de",
            "Bitte stornieren Sie die Bestellung 1209384756. Ich habe die Pfanne "
            "inzwischen im Laden gekauft.",
        ),
        (
            "es",
            "Quiero cancelar el pedido 1209384756. Lo compré en una tienda del barrio.",
        ),
    ],
)
def test_a_reason_told_beside_a_cancellation_asks_nothing_of_its_own(
    code: str, text: str
) -> None:
    """ "I bought it in a shop meanwhile" beside the request names a shop, but asks
    nothing about one: still a cancellation the bot does."""
    assert wants_cancelled(language_book().languages[code], text)


@pytest.mark.parametrize(("code", "text"), sorted(MONEY_AWAITED.items()))
def test_money_not_back_yet_is_a_refund_awaited_not_a_late_parcel(
    code: str, text: str
) -> None:
    texts = language_book().languages[code]
    lower = text.lower()
    assert problem_said(texts, lower) == texts.care["refund_late"]
    assert asks_money_back(texts, text)


def test_a_parcel_awaited_is_still_a_late_parcel() -> None:
    texts = language_book().languages["de"]
    lower = "ich warte immer noch auf meine bestellung 13579."
    assert problem_said(texts, lower) != texts.care["refund_late"]
    assert problem_said(texts, lower)
    assert not asks_money_back(texts, lower)


@pytest.mark.parametrize("code", sorted(MONEY_AWAITED))
async def test_the_refund_on_record_is_told_in_the_language(
    code: str, store: DemoStore, own_queue: str
) -> None:
    tracker = chat(code, ("customer", MONEY_AWAITED[code]), customer=owner("13579"))
    events, [said] = await answer(tracker)
    refund = await store.refund_for("13579")
    assert refund is not None and refund.amount in said
    texts = language_book().languages[code]
    assert said.startswith(texts.care["refund_late"])
    assert {"event": "pause", "timestamp": None} not in events


def test_a_cancelled_order_without_a_refund_on_record_says_when_the_money_comes() -> (
    None
):
    texts = language_book().languages["it"]
    order = {"order_id": "555", "status": "cancelled", "total": "10.00 EUR"}
    said = money_back(texts, order, None)
    assert said is not None and "555" in said and "10.00 EUR" in said
    # neither a refund nor a cancelled order: a person
    assert money_back(texts, {**order, "status": "shipped"}, None) is None


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("nl", "Bestelling 48213 al dagen niet bijgewerkt. Fantastisch."),
        ("de", "Bestellung 48213 bewegt sich seit Tagen nicht. Ganz toll."),
    ],
)
def test_praise_beside_a_negation_is_no_praise(code: str, text: str) -> None:
    texts = language_book().languages[code]
    lower = text.lower()
    asked, rest = topics_asked(texts, lower)
    assert not only_praises(texts, asked, rest, lower, "48213")


@pytest.mark.parametrize(("code", "text"), sorted(UNANSWERED.items()))
async def test_a_calm_question_without_an_answer_is_said_honestly_a_person_offered(
    code: str, text: str, own_queue: str
) -> None:
    book = language_book()
    assert book.unanswered(code, text)
    tracker = chat(code, ("customer", text))
    events, [said] = await answer(tracker)
    assert said == book.say(code, "unsure")
    assert {"event": "slot", "timestamp": None, "name": "missed", "value": True} in (
        events
    )
    assert not await has_ticket(tracker.sender_id)


async def test_a_second_question_without_an_answer_brings_in_a_person(
    own_queue: str,
) -> None:
    first = UNANSWERED["nl"]
    events, [said] = await answer(chat("nl", ("customer", first)))
    missed = [e for e in events if e.get("name") == "missed"]
    tracker = chat(
        "nl",
        ("customer", first),
        ("bot", said),
        ("customer", "En mag ik een kortingscode achteraf nog gebruiken?"),
    )
    tracker.events[3:3] = missed  # the first reply could not help
    events, _ = await answer(tracker)
    assert {"event": "pause", "timestamp": None} in events
    assert await has_ticket(tracker.sender_id)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("es", "Vale, ¿y para cuándo más o menos?"),
        ("de", "Alles klar, und wann ungefähr?"),
        ("fr", "D'accord, et ce sera pour quand à peu près ?"),
    ],
)
def test_a_follow_up_after_a_word_that_takes_note_goes_on_with_the_topic(
    code: str, text: str
) -> None:
    assert language_book().follows_up(code, text)


async def test_the_day_a_delivered_order_came_is_said(store: DemoStore) -> None:
    order = await store.order("651234")
    assert order is not None and order.status == OrderStatus.DELIVERED
    book = language_book()
    for code in sorted(CANCEL):
        said = book.order_answer(code, order.values())
        eta = day_month(str(order.values()["eta"]))
        assert eta is not None
        day = book.languages[code].date.format(**eta)
        assert day in said, (code, said)


def test_a_return_asked_in_the_infinitive_with_zu_is_a_return() -> None:
    book = language_book()
    said = book.reply(
        "de", "Wie lange habe ich Zeit, einen Artikel zurückzugeben?", lambda _: None
    )
    assert said == book.languages["de"].answers["returns"]


@pytest.mark.parametrize(
    ("code", "text", "kind"),
    [
        ("pl", "Trochę mnie to zdenerwowało, szczerze.", "annoyed"),
        ("nl", "Ik had me er zo op verheugd.", "disappointed"),
        ("es", "La verdad es que me estoy agobiando un poco.", "worry"),
    ],
)
def test_a_feeling_in_everyday_words_is_heard(code: str, text: str, kind: str) -> None:
    texts = language_book().languages[code]
    assert language_book().felt(code, text) == texts.feelings[kind][1]


def test_a_handoff_after_an_exclamation_names_what_went_wrong_earlier() -> None:
    """ "Das ist schon das zweite Mal bei Ihnen!" after "it never reached me": the
    words for the parcel not come, not "Vielen Dank für Ihre Nachricht"."""
    book = language_book()
    texts = book.languages["de"]
    earlier = ["Das Paket 651234 ist laut Tracking da, aber nie bei mir angekommen."]
    said = book.handoff("de", "Das ist schon das zweite Mal bei Ihnen!", earlier)
    assert said.startswith(problem_said(texts, earlier[0].lower()))
    assert texts.thanks not in said
    # nothing wrong before, an exclamation: no thanks either; a calm message: thanks
    assert not book.handoff("de", "Ich will jetzt jemanden sprechen!").startswith(
        texts.thanks
    )
    assert book.handoff("de", "Können Sie mir helfen?").startswith(texts.thanks)


def test_what_went_wrong_earlier_is_not_said_again_at_the_handoff() -> None:
    """When a recent reply already said it, the handoff does not open with the same
    words again ("Je suis désolé que votre commande ne soit toujours pas arrivée")."""
    book = language_book()
    texts = book.languages["fr"]
    earlier = ["Ma commande 808080123456 n'est toujours pas arrivée."]
    care = problem_said(texts, earlier[0].lower())
    said = book.handoff(
        "fr", "Je pars en voyage lundi!", earlier, [f"{care} J'ai trouvé la commande."]
    )
    assert care not in said


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (
            "de",
            "Bitte stornieren Sie die Bestellung 99887766, ich habe die falsche "
            "Farbe gewählt.",
        ),
        ("es", "Me equivoqué de talla, quiero cancelar el pedido 99887766."),
        (
            "fr",
            "J'ai commandé la mauvaise pointure, je voudrais annuler la commande "
            "99887766.",
        ),
        ("pl", "Pomyliłam rozmiar, proszę anulować zamówienie 99887766."),
    ],
)
def test_the_customers_own_mistake_is_no_wrong_item_of_ours(
    code: str, text: str
) -> None:
    """ "I ordered the wrong size, cancel it": a cancellation, with no "sorry you did
    not get what you ordered"; the wrong item sent by us still is one."""
    texts = language_book().languages[code]
    assert problem_said(texts, text.lower()) == ""
    assert wants_cancelled(texts, text)
    sent = "Sie haben mir die falsche Größe geschickt."
    assert problem_said(language_book().languages["de"], sent.lower())


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (
            "es",
            "Recibí un mensaje vuestro que me pide actualizar los datos de la tarjeta.",
        ),
        ("it", "Ho ricevuto un sms che dice di confermare i dati bancari. Siete voi?"),
        ("nl", "Er kwam een mail binnen waarin ik mijn kaartgegevens moet invullen."),
        ("pl", "Przyszedł SMS, że mam podać dane karty, żeby odebrać paczkę."),
    ],
)
def test_a_message_asking_for_card_or_bank_details_is_fraud(
    code: str, text: str
) -> None:
    assert "fraud" in language_book().situations(code, text)
    # asking us for an e-mail is not
    assert (
        language_book().situations("nl", "Kunnen jullie mij de factuur mailen?") == []
    )


async def test_a_cancellation_beside_money_worries_is_done_after_the_proof(
    store: DemoStore, own_queue: str
) -> None:
    """Money worries told with a cancellation: the worry heard and a person offered
    before the question for the proof (the question comes last, to be answered),
    and the proof then cancels the order, as without the worry."""
    book = language_book()
    text = (
        "Hallo, das Geld ist diesen Monat sehr knapp, bitte stornieren Sie die "
        f"Bestellung {PROCESSING}."
    )
    assert book.situations("de", text) == ["hardship"]
    _, [question] = await answer(chat("de", ("customer", text)))
    proof = book.say("de", "order.proof", order_id=PROCESSING)
    assert question.endswith(proof), question
    assert book.say("de", "offer_person") in question
    order = await store.order(PROCESSING)
    assert order is not None
    email = (await store.customer(order.customer)).email
    proven = chat(
        "de",
        ("customer", text),
        ("bot", question),
        ("customer", email),
        order_id=PROCESSING,
    )
    events, [said] = await answer(proven)
    order = await store.order(PROCESSING)
    assert order is not None and order.status == OrderStatus.CANCELLED, said
    assert {"event": "pause", "timestamp": None} not in events


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (
            "de",
            "Bitte stornieren Sie 1209384756, ich habe versehentlich zweimal bestellt.",
        ),
        ("es", "Quiero anular el pedido 1209384756, lo pedí dos veces por error."),
        (
            "fr",
            "Annulez la commande 1209384756, j'ai commandé deux fois par erreur.",
        ),
        ("it", "Annullate l'ordine 1209384756, l'ho ordinato due volte per sbaglio."),
        ("nl", "Graag bestelling 1209384756 annuleren, per ongeluk twee keer besteld."),
        ("pt", "Cancelem a encomenda 1209384756, comprei duas vezes sem querer."),
        ("pl", "Proszę anulować 1209384756, przypadkiem kupiłam to dwa razy."),
    ],
)
def test_ordering_twice_by_mistake_is_their_own_mistake_and_is_cancelled(
    code: str, text: str
) -> None:
    """ "I ordered it twice by mistake, cancel it": their own mistake, nothing of
    ours went wrong (no double charge), so the bot cancels it as asked."""
    texts = language_book().languages[code]
    assert not problem_said(texts, text.lower())
    assert wants_cancelled(texts, text)


async def test_a_mild_feeling_beside_a_calm_question_is_heard_and_a_person_offered(
    own_queue: str,
) -> None:
    """ "Schade. Kommen die zwei Pakete gemeinsam an?": the disappointment named,
    then said honestly that there is no sure answer, a person offered; not a person
    brought in unasked. A stronger feeling ("eine Frechheit") still brings one."""
    book = language_book()
    text = "Schade. Kommen die zwei Pakete dann gemeinsam an?"
    assert book.unanswered("de", text)
    tracker = chat("de", ("customer", text))
    _, [said] = await answer(tracker)
    assert said == f"{book.heard('de', text)} {book.say('de', 'unsure')}"
    assert book.heard("de", text)
    assert not await has_ticket(tracker.sender_id)
    assert not book.unanswered("de", "Eine Frechheit. Kommen die Pakete gemeinsam an?")


async def test_a_day_needed_told_right_after_the_state_is_answered_in_time_or_not(
    store: DemoStore, own_queue: str
) -> None:
    """ "Kommer den fram före lördag? ... jag är lite stressad" right after the
    order's state: whether it comes in time (the day compared with its expected
    day, whichever side today's date puts it), after the worry; not a person."""
    book = language_book()
    texts = book.languages["sv"]
    order = await store.order("48213")
    assert order is not None and texts.deadline is not None
    state = book.order_answer("sv", order.values())
    text = "Kommer den fram före lördag? Den är en present och jag är lite stressad."
    tracker = chat(
        "sv",
        ("customer", "Var är min beställning 48213?"),
        ("bot", state),
        ("customer", text),
        customer=owner("48213"),
        order_id="48213",
        verified_customer=owner("48213"),
    )
    events, [said] = await answer(tracker)
    in_time = texts.deadline.said(text.lower(), order.values(), texts.date)
    assert in_time and in_time in said, said
    assert book.heard("sv", text) and said.startswith(book.heard("sv", text))
    assert {"event": "pause", "timestamp": None} not in events


# Whether the money of a cancelled order came back, asked with the word for a
# refund that also names a problem (our own sentences)
CANCELLED_MONEY = {
    "fr": "Ma commande 4471290 a été annulée. Le remboursement a-t-il déjà été fait ?",
    "it": "L'ordine 4471290 è stato annullato: mi avete già rimborsato?",
    "pt": "A encomenda 4471290 foi cancelada. Já fui reembolsada?",
    "pl": "Zamówienie 4471290 zostało anulowane. Czy dostałam już zwrot pieniędzy?",
}


@pytest.mark.parametrize(("code", "text"), sorted(CANCELLED_MONEY.items()))
async def test_the_money_of_a_cancelled_order_asked_with_the_word_refund_is_told(
    code: str, text: str, store: DemoStore, own_queue: str
) -> None:
    """ "Has the refund been made?" about a cancelled order is where the money stands,
    not something that went wrong for a person ("sorry something went wrong")."""
    texts = language_book().languages[code]
    assert asks_money_back(texts, text)
    tracker = chat(code, ("customer", text), customer=owner("4471290"))
    events, [said] = await answer(tracker)
    refund = await store.refund_for("4471290")
    assert refund is not None and refund.amount in said and "4471290" in said
    assert texts.care["problem"] not in said
    assert {"event": "pause", "timestamp": None} not in events
    assert not await has_ticket(tracker.sender_id)
    # a refund word beside what went wrong is still for a person
    assert not asks_money_back(texts, f"{text} {CANCEL_BROKEN[code]}")


CANCEL_BROKEN = {
    "fr": "Et l'autre article est arrivé cassé.",
    "it": "E l'altro articolo è arrivato rotto.",
    "pt": "E o outro artigo chegou partido.",
    "pl": "A drugi produkt przyszedł uszkodzony.",
}


# A cancellation asked of us as a question (a request), and whether the customer
# can cancel (a question of how), in each language (our own sentences)
ASKED_OF_US = [
    ("de", "Können Sie Bestellung 1209384756 bitte stornieren?"),
    ("es", "¿Podéis cancelar el pedido 1209384756?"),
    ("fr", "Pouvez-vous annuler la commande 1209384756 ?"),
    ("it", "Potete annullare l'ordine 1209384756?"),
    ("nl", "Kunt u bestelling 1209384756 annuleren?"),
    ("pt", "Podem cancelar a encomenda 1209384756, por favor?"),
    ("pl", "Czy możecie anulować zamówienie 1209384756?"),
    ("sv", "Kan ni avbeställa beställning 1209384756?"),
]
WHETHER_I_CAN = [
    ("de", "Kann ich die Bestellung 1209384756 noch stornieren?"),
    ("es", "¿Se puede cancelar el pedido 1209384756?"),
    ("fr", "Est-ce que je peux encore annuler la commande 1209384756 ?"),
    ("it", "Si può annullare l'ordine 1209384756?"),
    ("nl", "Kan ik bestelling 1209384756 nog annuleren?"),
    ("pt", "Posso cancelar a encomenda 1209384756?"),
    ("pl", "Czy mogę jeszcze anulować zamówienie 1209384756?"),
    ("sv", "Kan jag avbeställa beställning 1209384756?"),
]


@pytest.mark.parametrize(("code", "text"), ASKED_OF_US)
def test_a_cancellation_asked_of_us_as_a_question_is_a_cancellation(
    code: str, text: str
) -> None:
    texts = language_book().languages[code]
    assert wants_cancelled(texts, text)
    assert "cancel_question" not in topics_asked(texts, text.lower())[0]


@pytest.mark.parametrize(("code", "text"), WHETHER_I_CAN)
def test_whether_the_customer_can_cancel_is_a_question_nothing_cancelled(
    code: str, text: str
) -> None:
    texts = language_book().languages[code]
    assert not wants_cancelled(texts, text)
    assert "cancel_question" in topics_asked(texts, text.lower())[0]


async def test_a_carer_asking_us_to_cancel_is_heard_and_it_is_cancelled_after_proof(
    store: DemoStore, own_queue: str
) -> None:
    """Someone ordering for a relative who cannot manage ("my father has dementia
    and ordered it without realising; could you cancel it, please?"): the illness
    heard, the proof asked, then the order cancelled, not how to cancel it
    oneself and "I won't cancel anything until you ask"."""
    book = language_book()
    text = (
        "O meu pai tem demência e comprou isto sem perceber. Podem cancelar a "
        f"encomenda {PROCESSING}, por favor?"
    )
    _, [question] = await answer(chat("pt", ("customer", text)))
    assert question.endswith(book.say("pt", "order.proof", order_id=PROCESSING))
    order = await store.order(PROCESSING)
    assert order is not None
    email = (await store.customer(order.customer)).email
    proven = chat(
        "pt",
        ("customer", text),
        ("bot", question),
        ("customer", email),
        order_id=PROCESSING,
    )
    events, [said] = await answer(proven)
    order = await store.order(PROCESSING)
    assert order is not None and order.status == OrderStatus.CANCELLED, said
    assert book.say("pt", "cancel_question") not in said


# Whether the money comes back if the order does not come in time: a question of
# what happens then, nothing that went wrong (our own sentences)
IF_NOT_IN_TIME = {
    "de": "Und falls es nicht rechtzeitig kommt, bekomme ich dann eine Erstattung?",
    "es": "¿Y si no llegan a tiempo, me devolvéis el dinero?",
    "fr": "Et si le colis n'arrive pas à temps, est-ce que je serai remboursée ?",
    "it": "E se non arrivano in tempo, posso avere un rimborso?",
    "nl": "En als het niet op tijd komt, krijg ik dan mijn geld terug?",
    "pt": "E se não chegarem a tempo, posso ter o reembolso?",
    "sv": "Och om det inte kommer fram i tid, får jag pengarna tillbaka då?",
}


@pytest.mark.parametrize(("code", "text"), sorted(IF_NOT_IN_TIME.items()))
def test_money_back_asked_of_what_may_happen_is_no_problem(
    code: str, text: str
) -> None:
    """ "If it doesn't come in time, can I have a refund?" is answered with what
    happens then, not "sorry something went wrong with your order" and a person;
    the money demanded ("I want my money back!") is still for a person."""
    book = language_book()
    texts = book.languages[code]
    asked, _ = topics_asked(texts, text.lower())
    assert "problem" not in asked and "if_not" in asked
    reply = book.reply(code, text, lambda number: None)
    assert reply is not None and texts.answers["if_not"] in reply


@pytest.mark.parametrize(
    ("code", "text"),
    [("de", "Ich will mein Geld zurück!"), ("fr", "Je veux être remboursé !")],
)
def test_the_money_demanded_back_is_still_for_a_person(code: str, text: str) -> None:
    texts = language_book().languages[code]
    assert "problem" in topics_asked(texts, text.lower())[0]
