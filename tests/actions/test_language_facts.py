"""Facts applied to a customer writing in another language, in every language with
answers: the day they need the order by compared with its expected day, a return
window that has closed, and what may go wrong told apart from what went wrong
(fixed dates: no clock)."""

from __future__ import annotations

import pytest

from actions.language import language_book
from actions.language_texts import order_text, problem_said, topics_asked

# on its way, expected Wednesday 9 December, asked on Monday 7 December
SHIPPED = {
    "order_id": "228810",
    "status": "shipped",
    "carrier": "PostNL",
    "tracking": "3SABCD1234567",
    "eta": "Wednesday 9 December",
    "late": False,
    "due": "2026-12-09",
    "as_of": "2026-12-07",
}

# (language, needed tomorrow, Tuesday 8 December: too late; needed by Sunday 13: in
# time)
SAID = [
    ("de", "Ich brauche es bis morgen", "Ich brauche es bis Sonntag"),
    ("es", "Lo necesito para mañana", "Lo necesito antes del domingo"),
    ("fr", "J'en ai besoin demain", "J'en ai besoin pour dimanche"),
    ("it", "Mi serve entro domani", "Mi serve entro domenica"),
    ("nl", "Ik heb het morgen nodig", "Ik heb het zondag nodig"),
    ("pt", "Preciso dele até amanhã", "Preciso dele até domingo"),
    ("pl", "Potrzebuję tego na jutro", "Potrzebuję tego do niedzieli"),
    ("sv", "Jag behöver den i morgon", "Jag behöver den till söndag"),
]


@pytest.mark.parametrize(("code", "too_late", "in_time"), SAID)
def test_a_day_needed_is_compared_with_the_expected_day(
    code: str, too_late: str, in_time: str
) -> None:
    texts = language_book().languages[code]
    assert texts.deadline is not None
    plain = order_text(texts, "228810", SHIPPED)
    after = order_text(texts, "228810", SHIPPED, said=too_late)
    before = order_text(texts, "228810", SHIPPED, said=in_time)
    tomorrow = texts.date.format(day="08", month="12")
    sunday = texts.date.format(day="13", month="12")
    assert after == (
        f"{plain} {texts.deadline.texts['after'].format(deadline=tomorrow)}"
    )
    assert before == f"{plain} {texts.deadline.texts['before'].format(deadline=sunday)}"


@pytest.mark.parametrize(("code", "too_late", "in_time"), SAID)
def test_no_day_needed_or_an_order_not_on_its_way_adds_nothing(
    code: str, too_late: str, in_time: str
) -> None:
    texts = language_book().languages[code]
    plain = order_text(texts, "228810", SHIPPED)
    # a day told without needing it then ("it left on Monday") is no deadline
    for day in (too_late.split()[-1], in_time.split()[-1]):
        assert order_text(texts, "228810", SHIPPED, said=day) == plain
    delivered = {**SHIPPED, "status": "delivered"}
    assert order_text(texts, "228810", delivered, said=too_late) == order_text(
        texts, "228810", delivered
    )
    late = {**SHIPPED, "late": True}
    assert order_text(texts, "228810", late, said=too_late) == order_text(
        texts, "228810", late
    )


def test_the_day_itself_is_said_to_leave_no_margin() -> None:
    texts = language_book().languages["de"]
    assert texts.deadline is not None
    said = order_text(texts, "228810", SHIPPED, said="Ich brauche es bis Mittwoch")
    wednesday = texts.date.format(day="09", month="12")
    assert said.endswith(texts.deadline.texts["same_day"].format(deadline=wednesday))


def test_a_deadline_without_a_side_is_a_clear_error() -> None:
    from actions.language_deadline import Deadline

    with pytest.raises(ValueError, match="7 days"):
        Deadline.of({"days": ["a"] * 7, "tomorrow": "x", "need": "y", "after": "z"})


DELIVERED = {
    **SHIPPED,
    "order_id": "651234",
    "status": "delivered",
    "carrier": "DHL",
    "tracking": "JD014600002954",
    "eta": "Friday 30 October",
    "due": "2026-10-30",
    "return_closed": True,
}
# (language, "I'd like to return order 651234")
RETURNS = [
    ("de", "Ich möchte die Bestellung 651234 zurückschicken"),
    ("es", "Quiero devolver el pedido 651234"),
    ("fr", "Je voudrais retourner la commande 651234"),
    ("it", "Vorrei restituire l'ordine 651234"),
    ("nl", "Ik wil bestelling 651234 retourneren"),
    ("pt", "Quero devolver a encomenda 651234"),
    ("pl", "Chcę zwrócić zamówienie 651234"),
    ("sv", "Jag vill returnera order 651234"),
]


@pytest.mark.parametrize(("code", "text"), RETURNS)
def test_a_return_after_the_window_closed_says_so_in_every_language(
    code: str, text: str
) -> None:
    """Delivered more than 30 days ago: that the window has closed and that a fault
    is another matter, not the 30 days and "tell me if it didn't arrive"."""
    book = language_book()
    texts = book.languages[code]
    reply = book.reply(code, text, lambda n: DELIVERED if n == "651234" else None)
    assert reply is not None
    closed = texts.answers["returns_closed"].format(
        **{**DELIVERED, "eta": texts.date.format(day="30", month="10")}
    )
    assert closed in reply
    assert texts.answers["order.delivered"].split(". ")[-1] not in reply
    # within the window: how to return, and only where the order is beside it
    open_ = {**DELIVERED, "return_closed": False}
    reply = book.reply(code, text, lambda n: open_ if n == "651234" else None)
    assert reply is not None and closed not in reply
    beside = order_text(texts, "651234", open_, beside=True)
    assert beside in reply
    assert order_text(texts, "651234", open_) not in reply


# (language, what may happen: nothing went wrong yet; what did happen)
MAY_HAPPEN = [
    (
        "de",
        "Was mache ich, wenn sie kaputt ankommt?",
        "Die Tasse ist kaputt angekommen.",
    ),
    ("es", "¿Y si se rompe en el envío?", "La taza llegó rota."),
    ("fr", "Et s'il arrive cassé ?", "Le vase est arrivé cassé."),
    ("it", "E se si rompe durante il viaggio?", "La tazza è arrivata rotta."),
    ("nl", "Moet ik de doos bewaren voor als hij kapotgaat?", "De mok is kapot."),
    ("pt", "E se a caneca partir no envio?", "A caneca chegou partida."),
    ("pl", "Co jeśli kubek się rozbije?", "Kubek przyszedł rozbity."),
    ("sv", "Vad händer om den går sönder?", "Muggen kom trasig."),
]


@pytest.mark.parametrize(("code", "may", "did"), MAY_HAPPEN)
def test_what_may_go_wrong_is_no_problem_for_a_person(
    code: str, may: str, did: str
) -> None:
    texts = language_book().languages[code]
    assert problem_said(texts, may.lower()) == ""
    assert "problem" not in topics_asked(texts, may.lower())[0]
    assert problem_said(texts, did.lower()) != ""


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("nl", "het koffieset is in scherven aangekomen"),
        ("de", "die kanne kam in scherben an"),
        ("es", "la jarra llegó hecha añicos"),
        ("sv", "kannan kom i bitar"),
        # arrived without a part of it: something missing
        ("pt", "a chaleira chegou sem a base"),
        ("de", "der wasserkocher kam ohne den sockel"),
        ("fr", "la bouilloire est arrivée sans son socle"),
        ("pl", "czajnik przyszedł bez podstawy"),
    ],
)
def test_a_thing_in_pieces_or_without_a_part_is_a_problem(code: str, text: str) -> None:
    texts = language_book().languages[code]
    assert problem_said(texts, text) != ""
