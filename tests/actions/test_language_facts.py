"""Facts applied to a customer writing in another language, in every language with
answers: the day they need the order by compared with its expected day, a return
window that has closed, and what may go wrong told apart from what went wrong
(fixed dates: no clock)."""

from __future__ import annotations

import pytest
import yaml

from actions.language import language_book
from actions.language_texts import order_text, problem_said, topics_asked
from actions.paths import LANGUAGES_FILE

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


# -- what a customer says in their own words: something that stopped working, a stain,
# a double charge, the guarantee ---------------------------------------------------

# Written for these tests, three per language: an item that no longer switches on,
# stopped working after some days or weeks, or does not close, charge, heat or sound.
NOT_WORKING = {
    "de": (
        "Der Wasserkocher geht seit gestern nicht mehr an.",
        "Nach zwei Wochen schaltet sich der Föhn nicht mehr ein.",
        "Der Deckel lässt sich nicht mehr schließen.",
    ),
    "es": (
        "La tostadora no enciende desde ayer.",
        "El hervidor ha dejado de funcionar a las dos semanas.",
        "El cepillo eléctrico ya no carga.",
    ),
    "fr": (
        "La bouilloire ne s'allume plus.",
        "Le mixeur a cessé de fonctionner au bout de trois jours.",
        "Le couvercle ne ferme plus, il s'ouvre tout seul.",
    ),
    "it": (
        "Il bollitore non si accende più.",
        "Il frullatore ha smesso di funzionare dopo tre giorni.",
        "Lo spazzolino elettrico non si carica più.",
    ),
    "nl": (
        "De waterkoker doet het niet meer.",
        "De föhn gaat na een week niet meer aan.",
        "De speaker geeft geen geluid.",
    ),
    "pt": (
        "A chaleira não liga.",
        "A torradeira deixou de funcionar ao fim de duas semanas.",
        "O ferro não aquece.",
    ),
    "pl": (
        "Czajnik nie włącza się.",
        "Suszarka przestała działać po tygodniu.",
        "Radio ciągle się wyłącza.",
    ),
    "sv": (
        "Vattenkokaren fungerar inte längre.",
        "Hårtorken går inte att sätta på.",
        "Mixern slutade fungera efter två veckor.",
    ),
}


def care_for(code: str, kind: str) -> str:
    """The words the language names a kind of problem with (``problems``)."""
    raw = yaml.safe_load(LANGUAGES_FILE.read_text(encoding="utf-8"))
    return str(raw["languages"][code]["problems"][kind]["care"])


@pytest.mark.parametrize(
    ("code", "text"), [(c, t) for c, ts in NOT_WORKING.items() for t in ts]
)
def test_an_item_that_stopped_working_goes_to_a_person(code: str, text: str) -> None:
    """Not the order's delivery state: a person puts it right, after the words for
    an item that stopped working (not that it arrived damaged)."""
    book = language_book()
    texts = book.languages[code]
    care = care_for(code, "not_working")
    assert care != care_for(code, "damaged")
    assert problem_said(texts, text.lower()) == care
    assert "problem" in topics_asked(texts, text.lower())[0]
    assert book.reply(code, text, lambda _: None) is None
    # with the order's number: not "it was delivered on ..."
    assert book.reply(code, f"{text} 651234", lambda _: DELIVERED) is None
    assert book.handoff(code, text).startswith(care)


# Signing in that does not work, with words between ("seit gestern"): a question how
# to sign in, no item that stopped working
LOGIN = {
    "de": "Das Login funktioniert seit gestern nicht mehr.",
    "es": "El inicio de sesión ya no me funciona.",
    "fr": "La connexion au site ne fonctionne plus.",
    "it": "L'accesso al sito non funziona più.",
    "nl": "Het inloggen lukt al twee dagen niet meer.",
    "pt": "O login no site não funciona.",
    "pl": "Logowanie od wczoraj nie działa.",
    "sv": "Inloggningen har inte fungerat sedan i går.",
}


@pytest.mark.parametrize(("code", "text"), LOGIN.items())
def test_signing_in_that_fails_is_no_item_that_stopped_working(
    code: str, text: str
) -> None:
    book = language_book()
    texts = book.languages[code]
    asked, _ = topics_asked(texts, text.lower())
    assert asked == ["password"]
    # heard() reads what went wrong without the words of signing in
    assert book.heard(code, text) == ""
    assert book.reply(code, text, lambda _: None) == texts.answers["password"]


# A calm question about the kettle's size
KETTLE_SIZE = {
    "de": "Wie groß ist der Wasserkocher?",
    "es": "¿Cuánto mide el hervidor?",
    "fr": "Quelle est la taille de la bouilloire ?",
    "it": "Quali sono le dimensioni del bollitore?",
    "nl": "Hoe groot is de waterkoker?",
    "pt": "Qual é o tamanho da chaleira?",
    "pl": "Jakie są wymiary czajnika?",
    "sv": "Hur stor är vattenkokaren?",
}


@pytest.mark.parametrize(("code", "text"), KETTLE_SIZE.items())
def test_a_calm_question_about_the_kettle_is_no_problem(code: str, text: str) -> None:
    """Answered about the item itself, while the kettle that stopped working goes to
    a person."""
    book = language_book()
    texts = book.languages[code]
    assert problem_said(texts, text.lower()) == ""
    assert book.reply(code, text, lambda _: None) == texts.answers["product"]
    broken = NOT_WORKING[code][0]
    assert problem_said(texts, broken.lower()) == care_for(code, "not_working")


# A stain, and a hole or colour gone after a wash
STAINED = {
    "de": (
        "Auf dem Pullover ist ein großer Fleck.",
        "Das Shirt ist nach einer Wäsche verblasst.",
    ),
    "es": (
        "La camiseta tiene una mancha enorme.",
        "El jersey tiene un agujero en la manga.",
    ),
    "fr": (
        "Le pull a une grosse tache.",
        "Le t-shirt est délavé après un seul lavage.",
    ),
    "it": (
        "La maglia ha una macchia enorme.",
        "La maglietta è sbiadita dopo un lavaggio.",
    ),
    "nl": (
        "Er zit een grote vlek op de trui.",
        "Het shirt is na één wasbeurt verkleurd.",
    ),
    "pt": ("A camisola tem uma mancha enorme.", "O casaco tem um buraco na manga."),
    "pl": ("Na swetrze jest duża plama.", "Koszulka wyblakła po jednym praniu."),
    "sv": ("Det är en stor fläck på tröjan.", "Det är ett hål i ärmen."),
}


@pytest.mark.parametrize(
    ("code", "text"), [(c, t) for c, ts in STAINED.items() for t in ts]
)
def test_a_stain_a_hole_or_faded_colour_is_damage(code: str, text: str) -> None:
    book = language_book()
    texts = book.languages[code]
    assert problem_said(texts, text.lower()) == care_for(code, "damaged")
    assert "problem" in topics_asked(texts, text.lower())[0]
    assert book.reply(code, text, lambda _: None) is None


# Charged twice, with words between, and two charges
CHARGED_TWICE = {
    "de": (
        "Mir wurde die Bestellung zweimal von der Karte abgebucht.",
        "Ich sehe zwei Abbuchungen für dieselbe Bestellung.",
    ),
    "es": (
        "Me han cobrado el pedido dos veces.",
        "Veo dos cobros en la tarjeta por el mismo pedido.",
    ),
    "fr": (
        "Vous m'avez débité la commande deux fois.",
        "Je vois deux prélèvements pour la même commande.",
    ),
    "it": (
        "Mi avete addebitato l'ordine due volte.",
        "Vedo due addebiti per lo stesso ordine.",
    ),
    "nl": (
        "Jullie hebben de bestelling twee keer van mijn rekening afgeschreven.",
        "Ik zie twee afschrijvingen voor dezelfde bestelling.",
    ),
    "pt": (
        "Cobraram-me o valor da encomenda duas vezes.",
        "Vejo duas cobranças no cartão pela mesma encomenda.",
    ),
    "pl": (
        "Pobraliście pieniądze za zamówienie dwa razy.",
        "Widzę dwa obciążenia za to samo zamówienie.",
    ),
    "sv": (
        "Ni har dragit 349 kr från kortet två gånger.",
        "Jag ser två dragningar för samma beställning.",
    ),
}


@pytest.mark.parametrize(
    ("code", "text"), [(c, t) for c, ts in CHARGED_TWICE.items() for t in ts]
)
def test_a_double_charge_in_other_words_is_heard(code: str, text: str) -> None:
    book = language_book()
    texts = book.languages[code]
    assert problem_said(texts, text.lower()) == care_for(code, "double_charge")
    assert "problem" in topics_asked(texts, text.lower())[0]
    assert book.reply(code, text, lambda _: None) is None


# An order placed twice by mistake, and paid for: the customer's own mistake
ORDERED_TWICE = {
    "de": "Ich habe die Lampe aus Versehen zweimal bestellt und bezahlt.",
    "es": "Pedí la lámpara dos veces por error y la pagué.",
    "fr": "J'ai commandé la lampe deux fois par erreur et je l'ai payée.",
    "it": "Ho ordinato la lampada due volte per errore e l'ho pagata.",
    "nl": "Ik heb de lamp per ongeluk twee keer besteld en betaald.",
    "pt": "Encomendei a lâmpada duas vezes por engano e paguei.",
    "pl": "Zamówiłem lampę dwa razy przez pomyłkę i zapłaciłem.",
    "sv": "Jag beställde lampan två gånger av misstag och betalade.",
}


@pytest.mark.parametrize(("code", "mistake"), ORDERED_TWICE.items())
def test_ordering_twice_by_mistake_is_no_double_charge(code: str, mistake: str) -> None:
    """The wider words for a double charge (words between "twice" and "charged")
    do not take the customer's own order placed twice for one."""
    texts = language_book().languages[code]
    assert problem_said(texts, mistake.lower()) == ""
    assert "problem" not in topics_asked(texts, mistake.lower())[0]
    charged = CHARGED_TWICE[code][0]
    assert problem_said(texts, charged.lower()) == care_for(code, "double_charge")


# How long the guarantee is, and whether an item is still under it
WARRANTY = {
    "de": (
        "Wie lange habe ich Garantie auf den Wasserkocher?",
        "Ist die Kaffeemaschine noch in der Gewährleistung?",
    ),
    "es": ("¿Cuánto dura la garantía del hervidor?", "¿La cafetera sigue en garantía?"),
    "fr": (
        "Combien de temps dure la garantie de la bouilloire ?",
        "La cafetière est-elle encore sous garantie ?",
    ),
    "it": (
        "Quanto dura la garanzia del bollitore?",
        "La macchina del caffè è ancora in garanzia?",
    ),
    "nl": (
        "Hoe lang is de garantie op de waterkoker?",
        "Valt de koffiemachine nog onder de garantie?",
    ),
    "pt": (
        "Quanto tempo dura a garantia da chaleira?",
        "A máquina de café ainda está na garantia?",
    ),
    "pl": (
        "Jak długo trwa gwarancja na czajnik?",
        "Czy ekspres jest jeszcze na gwarancji?",
    ),
    "sv": (
        "Hur lång är garantin på vattenkokaren?",
        "Hur lång är reklamationsrätten på kaffebryggaren?",
    ),
}


@pytest.mark.parametrize(
    ("code", "text"), [(c, t) for c, ts in WARRANTY.items() for t in ts]
)
def test_the_guarantee_is_answered_in_every_language(code: str, text: str) -> None:
    """The 2-year legal guarantee from delivery, a longer one of some brands, and a
    person from our team who puts right what stops working (faq.yml)."""
    book = language_book()
    texts = book.languages[code]
    answer = texts.answers["warranty"]
    assert book.reply(code, text, lambda _: None) == answer
    assert book.general(code, text) == answer
    assert "2" in answer and not answer.rstrip().endswith("?")
    assert texts.team is not None and texts.team.search(answer.lower())


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Wie lange ist die Garantie auf die Waschmaschine?"),
        ("es", "¿Cuántos años de garantía tiene la lavadora?"),
        ("nl", "Hoe lang is de garantie op de wasmachine?"),
    ],
)
def test_the_guarantee_on_an_item_is_no_question_about_the_item(
    code: str, text: str
) -> None:
    """A washing machine named (the words of the ``product`` topic): the guarantee
    is what is asked, not the product page (actions/language_topics.py)."""
    book = language_book()
    assert (
        book.reply(code, text, lambda _: None)
        == book.languages[code].answers["warranty"]
    )


@pytest.mark.parametrize(
    ("text", "angry"),
    [
        # "that is enough for me", with thanks: satisfied, no anger to hear
        ("Danke, das reicht mir.", False),
        ("Es reicht mir jetzt, seit drei Wochen warte ich!", True),
    ],
)
def test_enough_for_me_is_no_anger_but_enough_is(text: str, angry: bool) -> None:
    heard = language_book().heard("de", text)
    assert ("Ärger" in heard) is angry, heard
