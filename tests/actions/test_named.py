"""A country or a way to pay named in a question gets a plain yes or no first, in
English and in every language we answer in (data/store/delivery.yml,
data/store/payments.yml; actions/delivery.py, actions/payments.py)."""

from __future__ import annotations

import pytest

from actions.delivery import (
    delivery_reach,
    named_country,
    named_destination,
    named_place,
)
from actions.language import language_book
from actions.payments import named_in
from actions.replies import reply_book


@pytest.mark.parametrize(
    ("text", "code", "reach"),
    [
        ("could you send a parcel to finland?", "FI", "abroad"),
        ("Versenden Sie auch nach Dänemark?", "DK", "abroad"),
        ("Czy dostarczacie do Szwecji?", "SE", "abroad"),  # a Polish case ending
        ("Skickar ni till Norge?", "NO", "abroad"),
        ("Entregam em Portugal?", "PT", "abroad"),
        ("do you deliver to australia", "AU", "no"),  # no list names it: not ours
        ("Hacéis envíos a Argentina?", "AR", "no"),
        ("Wie lange dauert der Versand nach Deutschland?", "DE", "home"),
        ("I'm in Germany, could you ship to Croatia?", "HR", "abroad"),  # where it goes
    ],
)
def test_a_country_is_known_in_any_of_our_languages(
    text: str, code: str, reach: str
) -> None:
    place = named_place(text)
    assert place is not None
    assert (place.code, place.reach) == (code, reach)


@pytest.mark.parametrize(
    "text",
    [
        "can I send it back to us",  # "us" is not the US
        "the mug arrived chipped",
        "Ireland or Spain, which is cheaper?",  # two, and nothing says where it goes
    ],
)
def test_no_country_where_none_is_asked_about(text: str) -> None:
    assert named_place(text) is None


def test_a_country_is_written_our_way() -> None:
    assert delivery_reach("uk") == ("abroad", "the UK")
    assert delivery_reach("Lisbon") == ("abroad", "Lisbon in Portugal")  # a town
    assert delivery_reach("Qwertyville") == (None, "Qwertyville")  # no place we know
    place = named_place("wysyłka do Norwegii?")
    assert place is not None
    assert place.written("pl") == "Norwegia"
    assert place.written("sv") == "Norge"
    assert place.written() == "Norway"
    assert named_country("my china teapot") is None  # no word of where it goes


@pytest.mark.parametrize(
    ("text", "language", "answer"),
    [
        ("Can I pay with Bancontact?", "en", ("no", "Bancontact")),
        ("paypal??", "en", ("yes", "PayPal")),
        ("is amex or visa ok", "en", ("yes", "American Express or Visa")),
        ("visa or blik?", "en", ("no", "BLIK")),  # the one we do not take first
        ("Kann ich per Nachnahme zahlen?", "de", ("no", "Nachnahme")),
        ("Puedo pagar con transferencia?", "es", ("yes", "transferencia bancaria")),
        ("kann ich das sofort bestellen?", "de", None),  # "sofort" is "at once"
    ],
)
def test_a_way_to_pay_is_known_with_its_verdict(
    text: str, language: str, answer: tuple[str, str] | None
) -> None:
    assert named_in(text, language) == answer


def test_english_answers_a_named_way_to_pay_yes_or_no() -> None:
    book = reply_book()
    assert book.specific_key("check_payment_methods", "do you take Twint?") == (
        "check_payment_methods_named_no"
    )
    assert book.specific_key("check_payment_methods", "google pay ok?") == (
        "check_payment_methods_named_yes"
    )
    said = book.pick("check_payment_methods_named_no", payment_method="Twint")
    assert "Twint" in said
    assert "PayPal" in said  # what we do take, after it


@pytest.mark.parametrize(
    ("language", "text", "opens", "then"),
    [
        ("nl", "Kan ik met Bancontact betalen?", "Nee, Bancontact", "Visa"),
        ("de", "Geht auch Apple Pay?", "Ja, Apple Pay", None),
        ("fr", "Est-ce que vous livrez au Canada ?", "Désolé, nous n'y livrons", None),
        ("it", "Spedite anche in Austria?", "Lì spediamo", "5–10"),
        ("pt", "Fazem entregas na Irlanda?", "Enviamos para lá", None),
        ("sv", "Kan jag betala med Swish?", "Nej, Swish", "Klarna"),
        ("sv", "Levererar ni till Australien?", "Dit levererar vi tyvärr inte", None),
    ],
)
def test_another_language_answers_a_named_country_or_way_to_pay(
    language: str, text: str, opens: str, then: str | None
) -> None:
    said = language_book().reply(language, text, lambda _n: None)
    assert said is not None
    assert said.startswith(opens)
    assert said.count(opens) == 1  # said once, however many words name it
    if then:
        assert then in said


def test_a_named_way_to_pay_beside_an_order_is_no_payment_question() -> None:
    """ "Ich habe mit PayPal bezahlt, wo ist meine Bestellung?": the order, not
    whether PayPal works."""
    said = language_book().reply(
        "de", "Ich habe mit PayPal bezahlt, wo ist meine Bestellung?", lambda _n: None
    )
    assert said is None or "PayPal ist bei uns" not in said


# Written for this test: a customs question in each language, with a country named
CUSTOMS = {
    "de": "Muss ich bei einer Lieferung nach Norwegen Zoll zahlen?",
    "es": "¿Hay que pagar aduana si me lo mandan a Suiza?",
    "fr": "Faut-il payer des droits de douane pour une livraison en Norvège ?",
    "it": "Ci sono dazi da pagare per il Regno Unito?",
    "nl": "Moet ik invoerrechten betalen als het naar Zwitserland gaat?",
    "pt": "Tenho de pagar alfândega se for para a Noruega?",
    "pl": "Czy przy wysyłce do Szwajcarii trzeba zapłacić cło?",
    "sv": "Måste jag betala tull om paketet skickas till Norge?",
}


@pytest.mark.parametrize("language", sorted(CUSTOMS))
def test_customs_are_answered_in_every_language_not_as_payment(language: str) -> None:
    """Who pays import duties: the customs answer alone, not the ways to pay nor
    whether we deliver there."""
    texts = language_book().languages[language]
    said = language_book().reply(language, CUSTOMS[language], lambda _n: None)
    assert said == texts.answers["customs"]


@pytest.mark.parametrize("language", ["de", "es", "fr", "it", "nl", "pt", "pl", "sv"])
def test_the_returns_answer_says_returning_is_free(language: str) -> None:
    returns = language_book().languages[language].answers["returns"]
    free = ("kostenlos", "gratuita", "gratuit", "gratis", "bezpłatny", "kostnadsfri")
    assert any(word in returns for word in free)


# Written for this test: adding to or changing an order, in each language
CHANGE = {
    "de": "Kann ich meiner Bestellung noch etwas hinzufügen?",
    "es": "¿Puedo añadir otra cosa a mi pedido?",
    "fr": "Est-ce que je peux encore ajouter un article à ma commande ?",
    "it": "Posso ancora aggiungere qualcosa all'ordine?",
    "nl": "Kan ik nog iets toevoegen aan mijn bestelling?",
    "pt": "Ainda posso acrescentar um artigo à encomenda?",
    "pl": "Czy mogę jeszcze dodać coś do zamówienia?",
    "sv": "Kan jag lägga till något i min beställning?",
}


@pytest.mark.parametrize("language", sorted(CHANGE))
def test_adding_to_an_order_is_answered_not_its_state_again(language: str) -> None:
    """ "Can I still add something to my order?": how, while it is with us; not the
    order's state again (in the chat, and while waiting for a person)."""
    book = language_book()
    change = book.languages[language].answers["change"]
    assert book.reply(language, CHANGE[language], lambda _n: None) == change
    assert book.general(language, CHANGE[language]) == change


# Written for this test: whether an order could be cancelled, in each language
COULD_CANCEL = {
    "de": "Könnte ich die Bestellung stornieren, falls sie zu spät kommt?",
    "es": "¿Podría cancelar el pedido si no llega a tiempo?",
    "fr": "Est-ce que je pourrais annuler la commande si elle arrive trop tard ?",
    "it": "Potrei annullare l'ordine se non arriva in tempo?",
    "nl": "Kan ik de bestelling annuleren als ze te laat komt?",
    "pt": "Posso cancelar a encomenda se não chegar a tempo?",
    "pl": "Czy mógłbym anulować zamówienie, jeśli nie dotrze na czas?",
    "sv": "Skulle jag kunna avbryta beställningen om den inte kommer i tid?",
}


@pytest.mark.parametrize("language", sorted(COULD_CANCEL))
def test_whether_an_order_could_be_cancelled_is_answered(language: str) -> None:
    """A question whether it could be cancelled gets whether and how (nothing is
    cancelled); a request to cancel still goes to a person."""
    book = language_book()
    said = book.reply(language, COULD_CANCEL[language], lambda _n: None)
    assert said is not None
    assert book.languages[language].answers["cancel_question"] in said


def test_it_has_not_come_yet_is_answered_with_where_it_is() -> None:
    """ "Still not here after ten days" with its number: the order's state (late
    words are no problem for a person), unless it says delivered."""
    book = language_book()
    shipped = {
        "order_id": "70001",
        "status": "shipped",
        "eta": "Monday 7 December",
        "carrier": "DHL",
        "tracking": "T1",
        "late": False,
    }
    text = "Moje zamówienie 70001 wciąż nie dotarło, minął tydzień."
    said = book.reply("pl", text, lambda _n: shipped)
    assert said is not None and "70001" in said
    delivered = {**shipped, "status": "delivered"}
    assert book.reply("pl", text, lambda _n: delivered) is None


@pytest.mark.parametrize(
    ("text", "language", "code", "reach", "named"),
    [
        ("how much is shipping to leeds?", "en", "GB", "abroad", "Leeds in the UK"),
        ("Do you deliver to Valencia?", "en", "ES", "abroad", "Valencia in Spain"),
        (
            "shipping to the hague pls",
            "en",
            "NL",
            "abroad",
            "The Hague in the Netherlands",
        ),
        ("I live in Hamburg, how fast is it?", "en", "DE", "home", "Hamburg"),
        (
            "Hoe lang duurt het naar Eindhoven?",
            "nl",
            "NL",
            "abroad",
            "Eindhoven in the Netherlands",
        ),
        ("¿Cuánto tarda un envío a Bilbao?", "es", "ES", "abroad", "Bilbao in Spain"),
        (
            "Combien de temps pour une livraison à Lyon ?",
            "fr",
            "FR",
            "abroad",
            "Lyon in France",
        ),
        ("Wie lange braucht ein Paket nach Köln?", "de", "DE", "home", "Köln"),
        ("do you send parcels to Chicago?", "en", "US", "no", "Chicago in the US"),
    ],
)
def test_a_town_stands_for_its_country(
    text: str, language: str, code: str, reach: str, named: str
) -> None:
    """A town where a parcel goes is a place in its country (GeoNames): a town in
    a country we deliver to before a larger one elsewhere ("Valencia")."""
    place = named_destination(text, language)
    assert place is not None
    assert (place.code, place.reach, place.named()) == (code, reach, named)


@pytest.mark.parametrize(
    "text",
    [
        "can I switch to the Gold account before it ships?",  # "Gold" of "Gold Coast"
        "I don't know how I can see the delivery cost",  # "can" after "I" is no town
        "is the invoice from Hamburg or from you?",  # "from" is not where it goes
        "could a human tell me the delivery time?",  # "a" is the English article
        "how long to deliver to my mum?",
        "can you send it to my work address instead?",
    ],
)
def test_no_town_where_none_is_named(text: str) -> None:
    assert named_destination(text, "en") is None
