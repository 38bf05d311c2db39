"""Language detection on our own sentences, the texts per language, and a non-English
message handed to a person in that language (real Redis queue)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.delivery import named_destination
from actions.emotion import Decision
from actions.emotion.policy import answer_first_situations
from actions.empathy import empathy_book
from actions.handoff import for_language, handoff_queue
from actions.language import LANGUAGES_FILE, LanguageBook, language_book
from actions.language_care import NAMED
from actions.language_detection import MIN_WORDS, conversation_language, detect
from actions.language_texts import problem_said, topics_asked
from actions.mood import assess
from actions.numbers import find_number
from actions.store import store
from actions.unclear import ActionNotUnderstood
from bot import reach
from bot.handoff import Agent, Customer, HandoffRequest, Presence, UrgencyFlag
from bot.handoff.errors import UnknownTicket
from tests.actions.conftest import load_tracker, owner, says_nobody_online
from tests.actions.test_offers import conversation
from tests.hours import closed_for_days

DOMAIN: dict = {}
SUPPORTED = ("de", "es", "fr", "it", "nl", "pt", "pl", "sv")

# Written for these tests: formal and casual, with and without order numbers, e-mail
# addresses and names. None of them was used to choose the thresholds; one English
# sentence with a Polish name made us leave such names out (``clean``).
FOREIGN = {
    "de": [
        "Sehr geehrte Damen und Herren, ich habe meine Bestellung 77120 noch nicht "
        "erhalten.",
        "Wann wird mein Paket geliefert? Ich warte schon seit Montag.",
        "ey, wo bleibt meine lieferung, das dauert ewig",
        "Könnten Sie mir bitte die Rechnung noch einmal schicken? Meine Adresse ist "
        "jonas.weber@example.de",
        "Ich möchte die Schuhe zurückgeben, sie sind zu klein.",
        "Mein Kundenkonto ist gesperrt und ich komme nicht mehr rein.",
        "Kann ich bitte mit einem echten Menschen sprechen?",
        "Die Ware ist beschädigt angekommen, Bestellnummer 5520174.",
        "Guten Abend, ich habe zweimal bezahlt und möchte das Geld zurück.",
        "Hallo, Jürgen hier, ich finde meine Rechnung nicht mehr.",
    ],
    "es": [
        "Estimados señores, todavía no he recibido el pedido 77120.",
        "¿Cuándo me van a entregar el paquete? Llevo esperando desde el lunes.",
        "oye, mi pedido no llega nunca, qué pasa",
        "¿Podrían enviarme otra vez la factura? Mi dirección es lucia.perez@example.es",
        "Quisiera devolver la chaqueta porque no me queda bien.",
        "No puedo entrar en mi cuenta, me dice que la contraseña es incorrecta.",
        "¿Puedo hablar con una persona de verdad, por favor?",
        "El producto ha llegado roto, número de pedido 5520174.",
        "Buenas tardes, me han cobrado dos veces y quiero que me devuelvan el dinero.",
        "Hola, soy Begoña y no encuentro mi factura.",
    ],
    "fr": [
        "Madame, Monsieur, je n'ai pas encore reçu la commande 77120.",
        "Quand est-ce que mon colis sera livré ? J'attends depuis lundi.",
        "franchement, ma livraison n'arrive jamais, c'est quoi le problème",
        "Pourriez-vous me renvoyer la facture ? Mon adresse est "
        "claire.martin@example.fr",
        "Je souhaiterais retourner les chaussures, elles sont trop petites.",
        "Est-il possible de parler à un vrai conseiller, s'il vous plaît ?",
        "L'article est arrivé cassé, numéro de commande 5520174.",
        "Bonsoir, j'ai été débité deux fois et je voudrais être remboursé.",
        "Bonjour, c'est Hélène, je ne trouve plus ma facture.",
    ],
    "it": [
        "Gentili signori, non ho ancora ricevuto l'ordine 77120.",
        "Salve, dov'è finito il mio pacco 48213?",  # short: less sure, far ahead
        "Quando verrà consegnato il mio pacco? Aspetto da lunedì.",
        "senti, la mia consegna non arriva mai, che succede",
        "Potreste inviarmi di nuovo la fattura? Il mio indirizzo è "
        "giulia.rossi@example.it",
        "Vorrei restituire le scarpe perché sono troppo piccole.",
        "Non riesco più ad accedere al mio account.",
        "Posso parlare con una persona vera, per cortesia?",
        "L'articolo è arrivato rotto, numero d'ordine 5520174.",
        "Buonasera, mi avete addebitato due volte e vorrei il rimborso.",
        "Salve, sono Niccolò e non trovo più la mia fattura.",
    ],
    "nl": [
        "Geachte heer of mevrouw, ik heb bestelling 77120 nog steeds niet ontvangen.",
        "Wanneer wordt mijn pakket bezorgd? Ik wacht al sinds maandag.",
        "joh, mijn levering komt maar niet, wat is er aan de hand",
        "Kunt u de factuur nog een keer sturen? Mijn adres is sanne.devries@example.nl",
        "Ik wil de schoenen terugsturen, ze zijn te klein.",
        "Ik kan niet meer inloggen op mijn account.",
        "Kan ik alstublieft met een echte medewerker spreken?",
        "Het artikel is kapot aangekomen, bestelnummer 5520174.",
        "Goedenavond, ik heb twee keer betaald en wil mijn geld terug.",
        "Hoi, met Anouk, ik kan mijn factuur niet meer vinden.",
    ],
    "pt": [
        "Prezados senhores, ainda não recebi a encomenda 77120.",
        "Quando é que o meu pacote vai ser entregue? Estou à espera desde "
        "segunda-feira.",
        "olha, minha entrega nunca chega, o que está acontecendo",
        # a capital with an accent that starts the message is no name
        "Olá, aceitam PayPal?",
        "Podem enviar-me novamente a fatura? O meu endereço é ana.silva@example.pt",
        "Gostaria de devolver os sapatos porque são pequenos demais.",
        "Não consigo entrar na minha conta.",
        "Posso falar com uma pessoa de verdade, por favor?",
        "O artigo chegou partido, número da encomenda 5520174.",
        "Boa noite, fui cobrado duas vezes e quero o meu dinheiro de volta.",
        "Olá, é a Conceição, não encontro a minha fatura.",
    ],
    "pl": [
        "Szanowni Państwo, nadal nie otrzymałam zamówienia 77120.",
        "Kiedy zostanie dostarczona moja paczka? Czekam od poniedziałku.",
        "słuchajcie, moja przesyłka w ogóle nie dochodzi, co się dzieje",
        "Czy mogą Państwo ponownie wysłać fakturę? Mój adres to anna.nowak@example.pl",
        "Chciałabym zwrócić buty, bo są za małe.",
        "Nie mogę się zalogować do swojego konta.",
        "Czy mogę porozmawiać z prawdziwym człowiekiem?",
        "Towar dotarł uszkodzony, numer zamówienia 5520174.",
        "Dobry wieczór, zapłaciłem dwa razy i proszę o zwrot pieniędzy.",
        "Cześć, tu Małgorzata, nie mogę znaleźć faktury.",
    ],
    "sv": [
        "Hej! Min beställning 77120 har fortfarande inte kommit fram.",
        "När kommer mitt paket? Jag har väntat sedan i måndags.",
        "asså var är mitt paket, det tar ju en evighet",
        "Kan ni skicka fakturan igen? Min mejl är elin.lindberg@example.se",
        "Jag vill returnera skorna, de är för små.",
        "Jag kommer inte in på mitt konto längre.",
        "Kan jag få prata med en riktig människa, tack?",
        "Varan kom fram trasig, ordernummer 5520174.",
        "God kväll, jag har betalat två gånger och vill ha pengarna tillbaka.",
        "Hej, det är Åsa, jag hittar inte min faktura.",
        "hej var ar mitt paket? jag har vantat i tva veckor",  # no å, ä, ö
    ],
}
ENGLISH = [
    "Hello, my order 77120 still hasn't arrived.",
    "When will my parcel be delivered? I've been waiting since Monday.",
    "Could you send me the invoice again? my email is jonas.weber@example.de",
    "I'd like to return the shoes, they're too small.",
    "Can I talk to a real person please",
    "My name is Łukasz Wiśniewski and I can't log into my account",
    "Hi, I'm François, my package arrived damaged",
    "I ordered the Bella Vista espresso cups, where are they?",
    "wheres my stuff, its been ages",
    "recieved the wrong colour, can i exchange it",
    "The courier left it at Café Müller next door, is that normal?",
    "Do you deliver to São Paulo or Málaga?",
    "thank you so much, danke schön",
    "please help, my refund never came",
    "Ciao, just wanted to say the delivery was quick.",
    "I'm still waiting!!! order 5520174",
    "how long does a refund take",
    "Do you have a German-speaking agent?",
    "THE PARCEL IS LOST AND NOBODY HELPS ME",
    "my order nummer is 48213",
    "Hello, this is Søren Kierkegaard, I was charged twice.",
    "Małgorzata here, I can't find my invoice anywhere",
    "Please send the parcel to Zoë Ørsted instead",
    "I was charged twice, can you refund one payment?",
    "Begoña Muñoz ordered this as a gift for me, where is it?",
    "Hi it's Anouk, the tracking link doesn't work",
    "my invoice says Größe L but I ordered M",
    "the jacket is lovely, merci beaucoup",
    "Is the Señorita dress still available in red?",
    "can Niccolò pick up the order for me?",
]
SHORT = [
    "ok",
    "hallo",
    "48213",
    "merci",
    "Grazie",
    "Hola",
    "bitte",
    "ja",
    "nee",
    "Jonas Weber",
    "Bestellnummer 48213",
    "pedido 5520174 gracias",
    "Danke sehr",
    "dzięki",
    "obrigado",
    "s'il vous plaît",
    "https://example.com/track?id=48213",
    "claire.martin@example.fr",
    "Order #48213",
    "",
]


# Too close to call (English at 0.11), so left to the bot: the price of never sending
# an English speaker a foreign text.
KNOWN_MISS = pytest.param(
    "fr",
    "Je n'arrive plus à me connecter à mon compte client.",
    marks=pytest.mark.xfail(reason="lingua gives English 0.11", strict=True),
)


@pytest.mark.parametrize(
    ("code", "text"),
    [*((c, t) for c, texts in FOREIGN.items() for t in texts), KNOWN_MISS],
)
def test_a_message_in_another_language_is_recognised(code: str, text: str) -> None:
    assert detect(text) == code


@pytest.mark.parametrize(
    ("code", "text"),
    [
        # lingua alone is unsure (a neighbouring language close behind), but the
        # language's own words for a question or a topic settle it
        ("nl", "Goedendag, hoe kan ik mijn pakket retourneren?"),
        ("pt", "Bom dia, queria falar com um atendente, se faz favor."),
        # slang spreads lingua over three languages (Dutch first): the one whose own
        # words it uses ("mi paquete")
        ("es", "holaa q tal, mi paquete 300418862 dnd anda?? 🙏"),
    ],
)
def test_a_language_s_own_words_settle_a_close_call(code: str, text: str) -> None:
    assert detect(text) == code


@pytest.mark.parametrize("text", ENGLISH)
def test_english_is_english_even_with_a_foreign_name_or_word(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize("text", SHORT)
def test_short_or_ambiguous_messages_are_not_guessed(text: str) -> None:
    assert detect(text) is None


def test_a_language_without_texts_still_counts_as_not_english() -> None:
    assert detect("Hej, jeg har stadig ikke modtaget min pakke.") == "da"
    assert language_book().name("da") == "Danish"
    assert language_book().waiting("da", "position", {"position": 2}) is None


def test_numbers_addresses_and_links_do_not_count_as_words() -> None:
    assert MIN_WORDS == 3
    assert detect("Bestellung 48213 https://example.com/a/b jonas@example.de") is None


# -- the texts ------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"{(\w+)}")


def test_every_language_has_every_queue_text_with_the_same_placeholders() -> None:
    english = empathy_book().data["queue"]
    book = language_book()
    assert set(SUPPORTED) <= set(book.languages)
    for code, texts in book.languages.items():
        assert texts.name and "!" not in texts.handoff, code
        assert set(texts.queue) == set(english), code
        for key, text in texts.queue.items():
            want = {p for t in english[key] for p in PLACEHOLDER.findall(t)}
            assert set(PLACEHOLDER.findall(text)) == want, (code, key)
            assert "!" not in text, (code, key)
        assert set(PLACEHOLDER.findall(texts.opens)) == {"day", "month", "time", "zone"}


def test_the_gateway_texts_exist_in_every_language() -> None:
    raw = yaml.safe_load(
        (Path(__file__).parents[2] / "data" / "replies" / "languages.yml").read_text(
            encoding="utf-8"
        )
    )
    for code in SUPPORTED:
        entry = raw["languages"][code]
        assert "{contact}" in entry["follow_up_saved"], code
        assert "!" not in entry["waiting_for_person"] + entry["follow_up_saved"], code


# -- the handoff ----------------------------------------------------------------------


# the kinds of trouble every language names, in the order they are looked for
PROBLEM_KINDS = [
    "repeated",
    "double_charge",
    "not_working",
    "damaged",
    "wrong_item",
    "missing",
    "late",
]

PAUSED = [
    {"event": "slot", "timestamp": None, "name": "handoff", "value": True},
    {"event": "pause", "timestamp": None},
]


async def test_a_german_customer_is_answered_in_german_and_handed_over(
    own_queue: str,
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("german_out_of_scope")
    events = await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    assert events == [*assess(tracker).events, *PAUSED]
    [message] = dispatcher.messages
    german = language_book().languages["de"]
    # what went wrong, named (it is late: "immer noch nicht angekommen"); nobody
    # is online in the test queue, and the customer is told so, in German
    late = dict(zip(PROBLEM_KINDS, german.problems, strict=True))["late"][1]
    assert late == "Es tut mir leid, dass Ihre Bestellung noch nicht bei Ihnen ist."
    assert message["text"] == (
        f"{late} {german.handoff} {reach.written(german.queue['no_agent_online'])}"
    )
    ticket = await handoff_queue().ticket(tracker.sender_id)
    assert ticket.slots == {"order_id": "48213", "language": "de"}
    assert ticket.reasons[0] == "language"
    assert ticket.explanation.startswith("Customer writes in German.")
    assert ticket.skill == ""  # no one has lang:de: anyone may take it


async def test_the_ticket_needs_lang_de_when_a_german_speaker_is_at_work(
    own_queue: str,
) -> None:
    queue = handoff_queue()
    await queue.register_agent(Agent("greta", "Greta", skills=frozenset({"lang:de"})))
    tracker = load_tracker("german_out_of_scope")
    await ActionNotUnderstood().run(CollectingDispatcher(), tracker, DOMAIN)
    # Greta is not signed in: anyone may take the chat (it would wait for her)
    assert (await queue.ticket(tracker.sender_id)).skill == ""
    await queue.set_presence("greta", Presence.ONLINE)
    another = load_tracker("german_out_of_scope")
    another.sender_id = f"{tracker.sender_id}-later"
    await ActionNotUnderstood().run(CollectingDispatcher(), another, DOMAIN)
    assert (await queue.ticket(another.sender_id)).skill == "lang:de"


async def test_a_swedish_customer_with_an_order_and_a_question_is_answered_in_swedish(
    own_queue: str,
) -> None:
    """Swedish has texts now: where order 48213 is and how to return it, in
    Swedish, from the bot itself; no person brought in unasked."""
    text = (
        "Hej, var är min beställning 48213? "
        "Och kan jag returnera den om den inte passar?"
    )
    assert detect(text) == "sv"
    tracker = conversation(
        [("customer", text, "nlu_fallback")], "web-sv-order", customer=owner("48213")
    )
    events, [said] = await answer(tracker)
    swedish = language_book().languages["sv"]
    order = await store().order("48213")
    assert order is not None
    shipped = swedish.answers["order.shipped"].format(
        order_id="48213",
        carrier=order.carrier,
        tracking=order.tracking,
        eta=swedish.date.format(**due(order.eta)),
    )
    assert said == f"{swedish.answers['returns']} {shipped}"
    assert {"event": "pause", "timestamp": None} not in events
    assert not await has_ticket(tracker.sender_id)


async def test_a_swedish_customer_asking_for_a_person_is_handed_over_in_swedish(
    own_queue: str,
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("german_out_of_scope")
    asked = "Hej, kan jag få prata med en riktig person om min beställning 48213?"
    tracker.latest_message["text"] = asked
    events = await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert events[-2:] == PAUSED
    swedish = language_book().languages["sv"]
    # a person asked for is granted ("Självklart."), then the handoff and where
    # they stand, all in Swedish; nobody is online in the test queue
    assert message["text"] == (
        f"{swedish.sure} {swedish.handoff} "
        f"{reach.written(swedish.queue['no_agent_online'])}"
    )
    assert not message["text"].startswith(language_book().fallback_handoff)
    ticket = await handoff_queue().ticket(tracker.sender_id)
    assert ticket.slots["language"] == "sv"
    assert ticket.explanation.startswith("Customer writes in Swedish.")


async def test_a_language_without_texts_gets_the_english_fallback(
    own_queue: str,
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("german_out_of_scope")
    danish = "Hej, jeg har stadig ikke fået min pakke. Kan jeg tale med en medarbejder?"
    tracker.latest_message["text"] = danish
    events = await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    assert events[-2:] == PAUSED
    [message] = dispatcher.messages
    assert message["text"].startswith(language_book().fallback_handoff)
    assert says_nobody_online(message["text"])
    ticket = await handoff_queue().ticket(tracker.sender_id)
    assert ticket.slots["language"] == "da"
    assert ticket.explanation == "Customer writes in Danish."


async def test_outside_business_hours_the_time_is_written_the_german_way(
    own_queue: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "handoff.yml"
    closed_for_days(config)  # back in five days at 07:30 Berlin time
    monkeypatch.setenv("HANDOFF_CONFIG", str(config))
    handoff_queue.cache_clear()
    dispatcher = CollectingDispatcher()
    await ActionNotUnderstood().run(
        dispatcher, load_tracker("german_out_of_scope"), DOMAIN
    )
    [message] = dispatcher.messages
    assert re.search(r"wieder am \d\d\.\d\d\. um 07:30 Uhr \(Berlin\)", message["text"])
    assert "Telefonnummer oder E-Mail-Adresse" in message["text"]


@pytest.mark.parametrize(
    ("code", "text", "kind"),
    [
        (
            "de",
            "Mein Vater ist letzte Woche gestorben, bitte stornieren Sie sein Abo",
            "bereavement",
        ),
        ("es", "Mi hija se ha quemado la mano con la plancha que compré", "injury"),
        # a husband who "è mancato", a job just lost
        (
            "it",
            "Mio marito è mancato il mese scorso, vorrei chiudere il suo account",
            "bereavement",
        ),
        ("es", "Me he quedado sin trabajo y necesito ese dinero", "hardship"),
        # an elderly customer, or one not at home with computers: taken slowly
        (
            "de",
            "Ich bin 83 Jahre alt und komme mit dem Online-Formular nicht zurecht",
            "vulnerable",
        ),
        (
            "pl",
            "Mam 81 lat i nie radzę sobie z komputerem, gdzie jest paczka",
            "vulnerable",
        ),
        # a disability, told of themselves (not "the blind" the shop sells)
        (
            "de",
            "Ich bin sehbehindert und finde das Rücksendeformular nicht",
            "vulnerable",
        ),
        (
            "nl",
            "Ik ben slechtziend en mijn schermlezer leest de site niet",
            "vulnerable",
        ),
        (
            "sv",
            "Jag är synskadad och skärmläsaren fungerar inte på sidan",
            "vulnerable",
        ),
        # a plug melted, the flat nearly caught fire: a hazard before anyone is hurt
        ("es", "La lámpara se calentó tanto que derritió el cable", "hazard"),
        ("es", "La estufa casi nos incendia el salón anoche", "hazard"),
        (
            "fr",
            "Il y a une commande sur mon compte, ce n'est pas moi, c'est une arnaque",
            "fraud",
        ),
        ("it", "Non ce la faccio più, il pacco non arriva mai", "distress"),
        ("nl", "Mijn moeder is overleden en het cadeau was voor haar", "bereavement"),
        ("pt", "Nunca encomendei isto, acho que é um golpe", "fraud"),
        ("pl", "Moja mama zmarła, a zamówienie było dla niej", "bereavement"),
        # a stay in hospital is about health; only a hurt that happened is an injury
        (
            "de",
            "Meine Frau ist seit gestern im Krankenhaus, ich mache alles allein",
            "health",
        ),
        ("es", "Estoy en el hospital y no puedo recoger el paquete", "health"),
        ("de", "Mein Sohn hat sich am Wasserkocher verbrannt", "injury"),
        # a card or bank details handed to a fake message
        (
            "fr",
            "J'ai répondu à un faux message et j'ai donné mes coordonnées bancaires",
            "fraud",
        ),
        ("fr", "Il y a des débits inconnus sur mon relevé", "fraud"),
        # a death said gently, a rash, a password given to a fake message
        ("it", "Mio padre ci ha lasciati la settimana scorsa", "bereavement"),
        ("es", "Mi abuela falleció y el pedido era para ella", "bereavement"),
        ("pl", "Po tych butach córka ma wysypkę na nogach", "injury"),
        ("nl", "Mijn zoon heeft blaren van die laarzen", "injury"),
        ("pt", "Dei a minha senha num site que parecia o vosso", "fraud"),
        ("de", "Ich habe auf eine gefälschte E-Mail mein Passwort angegeben", "fraud"),
    ],
)
def test_something_serious_is_heard_in_the_customers_language(
    code: str, text: str, kind: str
) -> None:
    book = language_book()
    assert kind in book.situations(code, text)
    if kind == "health":
        assert "injury" not in book.situations(code, text)
    said = book.handoff(code, text)
    # naming the one it happened to when "my" names them (actions/language_care.py)
    care = book.care(code, book.situations(code, text)[0], text)
    # someone hurt: its sorrow, then a doctor first (doctor_first) for "don't use it"
    sorrow = care.split(". ")[0] if kind == "injury" else care
    assert said.startswith(sorrow) and said.endswith(book.languages[code].handoff)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Wann kommt meine Bestellung 48213 an?"),
        ("es", "¿Cuánto tarda el envío a Madrid?"),
        ("fr", "Est-ce que je peux payer avec PayPal ?"),
        ("pl", "Czy mogę zwrócić buty w innym rozmiarze?"),
        # paying by BLIK is no scam; a size one cannot get on with is no frailty
        ("pl", "Czy mogę zapłacić BLIKiem?"),
        ("de", "Ich komme mit der Größe nicht zurecht, kann ich tauschen?"),
    ],
)
def test_an_ordinary_question_gets_no_words_of_care(code: str, text: str) -> None:
    book = language_book()
    assert book.situations(code, text) == []
    texts = book.languages[code]
    assert book.handoff(code, text) == f"{texts.thanks} {texts.handoff}"


async def test_a_serious_message_in_another_language_is_flagged(own_queue: str) -> None:
    request = HandoffRequest("web-x", "web", Customer("web-x"))
    said = "Mein Vater ist gestorben und jetzt wurde nochmal abgebucht"
    done = await for_language(request, "de", Decision(escalate=False), said)
    assert UrgencyFlag.BEREAVEMENT in done.flags
    assert done.reasons[:2] == ["language", "bereavement"]
    assert "bereavement" in done.explanation


# -- simple questions answered in the customer's language -----------------------------


def german(*turns: tuple[str, str], customer: str | None = None) -> Tracker:
    """A web conversation of (author, text) turns; the last is the customer's;
    ``customer``: the shop customer the page vouched for."""
    return conversation(
        [(a, t, "nlu_fallback") for a, t in turns], "web-de-test", customer=customer
    )


def due(eta: str) -> dict[str, str]:
    """Day and month of a store date written "Friday 27 November"."""
    parsed = dt.datetime.strptime(eta.split(" ", 1)[1], "%d %B")
    return {"day": f"{parsed.day:02d}", "month": f"{parsed.month:02d}"}


async def has_ticket(conversation_id: str) -> bool:
    try:
        await handoff_queue().ticket(conversation_id)
    except UnknownTicket:
        return False
    return True


async def answer(tracker: Tracker) -> tuple[list[dict], list[str]]:
    dispatcher = CollectingDispatcher()
    events = await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    return events, [m["text"] for m in dispatcher.messages]


async def test_a_simple_question_in_german_is_answered_in_german(
    own_queue: str,
) -> None:
    tracker = german(("customer", "Wie lange dauert der Versand nach Hamburg?"))
    events, [said] = await answer(tracker)
    texts = language_book().languages["de"]
    # a plain answer to a calm question: no stock offer of a person after it
    assert said == texts.answers["delivery"]
    assert {"event": "pause", "timestamp": None} not in events
    assert not await has_ticket(tracker.sender_id)


async def test_an_order_number_in_german_gets_the_orders_state_written_the_german_way(
    own_queue: str,
) -> None:
    tracker = german(
        ("customer", "Wo ist meine Bestellung? Ich mache mir langsam Sorgen."),
        ("bot", language_book().languages["de"].answers["order.ask"]),
        ("customer", "48213"),  # too short to tell the language: the chat's is kept
        customer=owner("48213"),
    )
    _, [said] = await answer(tracker)
    # 48213: shipped with its carrier, due in two days
    order = await store().order("48213")
    assert order is not None
    assert said.startswith(f"Ihre Bestellung 48213 ist mit {order.carrier} unterwegs")
    written = "{day}.{month}.".format(**due(order.eta))
    assert f"am {written} ankommen" in said and order.tracking in said


async def test_feelings_named_in_german_are_acknowledged_before_the_answer(
    own_queue: str,
) -> None:
    tracker = german(
        ("customer", "Ich bin echt besorgt, wo ist meine Bestellung 48213 denn?"),
        customer=owner("48213"),
    )
    _, [said] = await answer(tracker)
    assert said.startswith("Ich verstehe, dass Sie sich Sorgen machen. Ihre Bestellung")


async def test_a_person_is_offered_once_not_in_every_reply(own_queue: str) -> None:
    """Offered when something went wrong (a worry named), then not again."""
    texts = language_book().languages["de"]
    worried = "Ich mache mir Sorgen: wie lange dauert der Versand nach Österreich?"
    first = language_book().reply("de", worried, lambda _: None)
    assert first is not None and first.endswith(texts.answers["offer_person"])
    tracker = german(
        ("customer", worried),
        ("bot", first),
        ("customer", "Und welche Zahlungsarten gibt es bei Ihnen?"),
    )
    _, [said] = await answer(tracker)
    assert said == texts.answers["payment"]


@pytest.mark.parametrize(
    "text",
    [
        "Die Lampe ist kaputt angekommen, was nun?",
        "Kann ich bitte mit einem Mitarbeiter sprechen?",
        "Wie lange dauert der Versand? Und mein Vater ist gestorben, die Bestellung "
        "war für ihn.",  # something serious: a person, with care
    ],
)
async def test_what_the_bot_cannot_do_in_german_goes_to_a_person(
    own_queue: str, text: str
) -> None:
    tracker = german(("customer", text))
    events, [said] = await answer(tracker)
    assert events[-2:] == PAUSED
    assert language_book().languages["de"].handoff in said
    assert await has_ticket(tracker.sender_id)


async def test_a_clear_english_message_after_german_is_english_again(
    own_queue: str,
) -> None:
    texts = language_book().languages["de"]
    tracker = german(
        ("customer", "Wie lange dauert der Versand nach Hamburg?"),
        ("bot", texts.answers["delivery"]),
        ("customer", "sorry, could you tell me that in English please?"),
    )
    _, said = await answer(tracker)
    assert said and not any(texts.answers["delivery"] in s for s in said)
    assert not await has_ticket(tracker.sender_id)


@pytest.mark.parametrize("key", ["order.shipped", "refund", "address"])
def test_a_language_with_topics_needs_every_answer(tmp_path: Path, key: str) -> None:
    raw = yaml.safe_load(LANGUAGES_FILE.read_text(encoding="utf-8"))
    del raw["languages"]["de"]["answers"][key]
    bad = tmp_path / "languages.yml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=rf"de lacks answers \['{key}'\]"):
        LanguageBook.from_file(bad)


def test_a_language_with_topics_needs_its_question_and_team_words(
    tmp_path: Path,
) -> None:
    raw = yaml.safe_load(LANGUAGES_FILE.read_text(encoding="utf-8"))
    del raw["languages"]["de"]["team"]
    bad = tmp_path / "languages.yml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="de lacks asks or team"):
        LanguageBook.from_file(bad)


# Written for this test, one line per language: how long delivery takes, where order
# 48213 is, a cancellation, and something that arrived damaged.
ASKED = {
    "de": (
        "Wie lange dauert die Lieferung nach Köln ungefähr?",
        "Guten Tag, wo ist denn meine Bestellung 48213?",
        "Bitte stornieren Sie meine letzte Bestellung, ich brauche sie nicht mehr.",
        "Der Spiegel kam leider mit einem Sprung im Glas an, er ist beschädigt.",
    ),
    "es": (
        "¿Cuánto tarda el envío a Valencia normalmente?",
        "Buenos días, ¿dónde está mi pedido 48213?",
        "Quisiera cancelar el pedido que hice ayer, por favor.",
        "La lámpara ha llegado dañada y el cristal está roto.",
    ),
    "fr": (
        "Combien de temps prend la livraison vers Lyon ?",
        "Bonjour, où en est ma commande 48213 ?",
        "Je voudrais annuler la commande que j'ai passée hier.",
        "Le vase est arrivé endommagé, il y a une fissure.",
    ),
    "it": (
        "Quanto tempo ci vuole per la spedizione a Torino?",
        "Buongiorno, dov'è il mio ordine 48213?",
        "Vorrei annullare l'ordine che ho fatto ieri, per favore.",
        "La tazza è arrivata rotta, il manico si è staccato.",
    ),
    "nl": (
        "Hoe lang duurt de bezorging naar Utrecht meestal?",
        "Goedemiddag, waar blijft mijn bestelling 48213?",
        "Ik wil mijn bestelling van gisteren graag annuleren.",
        "De vaas is beschadigd aangekomen, er zit een barst in.",
    ),
    "pt": (
        "Quanto tempo demora a entrega para o Porto?",
        "Bom dia, onde está a minha encomenda 48213?",
        "Gostaria de cancelar a encomenda que fiz ontem.",
        "O candeeiro chegou danificado, o vidro está partido.",
    ),
    "pl": (
        "Jak długo trwa dostawa do Gdańska?",
        "Dzień dobry, gdzie jest moje zamówienie 48213?",
        "Proszę anulować zamówienie złożone wczoraj.",
        "Kubek przyszedł uszkodzony, ucho jest odklejone.",
    ),
    "sv": (
        "Hur lång tid tar leveransen till Göteborg ungefär?",
        "Hej, var är min beställning 48213?",
        "Jag vill avbeställa beställningen jag gjorde i går.",
        "Spegeln kom fram med en spricka i glaset, den är skadad.",
    ),
}
# Friday 27 November, the way each language writes it
DATES = {
    "de": "27.11.",
    "es": "27/11",
    "fr": "27/11",
    "it": "27/11",
    "nl": "27-11",
    "pt": "27/11",
    "pl": "27.11.",
    "sv": "27/11",
}


def test_every_language_answers_the_same_simple_questions() -> None:
    book = language_book()
    german_texts = book.languages["de"]
    for code in SUPPORTED:
        texts = book.languages[code]
        assert set(texts.topics) == set(german_texts.topics), code
        assert set(texts.answers) == set(german_texts.answers), code
        assert set(texts.feelings) == set(german_texts.feelings), code
        for key, text in texts.answers.items():
            want = set(PLACEHOLDER.findall(german_texts.answers[key]))
            assert set(PLACEHOLDER.findall(text)) == want, (code, key)
            assert "!" not in text, (code, key)
        assert all("!" not in say for _, say in texts.feelings.values()), code
        assert texts.date.format(day="27", month="11") == DATES[code]
        # the facts of answers.yml, with a decimal comma
        delivery = texts.answers["delivery"]
        for fact in ("40 EUR", "7,90 EUR", "12,90 EUR", "13"):
            assert fact in delivery, (code, fact)
        assert "30" in texts.answers["returns"] and "5" in texts.answers["returns"]
        for method in ("Visa", "Mastercard", "American Express", "PayPal", "Klarna"):
            assert method in texts.answers["payment"], (code, method)
        # refunds: 5 business days after the return arrives, returns within 30 days
        assert "5" in texts.answers["refund"] and "30" in texts.answers["refund"]
        # the address: the order's own page while unshipped, then a person; saved
        # addresses on their own page
        assert texts.answers["address"].count(" > ") == 2, code
        # the words for "a person from our team" are those of the offer and of the
        # answers that offer a person themselves
        assert texts.team is not None and texts.asks is not None, code
        for key in ("offer_person", "address", "order.delivered"):
            assert texts.team.search(texts.answers[key].lower()), (code, key)
        for key in ("delivery", "returns", "payment", "refund", "order.shipped"):
            assert not texts.team.search(texts.answers[key].lower()), (code, key)


@pytest.mark.parametrize("code", SUPPORTED)
async def test_simple_questions_are_answered_in_every_language(
    own_queue: str, code: str
) -> None:
    texts = language_book().languages[code]
    delivery, where, cancel, damaged = ASKED[code]

    def chat(kind: str, text: str) -> Tracker:
        return conversation(
            [("customer", text, "nlu_fallback")],
            f"web-{code}-{kind}",
            customer=owner("48213"),  # the shop's page vouched for 48213's customer
        )

    # how long delivery takes: answered in the language (a town abroad: its time
    # abroad), no ticket
    tracker = chat("delivery", delivery)
    events, [said] = await answer(tracker)
    place = named_destination(delivery, code)
    abroad = place is not None and place.reach == "abroad"
    # calm: no stock offer of a person
    assert said == texts.answers["delivery.abroad" if abroad else "delivery"]
    assert {"event": "pause", "timestamp": None} not in events
    assert not await has_ticket(tracker.sender_id)

    # 48213 has shipped, due in two days
    order = await store().order("48213")
    assert order is not None
    _, [said] = await answer(chat("order", where))
    written = texts.date.format(**due(order.eta))
    shipped = texts.answers["order.shipped"].format(
        order_id="48213", carrier=order.carrier, tracking=order.tracking, eta=written
    )
    assert said == shipped
    assert written in said and order.tracking in said

    # someone the shop did not vouch for: asked for the e-mail address or postcode
    # in the language, the order stays private until then
    stranger = conversation([("customer", where, "nlu_fallback")], f"web-{code}-anon")
    events, [said] = await answer(stranger)
    assert said == texts.answers["order.proof"].format(order_id="48213")
    assert order.tracking not in said and PAUSED[-1] not in events
    # ...and the right answer opens it
    proved = conversation(
        [
            ("customer", where, "nlu_fallback"),
            ("bot", said, None),
            ("customer", "maya.lindqvist@example.com", "nlu_fallback"),
        ],
        f"web-{code}-proved",
        order_id="48213",
    )
    events, [status] = await answer(proved)
    assert status == shipped
    verified = {"event": "slot", "timestamp": None, "name": "verified_customer"}
    assert {**verified, "value": owner("48213")} in events

    # only a person can cancel or look at a damaged item
    for kind, text in (("cancel", cancel), ("damaged", damaged)):
        tracker = chat(kind, text)
        events, [said] = await answer(tracker)
        assert events[-2:] == PAUSED, (kind, text)
        assert texts.handoff in said, (kind, text)
        assert await has_ticket(tracker.sender_id), (kind, text)


# Written for these tests, several per language, formal and casual: how long a refund
# takes, and how to change the delivery address of an order.
MORE = {
    "refund": {
        "de": (
            "Wie lange dauert eigentlich eine Rückerstattung bei Ihnen?",
            "wann krieg ich denn mein geld zurück",
            "Bis wann wird mir der Kaufpreis erstattet?",
        ),
        "es": (
            "¿Cuánto tiempo tarda en llegar el reembolso?",
            "oye, cuándo me devolvéis el dinero",
            "¿En cuánto tiempo se hace el reembolso?",
        ),
        "fr": (
            "Sous combien de jours suis-je remboursé en général ?",
            "le remboursement met combien de temps",
            "Quel est le délai de remboursement chez vous ?",
        ),
        "it": (
            "Quanto tempo ci vuole per ricevere il rimborso?",
            "tra quanto mi arrivano i soldi",
            "Il rimborso quanto tempo richiede di solito?",
        ),
        "nl": (
            "Hoe lang duurt het voordat ik mijn geld terugkrijg?",
            "wanneer krijg ik m'n geld terug",
            "Binnen hoeveel dagen volgt de terugbetaling?",
        ),
        "pt": (
            "Quanto tempo demora a chegar o reembolso?",
            "quando é que recebo o dinheiro",
            "Qual é o prazo do reembolso, por favor?",
        ),
        "pl": (
            "Ile trwa zwrot pieniędzy za odesłany towar?",
            "kiedy dostanę kasę, znaczy pieniądze",
            "Jak długo czeka się na zwrot środków?",
        ),
        "sv": (
            "Hur lång tid tar det innan jag får tillbaka pengarna?",
            "när får jag mina pengar tillbaka",
            "Inom hur många dagar görs återbetalningen?",
        ),
    },
    "address": {
        "de": (
            "Wie kann ich die Lieferadresse meiner Bestellung noch ändern?",
            "hab ne falsche adresse angegeben, was jetzt",
            "Ist es möglich, die Anschrift nachträglich zu korrigieren?",
        ),
        "es": (
            "¿Cómo puedo cambiar la dirección de entrega de mi pedido?",
            "me equivoqué y puse mal la dirección",
            "¿Es posible modificar el domicilio de envío?",
        ),
        "fr": (
            "Comment puis-je modifier l'adresse de livraison de ma commande ?",
            "j'ai mis une mauvaise adresse, je fais comment",
            "Est-il possible de corriger l'adresse après la commande ?",
        ),
        "it": (
            "Come posso modificare l'indirizzo di consegna dell'ordine?",
            "ho messo l'indirizzo sbagliato, che faccio",
            "È possibile aggiornare l'indirizzo dopo aver ordinato?",
        ),
        "nl": (
            "Hoe kan ik het bezorgadres van mijn bestelling wijzigen?",
            "ik heb een verkeerd adres ingevuld, wat nu",
            "Kan het afleveradres nog aangepast worden?",
        ),
        "pt": (
            "Como posso alterar a morada de entrega da encomenda?",
            "pus a morada errada, e agora",
            "É possível mudar o endereço depois de encomendar?",
        ),
        "pl": (
            "Jak mogę zmienić adres dostawy zamówienia?",
            "podałem zły adres, co teraz",
            "Czy da się jeszcze poprawić adres po złożeniu zamówienia?",
        ),
        "sv": (
            "Hur kan jag ändra leveransadressen på min beställning?",
            "jag skrev fel adress, vad gör jag nu",
            "Går det att rätta adressen efter att jag har beställt?",
        ),
    },
}


@pytest.mark.parametrize(
    ("topic", "code", "text"),
    [(t, c, x) for t, by in MORE.items() for c, xs in by.items() for x in xs],
)
def test_refunds_and_a_new_address_are_answered_in_every_language(
    topic: str, code: str, text: str
) -> None:
    texts = language_book().languages[code]
    said = language_book().reply(code, text, lambda _: None)
    # a plain answer to a calm question: no stock offer of a person after it
    assert said == texts.answers[topic]


# Written for this test, one line per language: "charged twice, when is my money
# back" (a problem for a person, refund words or not) and thanks with a question we
# have no answer for (gift cards, a gift wrap, an invoice address...).
NOT_ONLY = {
    "de": (
        "Mir wurde alles doppelt abgebucht, wann bekomme ich das Geld zurück?",
        "Danke schön. Bieten Sie eigentlich auch Geschenkverpackung an",
    ),
    "es": (
        "Me cobraron dos veces, ¿cuándo me devuelven el dinero?",
        "Muchas gracias. Quiero saber si hacéis envoltorio de regalo",
    ),
    "fr": (
        "On m'a débité deux fois, quand serai-je remboursé ?",
        "Merci beaucoup. Je voudrais une facture au nom de mon entreprise",
    ),
    "it": (
        "Mi avete addebitato due volte, quando arriva il rimborso?",
        "Grazie mille. Vorrei sapere se fate confezioni regalo",
    ),
    "nl": (
        "Er is twee keer afgeschreven, wanneer krijg ik mijn geld terug?",
        "Bedankt alvast. Pakken jullie het ook als cadeau in",
    ),
    "pt": (
        "Cobraram-me duas vezes, quando recebo o meu dinheiro de volta?",
        "Muito obrigada. Gostaria de saber se fazem embrulho para presente",
    ),
    "pl": (
        "Pobraliście opłatę dwa razy, kiedy dostanę pieniądze?",
        "Dziękuję bardzo. Czy pakujecie prezenty w ozdobny papier",
    ),
    "sv": (
        "Ni har dragit pengarna två gånger, när får jag tillbaka dem?",
        "Tack så mycket. Erbjuder ni presentinslagning också",
    ),
}


@pytest.mark.parametrize("code", SUPPORTED)
def test_thanks_is_answered_alone_only_when_nothing_else_is_asked(code: str) -> None:
    book = language_book()
    texts = book.languages[code]
    twice, thanks_and_more = NOT_ONLY[code]
    assert book.reply(code, twice, lambda _: None) is None  # a person
    assert book.reply(code, thanks_and_more, lambda _: None) is None  # a person
    # the same question with a question mark, too
    assert book.reply(code, f"{thanks_and_more}?", lambda _: None) is None
    # thanks and a question we answer: the answer
    refund = MORE["refund"][code][0]
    said = book.reply(code, f"{thanks_and_more.split('.')[0]}. {refund}", lambda _: 0)
    assert said is not None and said.startswith(texts.answers["refund"])
    # only thanks: the short reply
    only = thanks_and_more.split(".")[0]
    assert book.reply(code, only, lambda _: None) == texts.answers["thanks"]


async def test_thanks_and_a_question_in_german_is_not_only_thanks(
    own_queue: str,
) -> None:
    """A question we have no answer for after the thanks: said honestly, with a
    person offered (a second one brings the person); no "You're welcome"."""
    texts = language_book().languages["de"]
    tracker = german(
        ("customer", "Wie lange dauert der Versand nach Hamburg?"),
        ("bot", f"{texts.answers['delivery']} {texts.answers['offer_person']}"),
        ("customer", "Danke. Kann ich an der Kasse einen Rabattcode eingeben?"),
    )
    events, [said] = await answer(tracker)
    assert said == texts.answers["unsure"]
    assert events[-2:] != PAUSED
    assert not await has_ticket(tracker.sender_id)


@pytest.mark.parametrize("code", SUPPORTED)
async def test_an_answer_that_offers_a_person_gets_no_second_offer(
    own_queue: str, code: str
) -> None:
    texts = language_book().languages[code]
    # 730915 was delivered: its answer says a person will look if it did not arrive
    tracker = conversation(
        [("customer", f"{ASKED[code][1].replace('48213', '730915')}", "nlu_fallback")],
        f"web-{code}-delivered",
        customer=owner("730915"),
    )
    _, [said] = await answer(tracker)
    order = await store().order("730915")
    assert order is not None and order.tracking in said
    assert texts.answers["offer_person"] not in said
    assert len(texts.team.findall(said.lower())) == 1  # type: ignore[union-attr]


async def test_no_offer_after_a_reply_that_said_a_person_can_help(
    own_queue: str,
) -> None:
    texts = language_book().languages["de"]
    tracker = german(
        ("customer", "Ich habe beim Bestellen eine falsche Adresse angegeben."),
        ("bot", texts.answers["address"]),
        ("customer", "Und welche Zahlungsarten gibt es bei Ihnen?"),
    )
    _, [said] = await answer(tracker)
    assert said == texts.answers["payment"]


# -- danger and fear in the customer's language ---------------------------------------


def test_every_language_has_words_of_care_for_every_serious_kind() -> None:
    book = language_book()
    kinds = list(book.languages["de"].serious)
    assert {"hazard", "distress"} <= set(kinds)
    for code in SUPPORTED:
        texts = book.languages[code]
        assert list(texts.serious) == kinds, code  # the first found gives the care
        # and for something that went wrong, not serious (the `problem` topic), and
        # before the answer to a question asked beside money worries or illness
        first = {f"{kind}_first" for kind in answer_first_situations() if kind in kinds}
        # ...and naming the one who died or was hurt (actions/language_care.py)
        named = {f"{kind}_who" for kind in NAMED}
        # ...and a fraud beside a payment card (call the bank to block it), and one
        # that asks for a fee (not ours, pay nothing)
        fraud = {"fraud_card", "fraud_fee"}
        expected = {*kinds, "problem", "refund_late", *first, *named, *fraud}
        assert set(texts.care) == expected, code
        assert texts.card is not None and texts.fee is not None, code
        assert all(say and "!" not in say for say in texts.care.values()), code


# Written for these tests, one line per language: something that got hot, smoked,
# sparked, caught fire or exploded (with an order number, which must not get the
# order's state instead), and a customer who is frightened.
DANGER = {
    "de": "Das Ladegerät aus Bestellung 48213 ist gestern beim Laden total heiß "
    "geworden und hat plötzlich angefangen zu qualmen.",
    "es": "El cargador del pedido 48213 empezó a soltar chispas anoche mientras "
    "estaba enchufado.",
    "fr": "Le chargeur de la commande 48213 a pris feu hier soir pendant qu'il était "
    "branché.",
    "it": "La lampada dell'ordine 48213 ha fatto scintille ed è uscito del fumo dalla "
    "presa.",
    "nl": "De oplader uit bestelling 48213 is gisteravond ontploft terwijl hij aan het "
    "laden was.",
    "pt": "O carregador da encomenda 48213 começou a deitar fumo e a tomada ficou "
    "muito quente.",
    "pl": "Ładowarka z zamówienia 48213 zaczęła dymić, a z gniazdka poleciały iskry.",
    "sv": "Laddaren från beställning 48213 började ryka i går kväll och det kom "
    "gnistor ur uttaget.",
}
AFRAID = {
    "de": "Ich habe große Angst, dass jemand meine Adresse und meine Daten "
    "missbraucht.",
    "es": "Tengo mucho miedo, alguien ha estado vigilando mi casa desde que llegó el "
    "paquete.",
    "fr": "J'ai vraiment peur, quelqu'un a sonné chez moi en disant qu'il venait de "
    "votre part.",
    "it": "Ho molta paura, qualcuno continua a suonare alla mia porta dicendo di "
    "essere il vostro corriere.",
    "nl": "Ik ben echt bang, er staat al de hele avond iemand voor mijn deur die naar "
    "mijn pakket vraagt.",
    "pt": "Estou cheia de medo, está um homem à minha porta a dizer que é da vossa "
    "empresa.",
    "pl": "Bardzo się boję, ktoś od rana stoi pod moimi drzwiami i pyta o paczkę.",
    "sv": "Jag är verkligen rädd, en okänd man har stått utanför min dörr hela kvällen "
    "och frågat efter mitt paket.",
}


@pytest.mark.parametrize("code", SUPPORTED)
async def test_danger_goes_to_a_person_with_its_words_of_care(
    own_queue: str, code: str
) -> None:
    texts = language_book().languages[code]
    tracker = conversation(
        [("customer", DANGER[code], "nlu_fallback")], f"web-{code}-danger"
    )
    events, [said] = await answer(tracker)
    assert events[-2:] == PAUSED
    assert said.startswith(f"{texts.care['hazard']} {texts.handoff}")
    assert "48213" not in said  # not the order's state
    ticket = await handoff_queue().ticket(tracker.sender_id)
    assert ticket.reasons[:2] == ["language", "hazard"]
    assert UrgencyFlag.SAFETY in ticket.flags


@pytest.mark.parametrize("code", SUPPORTED)
async def test_fear_goes_to_a_person_with_words_of_care(
    own_queue: str, code: str
) -> None:
    texts = language_book().languages[code]
    assert language_book().situations(code, AFRAID[code]) == ["distress"]
    tracker = conversation(
        [("customer", AFRAID[code], "nlu_fallback")], f"web-{code}-afraid"
    )
    events, [said] = await answer(tracker)
    assert events[-2:] == PAUSED
    assert said.startswith(f"{texts.care['distress']} {texts.handoff}")
    ticket = await handoff_queue().ticket(tracker.sender_id)
    assert UrgencyFlag.DISTRESS in ticket.flags


async def test_a_charger_that_nearly_caught_fire_is_not_answered_with_the_order(
    own_queue: str,
) -> None:
    texts = language_book().languages["de"]
    tracker = german(
        (
            "customer",
            "Zu Bestellung 48213: Das Netzteil wurde so heiß, dass es fast einen "
            "Brand gegeben hätte. Ich habe echt Angst bekommen.",
        )
    )
    events, [said] = await answer(tracker)
    assert events[-2:] == PAUSED
    assert said.startswith(f"{texts.care['hazard']} {texts.handoff}")
    flags = (await handoff_queue().ticket(tracker.sender_id)).flags
    assert {UrgencyFlag.SAFETY, UrgencyFlag.DISTRESS} <= flags


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Keine Angst, es eilt nicht: Wann kommt Bestellung 48213?"),
        ("es", "¿Me llamas cuando salga el pedido 48213?"),
        ("nl", "Hoe heet de vervoerder van bestelling 48213?"),
        ("it", "Qual è il fuso orario della consegna dell'ordine 48213?"),
    ],
)
def test_everyday_words_are_not_taken_for_danger_or_fear(code: str, text: str) -> None:
    assert language_book().situations(code, text) == []


async def test_a_wrong_proof_in_german_is_asked_again_in_german(own_queue: str) -> None:
    texts = language_book().languages["de"]
    asked = texts.answers["order.proof"].format(order_id="48213")
    tracker = conversation(
        [
            (
                "customer",
                "Guten Tag, wo ist denn meine Bestellung 48213?",
                "nlu_fallback",
            ),
            ("bot", asked, None),
            ("customer", "kwame.mensah@example.org", "nlu_fallback"),  # not Maya's
        ],
        "web-de-wrong-proof",
        order_id="48213",
    )
    events, [said] = await answer(tracker)
    assert said == texts.answers["order.proof_again"].format(order_id="48213")
    tries = {"event": "slot", "timestamp": None, "name": "proof_tries", "value": 1}
    assert tries in events and PAUSED[-1] not in events


async def test_a_short_follow_up_in_german_goes_on_with_the_topic_before(
    own_queue: str,
) -> None:
    """ "Und wann kommt sie an?" after the order's state is about that order, not a
    reason to bring in a person; a new question nobody answers still is."""
    order = await store().order("48213")
    assert order is not None
    book = language_book()
    state = book.order_answer("de", order.values())
    # the first answer put the order in the chat (its order_id slot)
    tracker = conversation(
        [
            ("customer", "Wo ist meine Bestellung 48213?", "nlu_fallback"),
            ("bot", state, None),
            ("customer", "Und wann kommt sie ungefähr an?", "nlu_fallback"),
        ],
        "web-de-test",
        customer=owner("48213"),
        order_id="48213",
    )
    events, [said] = await answer(tracker)
    # its day, not the whole state word for word again
    assert said == book.order_answer("de", order.values(), again=True)
    assert not await has_ticket(tracker.sender_id)
    delivery = book.languages["de"].answers["delivery"]
    tracker = german(
        ("customer", "Wie lange dauert der Versand nach Hamburg?"),
        ("bot", delivery),
        ("customer", "Und was kostet das?"),
    )
    _, [said] = await answer(tracker)
    # the sentence of it with the prices, not the whole answer word for word again
    assert said in delivery and said != delivery and "7,90 EUR" in said
    # a long new question that names nothing we answer is no follow-up
    tracker = german(
        ("customer", "Wie lange dauert der Versand nach Hamburg?"),
        ("bot", delivery),
        (
            "customer",
            "Packen Sie vielleicht auch Bestellungen als Geschenk für Geburtstage ein?",
        ),
    )
    _, [said] = await answer(tracker)
    assert said == book.languages["de"].answers["unsure"]  # honest, a person offered


async def test_a_postcode_nlu_put_in_the_order_slot_still_opens_the_order(
    own_queue: str,
) -> None:
    """ "PLZ 10115" after the proof question in German: NLU tags 10115 as the order
    number; the order of the chat is still the one asked about, and stays so for
    the follow-up."""
    order = await store().order("99887766")
    assert order is not None
    book = language_book()
    asked = book.say("de", "order.proof", order_id="99887766")
    turns = [
        ("customer", "Hallo, wo bleibt meine Bestellung 99887766?"),
        ("bot", asked),
        ("customer", "PLZ 10115"),
    ]
    tracker = conversation(
        [(a, t, "nlu_fallback") for a, t in turns], "web-de-plz", order_id="10115"
    )
    # the slot as NLU left it: the order, then the postcode after the answer
    tracker.events.insert(2, {"event": "slot", "name": "order_id", "value": "99887766"})
    tracker.events.append({"event": "slot", "name": "order_id", "value": "10115"})
    events, [said] = await answer(tracker)
    assert said.startswith(book.order_answer("de", order.values()))
    assert {
        "event": "slot",
        "timestamp": None,
        "name": "order_id",
        "value": "99887766",
    } in events
    assert not await has_ticket(tracker.sender_id)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("es", "Hola, mi pedido 300418862 llegó roto."),
        ("de", "Mein Paket ist kaputt angekommen, das ist wirklich ärgerlich."),
        ("it", "Il caricatore ha preso fuoco ieri sera, che spavento."),
    ],
)
def test_words_of_care_are_not_followed_by_thanks_for_the_message(
    code: str, text: str
) -> None:
    """An apology and "thank you for your message" in one breath is a seam."""
    texts = language_book().languages[code]
    said = language_book().handoff(code, text)
    assert texts.thanks and texts.thanks not in said
    assert said.endswith(texts.handoff) and len(said) > len(texts.handoff)


def test_a_handoff_without_words_of_care_opens_with_thanks() -> None:
    texts = language_book().languages["fr"]
    said = language_book().handoff("fr", "Bonjour, le colis est arrivé ?")
    assert said == f"{texts.thanks} {texts.handoff}"
    # a request for a person is granted, not thanked for
    said = language_book().handoff("fr", "Bonjour, je voudrais parler à quelqu'un.")
    assert said == f"{texts.sure} {texts.handoff}"


@pytest.mark.parametrize(
    ("code", "first", "question"),
    [
        ("de", "Wo ist meine Bestellung 48213?", "Und wann kommt sie an?"),
        # read as an order question without a number
        ("pl", "Gdzie jest moje zamówienie 48213?", "A kiedy dotrze?"),
        ("pt", "Onde está a minha encomenda 48213?", "E quando chega?"),
    ],
)
async def test_when_after_the_orders_state_gets_its_day_not_the_state_again(
    own_queue: str, code: str, first: str, question: str
) -> None:
    order = await store().order("48213")
    assert order is not None
    book = language_book()
    state = book.order_answer(code, order.values())
    tracker = conversation(
        [
            ("customer", first, "nlu_fallback"),
            ("bot", state, None),
            ("customer", question, "nlu_fallback"),
        ],
        f"web-{code}-again",
        customer=owner("48213"),
        order_id="48213",
    )
    _, [said] = await answer(tracker)
    assert said == book.order_answer(code, order.values(), again=True)
    assert said != state and due(order.eta)["day"] in said
    assert not await has_ticket(tracker.sender_id)


@pytest.mark.parametrize(
    ("code", "text", "feeling"),
    [
        (
            "pl",
            "Dzień dobry, gdzie jest moje zamówienie 228810? Trochę się martwię.",
            "worry",
        ),
        ("pt", "A minha encomenda 228810 ainda não veio, estou impaciente.", "annoyed"),
        # what went wrong, named, rather than the feeling about it
        ("pt", "A minha encomenda 228810 está atrasada, estou impaciente.", "late"),
    ],
)
async def test_a_feeling_named_before_the_proof_question_is_heard(
    own_queue: str, code: str, text: str, feeling: str
) -> None:
    texts = language_book().languages[code]
    tracker = conversation([("customer", text, "nlu_fallback")], f"web-{code}-felt")
    _, [said] = await answer(tracker)
    problems = dict(zip(PROBLEM_KINDS, texts.problems, strict=True))
    felt = problems[feeling][1] if feeling in problems else texts.feelings[feeling][1]
    assert said == f"{felt} {texts.answers['order.proof'].format(order_id='228810')}"


async def test_the_proof_after_words_of_care_is_read_as_the_proof(
    own_queue: str,
) -> None:
    """The bot heard what went wrong, then asked for the e-mail address or postcode:
    the postcode that follows proves the order, it is not an order number; and what
    went wrong (a missing piece) is then for a person, in Italian, not the order's
    state alone."""
    texts = language_book().languages["it"]
    asked = texts.answers["order.proof"].format(order_id="228810")
    tracker = conversation(
        [
            (
                "customer",
                "Nel pacco dell'ordine 228810 manca un blocco",
                "nlu_fallback",
            ),
            ("bot", f"{language_book().heard('it', 'manca')} {asked}", None),
            ("customer", "560001", "nlu_fallback"),
        ],
        "web-it-proof-after-care",
        order_id="228810",
    )
    events, [said] = await answer(tracker)
    order = await store().order("228810")
    assert order is not None
    assert texts.handoff in said
    assert language_book().order_answer("it", order.values()) not in said
    assert "560001" not in said


@pytest.mark.parametrize(
    ("code", "text", "kind"),
    [
        ("de", "Da ist eine Zahlung an Sie, die ich nicht autorisiert habe.", "fraud"),
        ("es", "Veo dos cargos no autorizados de su tienda en mi tarjeta.", "fraud"),
        ("pl", "Skaleczyłam się o ostrą krawędź pudełka.", "injury"),
        ("fr", "Je me suis coupée en ouvrant le colis, ça saigne.", "injury"),
        ("it", "Mia madre è malata e aspetta le medicine.", "health"),
        ("nl", "Mijn vader is ziek en wacht op zijn rolstoel.", "health"),
        ("pt", "O meu filho está doente e precisa do inalador.", "health"),
    ],
)
async def test_unauthorised_charges_cuts_and_illness_are_heard_in_the_language(
    own_queue: str, code: str, text: str, kind: str
) -> None:
    """Serious in any of our languages, as in English: words of care first, the
    ticket flagged."""
    book = language_book()
    assert kind in book.situations(code, text)
    if kind == "health":
        assert "injury" not in book.situations(code, text)
    said = book.handoff(code, text)
    care = book.care(code, kind, text)  # (a card's fraud: the bank to call)
    # someone hurt: its sorrow, then a doctor first (doctor_first)
    assert said.startswith(care.split(". ")[0] if kind == "injury" else care)
    request = HandoffRequest(f"web-{code}-{kind}", "web", Customer(f"web-{code}"))
    done = await for_language(request, code, Decision(escalate=False), text)
    assert done.flags


def test_every_language_has_care_words_for_each_serious_kind() -> None:
    for code, texts in language_book().languages.items():
        assert set(texts.serious) <= set(texts.care), code


@pytest.mark.parametrize(
    ("code", "text", "follows"),
    [
        ("de", "Danke! Und bis wann ungefähr?", True),  # thanks, then a question
        ("es", "Gracias. ¿Y eso cuánto sería?", True),
        ("de", "Danke, das war alles.", False),  # only thanks: no question
    ],
)
def test_thanks_before_a_short_question_still_follows_up(
    code: str, text: str, follows: bool
) -> None:
    assert language_book().follows_up(code, text) is follows


def test_the_return_period_asked_with_a_pronoun_is_answered_in_french() -> None:
    said = language_book().reply(
        "fr", "Combien de temps ai-je pour le renvoyer ?", dict
    )
    assert said is not None and "30 jours" in said


@pytest.mark.parametrize(
    ("code", "text", "kind"),
    [
        (
            "de",
            "Man hat mir den Betrag zweimal abgebucht, bitte prüfen",
            "double_charge",
        ),
        ("de", "Die Lampe kam kaputt an und ich bin verärgert", "damaged"),
        (
            "es",
            "Pedí unos zapatos azules y me enviaron unas botas en lugar de ellos",
            "wrong_item",
        ),
        ("es", "Qué rabia, mi paquete sigue sin llegar", "late"),
        ("fr", "Il manque deux assiettes dans le carton, c'est agaçant", "missing"),
        ("fr", "J'ai été prélevé deux fois pour la même commande", "double_charge"),
        ("it", "Il frullatore non funziona, che delusione", "not_working"),
        (
            "it",
            "Ho ordinato un cuscino ma è arrivato il colore sbagliato",
            "wrong_item",
        ),
        ("nl", "Mijn pakket is na tien dagen nog steeds niet bezorgd", "late"),
        ("nl", "Er ontbreekt een onderdeel, erg vervelend", "missing"),
        ("pt", "A minha encomenda está atrasada uma semana", "late"),
        ("pt", "O candeeiro chegou partido", "damaged"),
        ("pl", "W paczce brakuje ładowarki", "missing"),
        ("pl", "Dostałem zły rozmiar butów", "wrong_item"),
        # how long, in the language's words
        ("de", "Die Sendung ist seit zwei Wochen unterwegs, unglaublich", "late"),
        ("fr", "J'attends ma commande depuis 10 jours", "late"),
    ],
)
def test_what_went_wrong_is_named_in_the_customers_language(
    code: str, text: str, kind: str
) -> None:
    """Before a person takes over, the words name what went wrong ("that something
    is missing from your parcel"), not a general "sorry about the trouble"."""
    book = language_book()
    problems = dict(zip(PROBLEM_KINDS, book.languages[code].problems, strict=True))
    words, care = problems[kind]
    assert words.search(text.lower())
    said = book.handoff(code, text)
    # after the words for a feeling named beside it ("che delusione"), if any
    assert said.startswith(care) or said.index(care) < said.index(
        book.languages[code].handoff
    ), said
    assert care != book.languages[code].care["problem"]


@pytest.mark.parametrize(
    ("code", "text", "feeling", "kind"),
    [
        ("es", "Estoy muy preocupada, me cobraron dos veces", "worry", "double_charge"),
        (
            "de",
            "Der Rahmen ist gebrochen, ich bin sehr enttäuscht",
            "disappointed",
            "damaged",
        ),
        (
            "it",
            "Il frullatore non funziona, che delusione",
            "disappointed",
            "not_working",
        ),
    ],
)
def test_a_feeling_beside_what_went_wrong_is_named_with_it(
    code: str, text: str, feeling: str, kind: str
) -> None:
    """Worry or disappointment told beside what went wrong: the feeling and what it
    is about, both named before a person takes over and before the proof is asked
    for, with one apology, not two ("Das ist enttäuschend." then "Es tut mir leid,
    dass ...")."""
    book = language_book()
    texts = book.languages[code]
    problems = dict(zip(PROBLEM_KINDS, texts.problems, strict=True))
    _, care = problems[kind]
    named = texts.feelings[feeling][1].partition(",")[0].rstrip(".")
    for said in (book.handoff(code, text), book.heard(code, text)):
        assert said.startswith(named), said
        assert care in said, said
        assert said.index(care) > said.index(named)


def test_every_language_names_each_kind_of_problem_calmly() -> None:
    import yaml

    from actions.paths import DATA

    raw = yaml.safe_load((DATA / "replies" / "languages.yml").read_text("utf-8"))
    for code, entry in raw["languages"].items():
        assert list(entry["problems"]) == PROBLEM_KINDS, code
        for kind, problem in entry["problems"].items():
            assert problem["care"] and "!" not in problem["care"], (code, kind)
    # the customer's own mistake is not our fault: no apology for "a wrong address"
    book = language_book()
    assert book.handoff("de", "Ich habe eine falsche Adresse angegeben").startswith(
        book.languages["de"].thanks
    )


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("fr", "Et combien coûte une livraison vers Lille ?"),
        # whether delivery is free, and from what amount
        ("de", "Ab welchem Bestellwert ist der Versand eigentlich kostenfrei?"),
        ("pl", "Od jakiej kwoty wysyłka jest darmowa?"),
        ("it", "La spedizione per Bari è gratuita?"),
        ("de", "Wie lange dauert eigentlich die Lieferung nach Wien?"),
        ("es", "¿El envío a Valencia cuánto cuesta?"),
        ("it", "Quanti giorni ci vogliono per la consegna a Torino?"),
        ("nl", "Wat is de prijs voor verzending naar Gent?"),
        ("pt", "A entrega para o Porto demora quanto?"),
        ("pl", "Jak długo trwa dostawa do Gdańska?"),
    ],
)
def test_a_delivery_question_in_other_words_is_answered_not_handed_over(
    code: str, text: str
) -> None:
    """How much or how long a delivery takes, said in words of the customer's own
    (a cost or time word beside a delivery word), is the delivery answer: abroad
    for a town in another country ("Lille", "Wien"), else the general one."""
    book = language_book()
    said = book.reply(code, text, lambda number: None)
    assert said is not None
    place = named_destination(text, code)
    abroad = place is not None and place.reach == "abroad"
    assert said.startswith(
        book.languages[code].answers["delivery.abroad" if abroad else "delivery"]
    )


async def test_after_the_proof_the_first_question_is_answered_not_only_the_state(
    own_queue: str,
) -> None:
    """The message that named the order also asked whether it can go back: once the
    postcode proves it, the answer gives its state and the return answer, without
    the offer of a person again."""
    texts = language_book().languages["pt"]
    asked = texts.answers["order.proof"].format(order_id="300418862")
    tracker = conversation(
        [
            (
                "customer",
                "Olá, a encomenda 300418862 é um presente; posso devolvê-la depois?",
                "nlu_fallback",
            ),
            ("bot", asked, None),
            ("customer", "28013", "nlu_fallback"),
        ],
        "web-pt-proof-then-question",
        order_id="300418862",
    )
    _, [said] = await answer(tracker)
    order = await store().order("300418862")
    assert order is not None
    assert language_book().order_answer("pt", order.values()) in said
    assert texts.answers["returns"] in said
    assert texts.answers["offer_person"] not in said


@pytest.mark.parametrize(
    ("code", "text", "for_person"),
    [
        # the wrong item, something missing: a person puts it right
        ("de", "Statt der grünen Tasse kam eine gelbe, Bestellung 651234", True),
        ("es", "En el pedido 64450 falta una de las tazas", True),
        # late: where it is, answered
        ("de", "Meine Bestellung 48213 ist immer noch nicht da", False),
    ],
)
async def test_a_problem_to_put_right_goes_to_a_person_a_late_order_is_answered(
    code: str, text: str, for_person: bool
) -> None:
    number = find_number(text)
    looked_up = await store().order(number)

    def order(asked: str) -> dict[str, Any] | None:
        assert asked == number
        return looked_up.values() if looked_up else None

    assert (language_book().reply(code, text, order) is None) is for_person


async def test_a_follow_up_that_would_get_the_same_answer_again_is_not_a_loop(
    own_queue: str,
) -> None:
    """The order's state was the last word; a question the bot cannot place would
    get the same state again, word for word: that it is not sure is said and a
    person offered instead (a second miss brings the person)."""
    order = await store().order("87001")
    assert order is not None
    state = language_book().order_answer("it", order.values())
    tracker = conversation(
        [
            ("customer", "Buongiorno, dov'è il mio ordine 87001?", "nlu_fallback"),
            ("bot", state, None),
            ("customer", "E adesso cosa dovrei fare, secondo voi?", "nlu_fallback"),
        ],
        "web-it-no-repeat",
        customer=owner("87001"),
        order_id="87001",
        verified_customer=owner("87001"),
    )
    events, [said] = await answer(tracker)
    assert said != state
    assert said == language_book().languages["it"].answers["unsure"]
    assert {"event": "pause", "timestamp": None} not in events


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Ich habe meinen Job verloren und kann die Miete kaum zahlen"),
        ("es", "No tengo dinero para el alquiler de este mes"),
        ("fr", "Je suis au chômage, je ne sais pas comment payer le loyer"),
        ("it", "Ho perso il lavoro e non so come pagare l'affitto"),
        ("nl", "Ik heb geen geld meer voor de huur"),
        ("pt", "Estou desempregada e não tenho dinheiro para o aluguer"),
        ("pl", "Nie mam już pieniędzy na czynsz"),
    ],
)
def test_money_worries_in_another_language_are_serious_and_cared_for(
    code: str, text: str
) -> None:
    """Rent at stake, a lost job, no money left: a person takes over (the English
    analysis reads hardship; another language by its own words), with words for it."""
    book = language_book()
    assert book.situations(code, text) == ["hardship"]
    care = book.languages[code].care["hardship"]
    assert book.handoff(code, text).startswith(care)


def test_what_went_wrong_is_named_before_the_money_at_stake() -> None:
    book = language_book()
    said = book.handoff("es", "Me cobraron dos veces y tengo que pagar el alquiler")
    texts = book.languages["es"]
    charged = next(care for found, care in texts.problems if "dos veces" in care)
    assert said.startswith(f"{charged} {texts.care['hardship']}"), said


def test_a_worry_is_heard_with_words_between_and_making_sure_is_no_worry() -> None:
    book = language_book()
    assert book.felt("nl", "ik maak me een beetje zorgen over mijn pakket")
    assert not book.felt("nl", "kunt u ervoor zorgen dat het vrijdag komt?")
    assert book.felt("es", "estoy agobiada con todo esto")


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("it", "Le scarpe dell'ordine 730915 sono bellissime, grazie!"),
        ("es", "Muchas gracias, el pedido 64450 llegó perfecto"),
        ("de", "Danke! Bestellung 651234 war super schnell da"),
    ],
)
async def test_praise_with_an_order_number_is_thanked_without_a_proof(
    own_queue: str, code: str, text: str
) -> None:
    """Thanks and an order number, nothing asked and nothing wrong: praise, with
    nothing to look up (no e-mail or postcode asked for)."""
    tracker = conversation([("customer", text, "nlu_fallback")], f"web-{code}-praise")
    events, [said] = await answer(tracker)
    assert said == language_book().languages[code].answers["praise"]
    assert {"event": "pause", "timestamp": None} not in events


async def test_a_question_with_thanks_and_an_order_number_still_asks_for_the_proof(
    own_queue: str,
) -> None:
    tracker = conversation(
        [("customer", "Dov'è il mio ordine 730915? Grazie mille", "nlu_fallback")],
        "web-it-q",
    )
    _, [said] = await answer(tracker)
    texts = language_book().languages["it"]
    assert said == texts.answers["order.proof"].format(order_id="730915")


def test_a_general_question_put_to_someone_is_answered_while_waiting() -> None:
    """Waiting for a person already, "can someone help me change the address?" asks
    how to change it: answered, in the language."""
    book = language_book()
    said = book.general("fr", "Quelqu'un peut-il m'aider à changer l'adresse ?")
    assert said == book.languages["fr"].answers["address"]


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Wurde meine Bestellung 13579 storniert?"),
        ("es", "¿Mi pedido 13579 fue cancelado?"),
        ("fr", "Est-ce que ma commande 13579 a été annulée ?"),
        ("it", "L'ordine 13579 è stato annullato?"),
        ("nl", "Is mijn bestelling 13579 geannuleerd?"),
        ("pt", "A encomenda 13579 foi cancelada?"),
        ("pl", "Czy zamówienie 13579 zostało anulowane?"),
    ],
)
def test_was_it_cancelled_asks_for_the_state_not_a_cancellation(
    code: str, text: str
) -> None:
    """Whether an order was cancelled is its state (answered after the proof), not
    a cancellation a person must make; "I want to cancel it" still is one."""
    from actions.language_texts import topics_asked

    texts = language_book().languages[code]
    asked, _ = topics_asked(texts, text.lower())
    assert asked == ["order"], asked


def test_a_wish_to_cancel_is_still_a_cancellation() -> None:
    from actions.language_texts import topics_asked

    texts = language_book().languages["es"]
    asked, _ = topics_asked(texts, "quiero cancelar el pedido 13579")
    assert "cancel" in asked


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("it", "Mi rispondete sempre la stessa cosa, non mi state aiutando"),
        ("de", "Das hilft mir nicht, immer dasselbe"),
        ("fr", "Vous ne m'aidez pas du tout"),
        ("pl", "To nic nie pomaga, ciągle to samo"),
    ],
)
def test_being_let_down_by_the_answers_is_heard(code: str, text: str) -> None:
    """ "You're not helping, always the same": annoyance to hear, not a note to add."""
    assert language_book().felt(code, text)


def test_the_same_thing_in_another_size_is_no_annoyance() -> None:
    assert not language_book().felt("es", "¿Puedo pedir lo mismo en otra talla?")


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("es", "La lámpara se soltó y mi madre se cayó de la escalera"),
        ("de", "Der Hocker ist gebrochen und meine Oma ist gestürzt"),
        ("fr", "La chaise a cédé et mon père est tombé"),
        ("it", "La sedia si è rotta e mia nonna è caduta"),
        ("nl", "De kruk brak en mijn opa is gevallen"),
        ("pt", "A cadeira partiu-se e a minha avó caiu"),
        ("pl", "Krzesło się złamało i babcia upadła"),
    ],
)
def test_a_fall_the_product_caused_is_an_injury(code: str, text: str) -> None:
    """Someone fell because of the product: a person takes over at once, before
    any e-mail or postcode is asked for."""
    assert "injury" in language_book().situations(code, text)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("it", "Complimenti, spedizione velocissima: l'ordine 730915 è già qui."),
        ("fr", "Bravo, la commande 64450 est magnifique."),
        ("pl", "Gratulacje, wspaniała obsługa!"),
    ],
)
def test_words_of_praise_are_thanked_without_looking_anything_up(
    code: str, text: str
) -> None:
    book = language_book()
    said = book.reply(code, text, lambda n: None)
    assert said == book.languages[code].answers["praise"]


def test_praise_beside_a_question_still_gets_the_answer() -> None:
    book = language_book()
    said = book.reply(
        "it",
        "Complimenti! Quanto costa la spedizione espressa?",
        lambda n: None,
    )
    assert said is not None and "7,90" in said


@pytest.mark.parametrize(
    ("code", "text", "kind"),
    [
        ("nl", "Mijn zoon heeft zijn vinger opengehaald aan de scherf", "injury"),
        ("nl", "We moesten naar de eerste hulp, drie hechtingen", "injury"),
        ("it", "Mia figlia è finita al pronto soccorso per il vetro", "injury"),
        ("pl", "Zapłaciłam za to ostatnimi pieniędzmi", "hardship"),
    ],
)
def test_a_cut_that_needed_treatment_and_the_last_money_are_serious(
    code: str, text: str, kind: str
) -> None:
    assert kind in language_book().situations(code, text)


def test_a_knife_that_cuts_well_hurt_nobody() -> None:
    assert (
        language_book().situations("fr", "Le couteau est arrivé, il coupe bien") == []
    )


@pytest.mark.parametrize(
    ("code", "text", "stake"),
    [
        ("de", "Die Vase kam zerbrochen an. Schade, sie war ein Geschenk.", "Geschenk"),
        ("es", "Me llegó la talla equivocada, qué rabia, es para una boda.", "boda"),
        ("fr", "Le colis est arrivé abîmé, c'était pour ma mère.", "proche"),
        ("nl", "Het pakket is te laat en het is voor een verjaardag.", "verjaardag"),
        ("pl", "Paczka przyszła uszkodzona, a to był prezent.", "prezent"),
    ],
)
def test_what_makes_it_matter_is_named_after_what_went_wrong(
    code: str, text: str, stake: str
) -> None:
    said = language_book().handoff(code, text)
    named = next(
        say
        for words, say in language_book().languages[code].stakes.values()
        if words.search(text.lower())
    )
    assert stake in named and named in said
    # after the words for what went wrong, before who takes over
    assert 0 < said.index(named) < said.index(language_book().languages[code].handoff)


def test_a_calm_question_about_a_present_gets_no_words_about_it() -> None:
    book = language_book()
    for code, text in [
        ("es", "¿Puedo cambiar un regalo por otra talla?"),
        ("de", "Kann ich ein Geschenk umtauschen?"),
    ]:
        said = book.handoff(code, text)
        assert not any(say in said for _, say in book.languages[code].stakes.values())


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (
            "nl",
            "Er vallen kleine stukjes af, hij had er bijna een ingeslikt.",
        ),
        (
            "de",
            "Vom Spielzeug lösen sich Kleinteile, sie hätte fast eins verschluckt.",
        ),
        ("pl", "Od zabawki odpadają małe elementy, syn prawie połknął jeden."),
        ("it", "Si staccano pezzi piccoli, mia figlia li ha quasi ingoiati."),
        ("pt", "Saem peças pequenas do brinquedo e o meu filho quase engoliu uma."),
        ("nl", "Mijn dochter heeft een klein onderdeeltje ingeslikt."),
        ("es", "Mi hijo se tragó una pieza del juguete."),
        ("fr", "Ma fille a avalé une petite pièce."),
    ],
)
def test_a_toy_part_nearly_swallowed_is_a_hazard(code: str, text: str) -> None:
    assert "hazard" in language_book().situations(code, text)


@pytest.mark.parametrize(
    ("code", "text", "topic"),
    [
        # where the refund goes: a question about it, not a problem for a person
        ("es", "¿El reembolso me llega a la misma tarjeta con la que pagué?", "refund"),
        ("fr", "Le remboursement se fait sur la même carte ?", "refund"),
        ("pl", "Czy zwrot pieniędzy trafi na tę samą kartę?", "refund"),
        # a German verb in two parts ("schicke ... zurück")
        ("de", "Und wie schicke ich einen Artikel daraus zurück?", "returns"),
    ],
)
def test_refund_and_return_questions_in_other_words_are_answered(
    code: str, text: str, topic: str
) -> None:
    book = language_book()
    said = book.reply(code, text, lambda number: None)
    assert said is not None and book.languages[code].answers[topic] in said


async def test_a_short_question_after_a_general_answer_is_not_the_orders_state(
    own_queue: str,
) -> None:
    """After the returns answer (the order proven), "how many days do I have?" goes
    on with the returns, not the order's delivery again."""
    texts = language_book().languages["it"]
    tracker = conversation(
        [
            ("customer", "Posso restituire un articolo dell'ordine 730915?", "x"),
            ("bot", texts.answers["returns"], None),
            ("customer", "Entro quanti giorni?", "nlu_fallback"),
        ],
        "web-it-returns-follow-up",
        customer=owner("730915"),
        order_id="730915",
        verified_customer=owner("730915"),
    )
    _, [said] = await answer(tracker)
    # the returns (the sentence with the days, or all of it), not the delivery
    first = texts.answers["returns"].split(". ")[0]
    assert first in said and "30" in said, said
    assert "consegnato" not in said, said


async def test_thanks_for_praise_is_not_said_again_to_a_question(
    own_queue: str,
) -> None:
    texts = language_book().languages["it"]
    tracker = conversation(
        [
            ("customer", "Il pacco è arrivato prima del previsto, complimenti!", "x"),
            ("bot", texts.answers["praise"], None),
            ("customer", "Fate anche buoni regalo?", "nlu_fallback"),
        ],
        "web-it-praise-then-question",
    )
    _, said = await answer(tracker)
    assert texts.answers["praise"] not in said, said


def test_a_sentence_that_reads_a_little_like_a_neighbour_keeps_the_chats_language() -> (
    None
):
    """Portuguese "E dá para pagar com ...?" reads a little more Spanish to the
    detector: in a Portuguese chat it stays Portuguese (and "Ok, obrigado!" after it
    is thanked in Portuguese); a real switch to Spanish is still a switch."""
    chat = [
        "Olá! Que formas de pagamento é que aceitam?",
        "E dá para pagar com MB Way?",
    ]
    assert detect(chat[1]) == "es"  # the look-alike on its own
    assert conversation_language(chat) == "pt"
    assert conversation_language([*chat, "Ok, obrigado!"]) == "pt"
    switched = [chat[0], "Y puedo pagar con tarjeta de crédito?"]
    assert conversation_language(switched) == "es"


def test_a_language_we_do_not_speak_read_into_a_neighbour_keeps_the_chats() -> None:
    """A short Swedish question reads Danish to the detector: in a Swedish chat it
    is Swedish (answered, not handed to a person in English); a Danish chat stays
    Danish."""
    swedish = ["Hej! Var är min beställning 48213?", "Kommer den med PostNord?"]
    assert conversation_language(swedish[1:]) == "da"  # the look-alike on its own
    assert conversation_language(swedish) == "sv"
    danish = ["Hej! Hvor er min ordre? Jeg har ventet længe.", swedish[1]]
    assert conversation_language(danish) == "da"


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Ich bekam eine E-Mail, ich solle meine Kartendaten bestätigen."),
        ("es", "Me llegó un correo pidiendo confirmar los datos de mi tarjeta."),
        ("fr", "Un e-mail m'a demandé de confirmer mes coordonnées bancaires."),
        ("it", "Un sms mi chiedeva di aggiornare i dati della carta, l'ho fatto."),
        ("nl", "Ik kreeg een e-mail en heb mijn kaartgegevens ingevuld."),
        ("pt", "Recebi um e-mail para confirmar os dados do cartão."),
        ("pl", "Dostałam e-mail, żeby potwierdzić dane karty."),
    ],
)
def test_a_message_asking_for_card_details_is_fraud_in_every_language(
    code: str, text: str
) -> None:
    assert "fraud" in language_book().situations(code, text)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        # an order made with their card that they never made
        (
            "de",
            "Auf meiner Karte ist eine Bestellung, ich habe bei Ihnen nie was gekauft.",
        ),
        ("es", "Hay un cobro en mi tarjeta y yo no he comprado nada."),
        ("fr", "Un prélèvement sur ma carte alors que je n'ai jamais rien acheté ici."),
        ("it", "C'è un addebito sulla carta ma non ho comprato niente."),
        ("nl", "Er staat een afschrijving op mijn kaart, ik heb nooit iets besteld."),
        ("pt", "Há um débito no meu cartão e eu não comprei nada."),
        ("pl", "Na mojej karcie jest obciążenie, a nic nie zamawiałem."),
        # a message saying the account is blocked (to get the password)
        ("de", "Laut einer SMS ist mein Kundenkonto gesperrt."),
        ("es", "Un mensaje dice que mi cuenta ha sido suspendida."),
        ("fr", "Un courriel prétend que mon compte est suspendu."),
        ("it", "Un sms dice che il mio conto è stato sospeso."),
        ("nl", "Een sms zegt dat mijn account is opgeschort."),
        ("pt", "Uma mensagem diz que a minha conta foi suspensa."),
        ("pl", "Dostałam SMS-a, że moje konto zostało zawieszone."),
    ],
)
def test_a_card_used_by_someone_else_or_a_locked_account_message_is_fraud(
    code: str, text: str
) -> None:
    assert "fraud" in language_book().situations(code, text)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("es", "Nunca he comprado aquí, ¿puedo pagar con tarjeta?"),
        ("de", "Ich habe noch nie bei Ihnen bestellt, kann ich mit Karte zahlen?"),
        ("fr", "Mon compte est bloqué après trois essais, que faire ?"),
    ],
)
def test_a_first_order_or_a_locked_sign_in_is_no_fraud(code: str, text: str) -> None:
    assert "fraud" not in language_book().situations(code, text)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Verkauft ihr auch Gutscheine zum Verschenken?"),
        ("es", "¿Puedo regalar una tarjeta regalo a mi hermana?"),
        ("fr", "Je voudrais offrir un bon cadeau, c'est possible ?"),
        ("it", "Si possono comprare buoni regalo sul sito?"),
        ("nl", "Kan ik bij jullie een cadeaubon kopen?"),
        ("pt", "É possível comprar um vale de oferta?"),
        ("pl", "Czy sprzedajecie bony podarunkowe?"),
    ],
)
def test_a_gift_card_question_is_answered_in_the_language(code: str, text: str) -> None:
    """A gift card, not a way to pay by card, and nothing a person must do."""
    book = language_book()
    assert book.general(code, text) == book.say(code, "giftcard")


def test_a_double_charge_with_a_pronoun_is_heard_in_portuguese() -> None:
    heard = language_book().heard("pt", "Cobraram-me duas vezes a encomenda 300418862.")
    assert "duas vezes" in heard


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Ich glaube, jemand benutzt mein Konto."),
        ("es", "Creo que alguien está usando mi cuenta."),
        (
            "fr",
            "Une commande que je n'ai jamais passée. Quelqu'un utilise mon compte ?",
        ),
        ("it", "Qualcuno sta usando il mio account?"),
        ("nl", "Ik denk dat iemand mijn account gebruikt, iemand gebruikt mijn kaart."),
        ("pt", "Acho que alguém está a usar a minha conta."),
        ("pl", "Chyba ktoś używa mojego konta."),
    ],
)
def test_someone_in_the_account_is_fraud_in_every_language(
    code: str, text: str
) -> None:
    assert "fraud" in language_book().situations(code, text)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("fr", "Le chargeur a pris feu, personne n'a été blessé mais quelle peur."),
        ("de", "Das Ladegerät hat gebrannt, verletzt wurde zum Glück niemand."),
        ("es", "El cargador se incendió, nadie se hizo daño."),
    ],
)
def test_nobody_hurt_beside_a_fire_is_no_injury(code: str, text: str) -> None:
    found = language_book().situations(code, text)
    assert "hazard" in found and "injury" not in found


def test_not_delivered_in_dutch_is_no_worry() -> None:
    """ "bezorgd" is also "delivered": "niet bezorgd" names no feeling."""
    book = language_book()
    assert book.felt("nl", "Mijn bestelling is nog steeds niet bezorgd.") == ""
    worried = book.languages["nl"].feelings["worry"][1]
    assert book.felt("nl", "Ik ben echt bezorgd over de levering") == worried


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Na toll. Schon wieder kein Paket."),
        ("es", "Gracias por nada, sigo sin saber dónde está."),
        ("fr", "Merci pour rien, je n'ai toujours pas mon colis."),
        ("it", "Grazie per niente, il pacco non c'è ancora."),
        ("nl", "Goed geregeld hoor, weer geen pakket."),
        ("pt", "Obrigada por nada, continuo à espera."),
        ("pl", "Dzięki za nic, paczki dalej nie ma."),
    ],
)
def test_praise_that_is_a_complaint_is_annoyance(language: str, text: str) -> None:
    annoyed = language_book().languages[language].feelings["annoyed"][1]
    assert annoyed in language_book().felt(language, text)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Ich bin diesen Monat knapp bei Kasse und ihr habt zweimal abgebucht."),
        ("es", "Este mes ando justa y me habéis cobrado dos veces."),
        ("fr", "Je suis à découvert et vous m'avez débité deux fois."),
        ("it", "Sono al verde e mi avete addebitato due volte."),
        ("nl", "Ik sta rood en jullie hebben twee keer afgeschreven."),
        ("pt", "Estou apertada este mês e cobraram-me duas vezes."),
        ("pl", "Brakuje mi pieniędzy, a pobraliście opłatę dwa razy."),
    ],
)
def test_money_being_tight_in_everyday_words_is_hardship(
    language: str, text: str
) -> None:
    assert "hardship" in language_book().situations(language, text)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Gestern habe ich auf einer Seite meine Kreditkartendaten eingegeben."),
        ("es", "Metí mis datos bancarios en una página que parecía la vuestra."),
        ("fr", "J'ai tapé mon numéro de carte sur un lien reçu par SMS."),
        ("it", "Ho messo i dati bancari in un sito che sembrava il vostro."),
        ("nl", "Ik heb mijn bankgegevens opgegeven via een link."),
        ("pt", "Introduzi os dados bancários num link que recebi."),
        ("pl", "Wpisałem numer karty na stronie z linku."),
    ],
)
def test_card_details_typed_into_a_link_are_fraud(language: str, text: str) -> None:
    assert "fraud" in language_book().situations(language, text)


# -- invoices, passwords and the items themselves, in every language -----------------

# Written for these tests, several per language, formal and casual, some with typos
# or without accents: where to get an invoice, a forgotten password or signing in
# that fails, and a question about an item (size, colour, material, care, stock,
# ordering it again in another colour).
OWN_TOPICS = {
    "invoice": {
        "de": (
            "Guten Tag, wo kann ich die Rechnung zu meinem Einkauf herunterladen?",
            "brauch ne rechung fürs finanzamt",
            "Schicken Sie mir bitte eine Quittung für den Mantel?",
        ),
        "es": (
            "¿Dónde puedo descargar la factura de mi compra?",
            "necesito factura para la empresa porfa",
            "Me hace falta un recibo del pago, como lo consigo",
        ),
        "fr": (
            "Bonjour, comment obtenir la facture de mon dernier achat ?",
            "jai besoin d une facure svp",
            "Où se trouvent mes factures sur le site ?",
        ),
        "it": (
            "Buongiorno, come posso avere la fattura dell'acquisto?",
            "mi serve la fatura x il commercialista",
            "Dove trovo le fatture dei miei acquisti?",
        ),
        "nl": (
            "Waar kan ik de factuur van mijn aankoop downloaden?",
            "ik heb een bonnetje nodig voor de garantie",
            "kunnen jullie mij de faktuur sturen",
        ),
        "pt": (
            "Onde posso descarregar a fatura da minha compra?",
            "preciso do recibo pra empresa",
            "Como obtenho a factura do que comprei?",
        ),
        "pl": (
            "Gdzie mogę pobrać fakturę za zakupy?",
            "potrzebuje faktury na firme",
            "Czy dostanę paragon za tę kurtkę?",
        ),
        "sv": (
            "Var kan jag ladda ner fakturan för mitt köp?",
            "behöver ett kvitto till jobbet",
            "kan ni mejla mig fakturan",
        ),
    },
    "password": {
        "de": (
            "Ich habe mein Passwort vergessen, wie komme ich wieder rein?",
            "kann mich nicht mehr einloggen",
            "Das Anmelden funktioniert nicht, was soll ich tun?",
            "paswort zurücksetzen wie geht das",
        ),
        "es": (
            "He olvidado mi contraseña, ¿qué hago?",
            "no puedo iniciar sesion en la web",
            "No me deja entrar con mi clave de acceso",
        ),
        "fr": (
            "J'ai oublié mon mot de passe, que dois-je faire ?",
            "j'arrive pas a me connecter a mon compte",
            "Comment réinitialiser mon mdp ?",
        ),
        "it": (
            "Ho dimenticato la password del mio account, come faccio?",
            "non riesco ad accedere al sito",
            "il login non funziona da ieri",
        ),
        "nl": (
            "Ik ben mijn wachtwoord vergeten, wat moet ik doen?",
            "kan niet meer inloggen",
            "Het inloggen lukt niet, hoe los ik dat op?",
        ),
        "pt": (
            "Esqueci-me da palavra-passe, como faço?",
            "nao consigo entrar na minha conta",
            "Como posso recuperar a senha?",
        ),
        "pl": (
            "Nie pamiętam hasła do konta, co zrobić?",
            "nie moge sie zalogowac",
            "Jak zresetować haslo?",
        ),
        "sv": (
            "Jag har glömt mitt lösenord, vad gör jag?",
            "kan inte logga in",
            "Hur återställer jag losenordet?",
        ),
    },
    "product": {
        "de": (
            "Gibt es diesen Pullover auch in Größe XL?",
            "aus welchem material ist der teppich",
            "Kann ich die Bluse noch einmal in einer anderen Farbe bestellen?",
            "Darf die Pfanne in die Spülmaschine?",
        ),
        "es": (
            "¿Tienen esta chaqueta en talla L?",
            "de que material es la mochila",
            "¿Puedo volver a pedir el jersey en otro color?",
            "¿Cuánto mide la mesa?",
            "oye, queda stock del abrigo negro?",
        ),
        "fr": (
            "Cette robe existe-t-elle en taille 40 ?",
            "c quoi la matiere du sac",
            "Puis-je commander à nouveau ce pull dans une autre couleur ?",
            "Quelles sont les dimensions de l'étagère ?",
        ),
        "it": (
            "Questo maglione è disponibile in taglia M?",
            "di che materiale è lo zaino",
            "Posso riordinare le stesse scarpe in un altro colore?",
            "Il piumone è lavabile in lavatrice?",
            "quando torna disponibile il cappotto nero?",
        ),
        "nl": (
            "Heeft u deze jas ook in maat L?",
            "van welk materiaal is die tas",
            "Kan ik dezelfde trui nog een keer bestellen in een andere kleur?",
            "Wat zijn de afmetingen van het kastje?",
        ),
        "pt": (
            "Este casaco existe no tamanho L?",
            "qual e o material da mochila",
            "Posso voltar a encomendar a camisola noutra cor?",
            "Quais são as medidas da mesa?",
        ),
        "pl": (
            "Czy ta kurtka jest w rozmiarze L?",
            "z jakiego materialu jest plecak",
            "Czy mogę ponownie zamówić sweter w innym kolorze?",
            "Jakie są wymiary tej szafki?",
        ),
        "sv": (
            "Finns den här jackan i storlek L?",
            "vilket material är ryggsäcken gjord av",
            "Kan jag beställa samma tröja igen i en annan färg?",
            "Vilka mått har bokhyllan?",
        ),
    },
}


@pytest.mark.parametrize(
    ("topic", "code", "text"),
    [(t, c, x) for t, by in OWN_TOPICS.items() for c, xs in by.items() for x in xs],
)
def test_invoices_passwords_and_items_are_answered_in_every_language(
    topic: str, code: str, text: str
) -> None:
    texts = language_book().languages[code]
    said = language_book().reply(code, text, lambda _: None)
    # a plain answer to a calm question: nothing else, no stock offer of a person
    assert said == texts.answers[topic]


def test_the_new_answers_say_what_english_says() -> None:
    """Account > Billing, a PDF, a person to e-mail it (answers.yml get_invoice);
    Sign in > Forgot password, a link valid 24 hours (recover_password); the product
    page, and a person from our team to ask the product team (faq.yml)."""
    for code in SUPPORTED:
        texts = language_book().languages[code]
        team = texts.team
        assert team is not None
        invoice = texts.answers["invoice"]
        assert " > " in invoice and "PDF" in invoice, code
        assert team.search(invoice.lower()), code  # the offer logic sees a person
        password = texts.answers["password"]
        assert " > " in password and "24" in password, code
        assert not team.search(password.lower()), code
        assert team.search(texts.answers["product"].lower()), code
        for key in ("order.shipped_late", "order.processing_late"):
            # a person offered to chase it: no second offer after it
            assert team.search(texts.answers[key].lower()), (code, key)


# Written for this test, one line per language: an exchange of a delivered item for
# another size (the returns answer, as before), and a wrong colour delivered (a
# person), whose size and colour words are no question about the item.
NOT_PRODUCT = {
    "de": (
        "Kann ich die gelieferten Schuhe gegen eine andere Größe umtauschen?",
        "Geliefert wurde die falsche Farbe, ich wollte Grün.",
    ),
    "es": (
        "¿Puedo cambiar la talla de las botas que me llegaron?",
        "Me llegó el jersey en un color equivocado.",
    ),
    "fr": (
        "Puis-je échanger les chaussures reçues contre une autre taille ?",
        "J'ai reçu la mauvaise couleur, je voulais du vert.",
    ),
    "it": (
        "Posso cambiare la taglia delle scarpe che ho ricevuto?",
        "Mi è arrivato il colore sbagliato, volevo il verde.",
    ),
    "nl": (
        "Kan ik de geleverde schoenen ruilen voor een andere maat?",
        "Ik heb de verkeerde kleur gekregen, ik wilde groen.",
    ),
    "pt": (
        "Posso trocar o tamanho das botas que recebi?",
        "Recebi a cor errada, eu queria verde.",
    ),
    "pl": (
        "Czy mogę wymienić buty na inny rozmiar?",
        "Przyszedł zły kolor, chciałam zielony.",
    ),
    "sv": (
        "Kan jag byta skorna jag fick mot en annan storlek?",
        "Jag fick fel färg, jag ville ha grön.",
    ),
}


@pytest.mark.parametrize("code", SUPPORTED)
def test_an_exchange_or_a_wrong_colour_is_no_question_about_the_item(
    code: str,
) -> None:
    texts = language_book().languages[code]
    exchange, wrong = NOT_PRODUCT[code]
    said = language_book().reply(code, exchange, lambda _: None)
    assert said is not None and texts.answers["product"] not in said
    assert texts.answers["returns"] in said
    assert language_book().reply(code, wrong, lambda _: None) is None  # a person


# Written for this test, one line per language: a password given away on a fake page.
PASSWORD_FRAUD = {
    "de": "Ich habe mein Passwort auf einer gefälschten Seite eingegeben, was nun?",
    "es": "Creo que di mi contraseña en un correo falso que parecía suyo.",
    "fr": "J'ai donné mon mot de passe sur un faux site qui vous imitait.",
    "it": "Ho inserito la mia password su un sito che sembrava il vostro, era falso.",
    "nl": "Ik heb mijn wachtwoord ingevuld op een nepwebsite die op de uwe leek.",
    "pt": "Dei a minha senha num site falso que parecia ser o vosso.",
    "pl": "Podałem hasło na fałszywej stronie, która wyglądała jak wasza.",
    "sv": "Jag skrev in mitt lösenord på en falsk sida som såg ut precis som er.",
}


@pytest.mark.parametrize("code", SUPPORTED)
async def test_a_password_given_to_a_fake_page_is_fraud_for_a_person(
    own_queue: str, code: str
) -> None:
    texts = language_book().languages[code]
    text = PASSWORD_FRAUD[code]
    assert "fraud" in language_book().situations(code, text)
    tracker = conversation([("customer", text, "nlu_fallback")], f"web-{code}-phish")
    events, [said] = await answer(tracker)
    assert events[-2:] == PAUSED
    assert said.startswith(texts.care["fraud"]) and texts.handoff in said
    assert texts.answers["password"] not in said
    assert await has_ticket(tracker.sender_id)


# Written for this test, one line per language: where order 808080123456 is, said to
# be late (it is: due four days ago, still with the carrier), then the same with a
# worry named.
LATE = {
    "de": (
        "Meine Bestellung 808080123456 ist verspätet, wo ist sie gerade?",
        "Meine Bestellung 808080123456 ist verspätet und ich mache mir Sorgen.",
    ),
    "es": (
        "Mi pedido 808080123456 va con retraso, ¿dónde está ahora?",
        "Mi pedido 808080123456 va con retraso y estoy muy preocupada.",
    ),
    "fr": (
        "Ma commande 808080123456 est en retard, où est-elle maintenant ?",
        "Ma commande 808080123456 est en retard et je suis inquiète.",
    ),
    "it": (
        "Il mio ordine 808080123456 è in ritardo, dove si trova adesso?",
        "Il mio ordine 808080123456 è in ritardo e sono preoccupata.",
    ),
    "nl": (
        "Mijn bestelling 808080123456 is vertraagd, waar is ze nu?",
        "Mijn bestelling 808080123456 is vertraagd en ik maak me zorgen.",
    ),
    "pt": (
        "A minha encomenda 808080123456 está atrasada, onde está agora?",
        "A minha encomenda 808080123456 está atrasada e estou preocupada.",
    ),
    "pl": (
        "Moje zamówienie 808080123456 jest opóźnione, gdzie teraz jest?",
        "Moje zamówienie 808080123456 jest opóźnione i bardzo się martwię.",
    ),
    "sv": (
        "Min beställning 808080123456 är försenad, var är den nu?",
        "Min beställning 808080123456 är försenad och jag är orolig.",
    ),
}


@pytest.mark.parametrize("code", SUPPORTED)
async def test_a_late_order_gets_where_it_is_and_a_person_offered(
    own_queue: str, code: str
) -> None:
    """As in English (track_order.shipped_late): that it is late, where it is and a
    person from our team offered to chase the carrier; not handed over at once. A
    customer already waiting for a person gets the state without the offer."""
    book = language_book()
    texts = book.languages[code]
    order = await store().order("808080123456")
    assert order is not None and order.late
    calm, worried = LATE[code]
    tracker = conversation(
        [("customer", calm, "nlu_fallback")],
        f"web-{code}-late",
        customer=owner("808080123456"),
    )
    events, [said] = await answer(tracker)
    late = dict(zip(PROBLEM_KINDS, texts.problems, strict=True))["late"][1]
    offer = texts.answers["order.late_offer"]
    assert said == f"{late} {book.order_answer(code, order.values())} {offer}"
    assert order.tracking in said and texts.answers["offer_person"] not in said
    assert texts.team is not None and len(texts.team.findall(said.lower())) == 1
    assert {"event": "pause", "timestamp": None} not in events
    assert not await has_ticket(tracker.sender_id)
    assert offer not in book.order_answer(code, order.values())
    # someone the shop did not vouch for: the proof first, then the same answer
    # (what went wrong was heard with the question), the offer kept
    stranger = conversation(
        [("customer", calm, "nlu_fallback")], f"web-{code}-late-anon"
    )
    _, [asked] = await answer(stranger)
    assert asked == f"{late} {texts.answers['order.proof'].format(order_id=order.id)}"
    proved = conversation(
        [
            ("customer", calm, "nlu_fallback"),
            ("bot", asked, None),
            ("customer", "kwame.mensah@example.org", "nlu_fallback"),
        ],
        f"web-{code}-late-proved",
        order_id=order.id,
    )
    events, [said] = await answer(proved)
    assert said == f"{book.order_answer(code, order.values())} {offer}"
    assert PAUSED[-1] not in events
    # with a worry named: the worry heard, then where it is and the person
    # offered, as in English (no queue for a mild worry)
    tracker = conversation(
        [("customer", worried, "nlu_fallback")],
        f"web-{code}-late-worried",
        customer=owner("808080123456"),
    )
    events, [said] = await answer(tracker)
    assert PAUSED[-1] not in events and texts.handoff not in said
    assert not await has_ticket(tracker.sender_id)
    assert said.endswith(f"{book.order_answer(code, order.values())} {offer}")
    assert said.startswith(texts.feelings["worry"][1]), said


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Ich habe schon viermal nachgefragt und keiner meldet sich"),
        ("es", "Es la cuarta vez que escribo por lo mismo"),
        ("fr", "J'ai déjà écrit trois fois à ce sujet"),
        ("it", "Ho già scritto due volte e nessuno risponde"),
        ("nl", "Ik mail nu al drie keer over dit pakket"),
        ("pt", "Já escrevi duas vezes e ninguém me responde"),
        ("pl", "Pytałam już dwa razy i nic"),
    ],
)
def test_having_to_ask_again_is_named_in_the_handoff(code: str, text: str) -> None:
    """Asked two, three, four times: the handoff says sorry for that, not "thank you
    for your message"."""
    book = language_book()
    said = book.handoff(code, text)
    assert not said.startswith(book.languages[code].thanks), said
    raw = yaml.safe_load(LANGUAGES_FILE.read_text(encoding="utf-8"))
    assert said.startswith(raw["languages"][code]["problems"]["repeated"]["care"])


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Von meinem Konto wurde ohne meine Erlaubnis etwas abgebucht"),
        ("es", "Alguien pagó con mi tarjeta sin mi autorización"),
        ("fr", "Un paiement a été débité de mon compte sans mon autorisation"),
        ("it", "Hanno usato la mia carta senza il mio consenso"),
        ("pt", "Usaram o meu cartão sem a minha autorização"),
        ("pl", "Ktoś zapłacił moją kartą bez mojej zgody"),
        ("it", "Hanno comprato qualcosa dal mio account senza il mio permesso"),
    ],
)
def test_a_card_used_without_consent_is_fraud(code: str, text: str) -> None:
    assert language_book().situations(code, text)[:1] == ["fraud"]


def test_an_order_cancelled_without_consent_is_no_fraud() -> None:
    assert (
        language_book().situations("fr", "On a annulé ma commande sans mon accord")
        == []
    )
    cancelled = "Avete annullato il mio ordine senza il mio permesso"
    assert language_book().situations("it", cancelled) == []


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("es", "Hola, ¿aceptan contra reembolso?"),
        ("pt", "Posso pagar à cobrança quando chegar?"),
    ],
)
def test_a_way_to_pay_named_is_a_payment_question_whatever_its_words(
    code: str, text: str
) -> None:
    """ "contra reembolso" is cash on delivery, not a refund for a person: the no for
    that way to pay, and no handoff."""
    said = language_book().reply(code, text, lambda _: None)
    assert said is not None and said.startswith(
        language_book().languages[code].answers["payment.no"].split("{")[0]
    ), said


@pytest.mark.parametrize(
    ("code", "text", "doctor"),
    [
        ("fr", "La bouilloire a fui et mon fils s'est brûlé le bras.", True),
        (
            "fr",
            "La bouilloire a fui et mon fils s'est brûlé le bras. Il va bien.",
            False,
        ),
    ],
)
def test_someone_hurt_hears_see_a_doctor_first_in_their_language(
    code: str, text: str, doctor: bool
) -> None:
    """As in English: a doctor first, in the waiting replies' words, unless the
    message says the one hurt is all right or saw one; the product not used either
    way."""
    from bot.texts import say

    said = language_book().handoff(code, text)
    assert (say("waiting_advice_safety", code) in said) is doctor, said
    assert "produit" in said


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Eine Mail in Ihrem Namen will, dass ich meine Bankdaten bestätige."),
        ("es", "Un mensaje dice que confirme los datos de mi tarjeta, ¿sois vosotros?"),
        ("it", "Mi è arrivato un sms che chiede di verificare la password del conto."),
        ("nl", "Een mail vraagt me mijn inloggegevens te bevestigen, is dat echt?"),
        ("pt", "Uma mensagem pede-me para confirmar a senha. Foram vocês?"),
        ("pl", "Przyszedł e-mail z prośbą o podanie danych karty. To od was?"),
    ],
)
def test_a_message_asking_to_confirm_a_password_or_bank_details_is_fraud(
    code: str, text: str
) -> None:
    """A message in the shop's name asking for a password, card or bank details
    is phishing in any of our languages, not a question how to reset a password."""
    assert "fraud" in language_book().situations(code, text)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Wie kann ich mein Passwort ändern?"),
        ("es", "No me llega el correo para cambiar la contraseña"),
        ("it", "Come aggiorno i dati della carta nel mio account?"),
    ],
)
def test_changing_a_password_or_card_of_ones_own_is_no_fraud(
    code: str, text: str
) -> None:
    assert "fraud" not in language_book().situations(code, text)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Jemand hat mit meiner Karte etwas gekauft, das habe ich nie bestellt."),
        ("es", "Alguien ha comprado con mi cuenta, yo no he sido."),
        ("fr", "Quelqu'un a utilisé mon compte pour commander."),
        ("it", "Qualcuno ha usato la mia carta sul vostro sito."),
        ("nl", "Iemand heeft met mijn account besteld."),
        ("pt", "Alguém fez uma compra com a minha conta."),
        ("pl", "Ktoś zamówił coś na moje konto, ja tego nie zamawiałam."),
    ],
)
def test_someone_else_using_the_account_is_fraud_not_a_request_for_a_person(
    code: str, text: str
) -> None:
    """ "Someone ordered on my account": the someone is the fraudster, not a person
    asked for, so the handoff opens with the words for fraud, never "Sure."."""
    book = language_book()
    texts = book.languages[code]
    assert "person" not in topics_asked(texts, text.lower())[0]
    assert "fraud" in book.situations(code, text)
    said = book.handoff(code, text)
    assert said.startswith(book.care(code, "fraud", text)), said


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Kann mir bitte jemand helfen?"),
        ("de", "Könnte das vielleicht jemand für mich übernehmen?"),
        ("es", "Quiero hablar con alguien, por favor."),
        ("fr", "Est-ce que je peux parler à quelqu'un ?"),
        ("it", "Vorrei parlare con qualcuno."),
        ("nl", "Kan iemand mij even helpen?"),
        ("pt", "Quero falar com alguém."),
        ("pl", "Chcę porozmawiać z kimś z obsługi."),
    ],
)
def test_asking_for_someone_is_a_request_for_a_person(code: str, text: str) -> None:
    texts = language_book().languages[code]
    assert "person" in topics_asked(texts, text.lower())[0]


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Können Sie sehen, wo das Paket gerade ist?"),
        ("es", "¿Puede ver dónde se encuentra o dónde está ahora mismo?"),
        ("es", "¿Sabe dónde mi paquete está?"),
        ("fr", "Pouvez-vous voir où il est maintenant ?"),
        ("it", "Riesce a vedere dove adesso si trova?"),
        ("nl", "Kunt u nagaan waar mijn pakketje nu is?"),
        ("nl", "Kun je zien waar het nu is?"),
        ("pt", "Consegue ver onde ela agora está?"),
        ("pl", "Czy może Pan sprawdzić, gdzie ona teraz jest?"),
    ],
)
def test_where_it_is_now_asks_about_the_order(code: str, text: str) -> None:
    """ "Where it is now", with words between "where" and "is" as a question puts
    it, is about the chat's order in every language, not a question we cannot
    answer."""
    assert language_book().asks_about_the_order(code, text)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (
            "it",
            "Grazie. Quando arriva più o meno? Sono un po' in ansia perché è un "
            "regalo per venerdì.",
        ),
        ("es", "Gracias. ¿Y cuándo me llega más o menos? Estoy un poco preocupada."),
        ("de", "Danke. Wann kommt sie denn ungefähr? Ich mache mir etwas Sorgen."),
    ],
)
async def test_when_it_comes_after_its_state_with_a_worry_is_answered(
    own_queue: str, code: str, text: str
) -> None:
    """ "When will it arrive? I'm a bit anxious, it's a gift" right after the order's
    state is about that order: its day, after the words for the worry, not the
    order number asked for or a person brought in."""
    order = await store().order("48213")
    assert order is not None
    book = language_book()
    tracker = conversation(
        [
            ("customer", f"{ORDER_WORD[code]} 48213?", "nlu_fallback"),
            ("bot", book.order_answer(code, order.values()), None),
            ("customer", text, "nlu_fallback"),
        ],
        f"web-{code}-when-worried",
        customer=owner("48213"),
        order_id="48213",
    )
    _, [said] = await answer(tracker)
    assert said.endswith(book.order_answer(code, order.values(), again=True)), said
    assert said.startswith(book.heard(code, text)) and book.heard(code, text), said
    assert not await has_ticket(tracker.sender_id)


ORDER_WORD = {
    "it": "Dov'è il mio ordine",
    "es": "¿Dónde está mi pedido",
    "de": "Wo ist meine Bestellung",
}


IF_NOT = {
    "de": "Und was passiert, wenn sie gar nicht mehr ankommt?",
    "es": "¿Y si no me llega?",
    "fr": "Et s'il n'arrive pas, qu'est-ce que je peux faire ?",
    "it": "E se non arriva?",
    "nl": "En als het pakket niet aankomt?",
    "pt": "E se não chegar?",
    "pl": "A jeśli nie dotrze?",
    "sv": "Och om paketet inte kommer fram?",
}


@pytest.mark.parametrize(("code", "text"), sorted(IF_NOT.items()))
def test_what_happens_if_it_never_arrives_is_answered(code: str, text: str) -> None:
    """ "And if it never arrives?" has an answer in every language (a person chases
    the carrier, a replacement or a full refund), not "I have no sure answer"."""
    book = language_book()
    said = book.reply(code, text, lambda number: None)
    assert said == book.languages[code].answers["if_not"], said


@pytest.mark.parametrize(
    ("code", "text", "follows"),
    [
        ("nl", "Hoe lang heb ik daarvoor de tijd?", True),  # points back: "for that"
        ("de", "Wie viel Zeit habe ich denn dafür noch?", True),
        ("es", "¿Y para eso cuántos días tengo en total?", True),
        # a new question of the same length is no follow-up
        ("de", "Danke. Kann ich an der Kasse einen Rabattcode eingeben?", False),
    ],
)
def test_a_longer_question_that_points_back_follows_up(
    code: str, text: str, follows: bool
) -> None:
    assert language_book().follows_up(code, text) is follows


SAME_CARD = {
    "de": "Geht das Geld dann zurück auf dieselbe Karte?",
    "es": "¿Y se devuelve a la misma tarjeta con la que pagué?",
    "fr": "Est-ce que c'est remboursé sur la même carte ?",
    "it": "Viene rimborsato sulla stessa carta?",
    "nl": "Komt het terug op dezelfde kaart?",
    "pt": "É devolvido no mesmo cartão?",
    "pl": "Czy zwrot będzie na tę samą kartę?",
    "sv": "Kommer pengarna tillbaka till samma kort?",
}


@pytest.mark.parametrize(("code", "text"), sorted(SAME_CARD.items()))
def test_money_back_to_the_same_card_is_the_refund_not_how_to_pay(
    code: str, text: str
) -> None:
    """ "Does it go back to the same card?" asks where a refund goes (the refund
    answer: the way they paid), not which ways to pay we take."""
    book = language_book()
    said = book.reply(code, text, lambda number: None)
    assert said == book.languages[code].answers["refund"], said


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (
            "es",
            "Holaa! Me llegó el pedido 64450 y me encanta 😍 "
            "¿Puedo comprar otro igual?",
        ),
        (
            "de",
            "Die Vase aus Bestellung 651234 ist wunderschön! "
            "Kann ich noch eine kaufen?",
        ),
    ],
)
def test_praise_with_a_question_is_thanked_and_the_question_answered(
    code: str, text: str
) -> None:
    """An order praised beside a question ("I love it, can I buy another?"): thanked,
    then the question answered; the order is not looked up (nor its proof asked)."""
    book = language_book()
    answers = book.languages[code].answers
    looked_up: list[str] = []

    def order(number: str) -> dict[str, Any] | None:
        looked_up.append(number)
        return None

    said = book.reply(code, text, order)
    assert said is not None
    assert said.startswith(answers["praise"]) and answers["product"] in said, said
    assert not looked_up


async def test_a_fraud_handoff_carries_no_general_answer(own_queue: str) -> None:
    """ "Muss ich das bezahlen? Ich habe Angst, dass das Betrug ist.": a person for
    the fraud, without the ways to pay pasted in (the question is whether to pay
    at all, not how)."""
    texts = language_book().languages["de"]
    tracker = german(
        (
            "customer",
            "Ich habe eine Rechnung von Ihnen bekommen, aber nichts bestellt. "
            "Muss ich das bezahlen? Ich habe Angst, dass das Betrug ist.",
        ),
    )
    _, [said] = await answer(tracker)
    assert await has_ticket(tracker.sender_id)
    assert texts.answers["payment"] not in said, said


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("it", "La ringrazio."),
        ("de", "Ich bedanke mich."),
        ("es", "Se lo agradezco mucho."),
        ("fr", "Je vous remercie."),
        ("pt", "Agradeço muito."),
    ],
)
async def test_formal_thanks_is_thanked_not_handed_over(
    own_queue: str, code: str, text: str
) -> None:
    """ "La ringrazio." after an answer is thanks: "you're welcome" in the language,
    not a person brought in."""
    texts = language_book().languages[code]
    tracker = conversation(
        [
            ("customer", ASKED[code][0], "nlu_fallback"),
            ("bot", texts.answers["delivery"], None),
            ("customer", text, "nlu_fallback"),
        ],
        f"web-{code}-formal-thanks",
    )
    _, [said] = await answer(tracker)
    assert not await has_ticket(tracker.sender_id), said


@pytest.mark.parametrize(
    ("code", "text", "wrong"),
    [
        ("sv", "Kan jag byta storlek i stället för att returnera?", False),
        ("sv", "Jag fick en blå i stället för en röd", True),
        ("de", "Kann ich umtauschen statt zurückzuschicken?", False),
        ("de", "Ich habe einen Pullover statt einer Jacke bekommen", True),
        ("es", "¿Puedo cambiar la talla en vez de devolverlo?", False),
        ("es", "Me llegó una camiseta en vez de un jersey", True),
        ("fr", "Puis-je échanger au lieu de le renvoyer ?", False),
        ("it", "Posso cambiare la taglia invece di restituirlo?", False),
        ("it", "Ho ricevuto una maglia invece di una giacca", True),
        ("nl", "Kan ik ruilen in plaats van het te retourneren?", False),
        ("pt", "Posso trocar em vez de devolver?", False),
        ("pl", "Czy mogę wymienić zamiast zwracać?", False),
        ("pl", "Dostałam czerwony zamiast niebieskiego", True),
    ],
)
def test_instead_of_doing_something_is_no_wrong_item(
    code: str, text: str, wrong: bool
) -> None:
    """ "Can I exchange instead of returning it?" asks how; "a red one instead of a
    blue one" is the wrong item (a person, with an apology)."""
    from bot.waiting_reading import words_for

    found = [n for n, p in words_for(code).situations if p.search(text.lower())]
    assert ("wrong_item" in found) is wrong, found


AWAY = {
    "de": "Und was passiert, wenn ich nicht zu Hause bin?",
    "es": "vale y si no estoy en casa q pasa",
    "fr": "Et si je ne suis pas là ?",
    "it": "E se non sono a casa?",
    "nl": "En als ik niet thuis ben?",
    "pt": "E se eu não estiver em casa?",
    "pl": "A jeśli nie będzie mnie w domu?",
    "sv": "Och om jag inte är hemma?",
}


@pytest.mark.parametrize(("code", "text"), sorted(AWAY.items()))
def test_nobody_at_home_is_answered_in_every_language(code: str, text: str) -> None:
    """ "And if I'm not home?" has its answer (a card, the pick-up point, a safe
    place), not a person brought in."""
    book = language_book()
    said = book.reply(code, text, lambda number: None)
    assert said == book.languages[code].answers["away"], said


@pytest.mark.parametrize(
    ("code", "order_id", "email", "first", "question"),
    [
        (
            "sv",
            "730915",
            "maya.lindqvist@example.com",
            "Hej, jag vill skicka tillbaka något från order 730915.",
            "Hur lång tid tar återbetalningen?",
        ),
        (
            "pl",
            "228810",
            "priya.raman@example.org",
            "Dzień dobry, gdzie jest zamówienie 228810?",
            "Dziękuję. Ile trwa zwrot pieniędzy po odesłaniu paczki?",
        ),
    ],
)
async def test_how_long_a_refund_takes_is_answered_beside_an_order_without_one(
    code: str, order_id: str, email: str, first: str, question: str
) -> None:
    """How long a refund takes, asked in a chat about an order proven theirs that
    has no refund on record (nothing awaited, nothing to cancel): the general answer,
    not "I have no sure answer" nor a person."""
    tracker = conversation(
        [
            ("customer", first, "nlu_fallback"),
            ("bot", "?", None),
            ("customer", email, "inform"),
            ("bot", f"{order_id}.", None),
            ("customer", question, "nlu_fallback"),
        ],
        f"refund-time-{code}",
        order_id=order_id,
        verified_customer=owner(order_id),
    )
    dispatcher = CollectingDispatcher()
    await ActionNotUnderstood().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert message["text"].startswith(language_book().say(code, "refund")[:40])
    assert language_book().say(code, "unsure") not in message["text"]


def test_what_makes_it_matter_more_is_not_said_after_a_death() -> None:
    """A present for someone who died is no reason for "I understand how important
    it is": after words for a death the handoff says no stakes; after a broken
    present it still does."""
    book = language_book()
    gift = book.languages["de"].stakes["gift"][1]
    died = "Mein Vater ist gestorben. Die Bestellung war ein Geschenk für ihn."
    loss = book.handoff("de", died)
    assert loss.startswith(book.care("de", "bereavement", died))
    assert "Ihren Vater" in loss
    assert gift not in loss
    broken = book.handoff("de", "Das Geschenk für meine Schwester kam kaputt an.")
    assert gift in broken


@pytest.mark.parametrize(
    ("code", "text", "heard"),
    [
        ("nl", "Het pakket is al dagen onderweg en ik maak me wat zorgen", True),
        ("de", "Die Bestellung hängt seit Tagen fest, das nervt wirklich", True),
        ("es", "llevo esperando muchísimo mi pedido", True),
        ("nl", "Ik had een wekker besteld, maar er zat een föhn in", True),
        # making sure of something is no worry; packaging is no annoyance
        ("nl", "Ik zal ervoor zorgen dat ik thuis ben", False),
        ("de", "Können Sie nerviges Verpackungsmaterial weglassen?", False),
    ],
)
def test_a_feeling_or_a_wait_in_everyday_words_is_heard(
    code: str, text: str, heard: bool
) -> None:
    """ "ik maak me wat zorgen", "das nervt", "llevo esperando": words for the worry,
    the annoyance or the wait come before the question for the proof."""
    assert bool(language_book().heard(code, text)) is heard


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Die Rückerstattung, wann ist die denn da?"),
        ("de", "hey wie lang dauert das mit der kohle zurück?"),
        ("es", "Y el dinero, ¿cuándo me lo devuelven?"),
        ("fr", "Et mon remboursement, je le reçois dans combien de jours ?"),
        ("it", "I soldi indietro li ricevo quando?"),
        ("nl", "De terugbetaling komt wanneer binnen?"),
        ("pt", "O estorno cai na conta quando?"),
        ("pl", "Pieniądze wrócą na konto kiedy?"),
        ("sv", "Pengarna kommer tillbaka när, ungefär?"),
        # ...or "when?" asked in a few words right after
        ("pt", "E o estorno, chega? Quando?"),
        ("de", "Kriege ich die Rückerstattung? Und wann?"),
        ("it", "Mi restituite i soldi? Quando?"),
    ],
)
def test_when_the_money_comes_back_is_asked_in_any_order(code: str, text: str) -> None:
    """The money and when, in one sentence in any order (or "when?" in a few words
    right after), ask about the refund (``topics_together``), not for a person as
    something that went wrong."""
    asked, _ = topics_asked(language_book().languages[code], text.lower())
    assert asked == ["refund"]


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Der Teller hat einen abgeplatzten Rand."),
        ("es", "La taza vino astillada por un lado."),
        ("fr", "Le saladier est ébréché sur le bord."),
        ("it", "Il piatto ha il bordo sbeccato."),
        ("nl", "Het bord is geschilferd aan de rand."),
        ("pt", "A caneca veio riscada por todo o lado."),
        ("pl", "Talerz jest obtłuczony na brzegu."),
        ("sv", "Tallriken är kantstött."),
    ],
)
def test_a_chipped_or_scratched_item_is_damage_in_every_language(
    code: str, text: str
) -> None:
    """Small damage (chipped, scratched) is damage: a person puts it right, with
    the care for a damaged item."""
    texts = language_book().languages[code]
    asked, _ = topics_asked(texts, text.lower())
    assert "problem" in asked
    raw = yaml.safe_load(LANGUAGES_FILE.read_text(encoding="utf-8"))
    damaged = raw["languages"][code]["problems"]["damaged"]["care"]
    assert problem_said(texts, text.lower()) == damaged


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Und falls das Paket nie mehr auftaucht?"),
        ("es", "¿Y si la caja se extravía?"),
        ("fr", "Et s'il se perd en route ?"),
        ("it", "E se l'ordine è sparito?"),
        ("nl", "En als de bestelling echt zoek is?"),
        ("pt", "E se o pacote desaparecer?"),
        ("pl", "A jeśli kurier ją zgubi?"),
        ("sv", "Och om beställningen har försvunnit?"),
    ],
)
def test_what_if_it_is_lost_is_asked_in_other_words(code: str, text: str) -> None:
    """What happens if the parcel never turns up or is lost, in words of the
    customer's own, asks the ``if_not`` question (answered: a person chases it and
    replaces or refunds it), not one for a person."""
    asked, _ = topics_asked(language_book().languages[code], text.lower())
    assert "if_not" in asked


@pytest.mark.parametrize(
    ("code", "problem", "contact"),
    [
        (
            "de",
            "Schon zum dritten Mal kommt die Jacke in der falschen Farbe.",
            "Ich melde mich jetzt zum dritten Mal.",
        ),
        (
            "es",
            "Es la tercera vez que me llega la talla equivocada.",
            "Es la tercera vez que escribo.",
        ),
        (
            "fr",
            "C'est la troisième fois que le colis arrive abîmé.",
            "C'est la troisième fois que je relance.",
        ),
        (
            "it",
            "È la terza volta che ricevo il colore sbagliato.",
            "È la terza volta che scrivo.",
        ),
        (
            "nl",
            "Voor de derde keer krijg ik de verkeerde maat.",
            "Dit is de derde keer dat ik mail.",
        ),
        (
            "pt",
            "É a terceira vez que recebo a cor errada.",
            "É a terceira vez que escrevo.",
        ),
        ("pl", "Trzeci raz dostaję zły kolor.", "Piszę już trzeci raz."),
        (
            "sv",
            "För tredje gången får jag fel färg.",
            "Det är tredje gången jag skriver.",
        ),
    ],
)
def test_a_problem_again_is_no_chasing_us_again(
    code: str, problem: str, contact: str
) -> None:
    """ "The third time the wrong colour comes" is the problem again, met with the
    care for it; "the third time I write" is chasing us, met with that."""
    texts = language_book().languages[code]
    raw = yaml.safe_load(LANGUAGES_FILE.read_text(encoding="utf-8"))
    chased = raw["languages"][code]["problems"]["repeated"]["care"]
    assert problem_said(texts, problem.lower()) != chased
    assert problem_said(texts, contact.lower()) == chased


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("sv", "Kan någon snälla hjälpa mig med det här?"),
        ("es", "Por favor, ¿alguien me podría ayudar con esto?"),
        ("it", "Qualcuno mi potrebbe aiutare con questo?"),
        ("pt", "Alguém me pode ajudar com a minha encomenda? Obrigada."),
        ("pl", "Ktoś może mi w tym pomóc?"),
    ],
)
async def test_can_someone_help_me_asks_for_a_person(
    own_queue: str, code: str, text: str
) -> None:
    """ "Can someone help me?" in the language is a request for a person: one is
    brought in, not "no sure answer, shall I bring someone in?"."""
    asked, _ = topics_asked(language_book().languages[code], text.lower())
    assert "person" in asked
    tracker = conversation([("customer", text, "nlu_fallback")], f"web-help-{code}")
    events, _ = await answer(tracker)
    assert {"event": "pause", "timestamp": None} in events


def test_the_return_label_is_a_returns_question_in_german() -> None:
    asked, _ = topics_asked(
        language_book().languages["de"], "wo finde ich den rücksendeschein?"
    )
    assert asked == ["returns"]


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Ein Mann rief mich an und wollte meine PIN, ich habe sie ihm genannt."),
        ("es", "Una llamada de 'su tienda' me pidió la clave de la tarjeta."),
        ("fr", "On m'a téléphoné de votre part et j'ai donné le code de ma carte."),
        ("it", "Una telefonata a vostro nome mi ha chiesto il codice della carta."),
        ("nl", "Een man heeft me gebeld en vroeg om mijn pincode."),
        ("pt", "Telefonaram-me em vosso nome e pediram a senha do cartão."),
        ("pl", "Jakiś pan zadzwonił i prosił o kod BLIK do karty."),
        ("sv", "En man ringde och frågade efter min pinkod till kortet."),
    ],
)
def test_a_caller_who_asked_for_card_details_is_fraud(code: str, text: str) -> None:
    """A phone call that asked for (or got) card or bank details is fraud in every
    language; a call about a delivery is not."""
    assert "fraud" in language_book().situations(code, text)


def test_a_call_about_a_delivery_is_no_fraud() -> None:
    assert language_book().situations("de", "Der Fahrer hat mich angerufen.") == []
    assert language_book().situations("nl", "De bezorger belde me net op.") == []


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("it", "vorrei aggiornare l'indirizzo e-mail del mio profilo"),
        ("de", "Wie ändere ich die E-Mail-Adresse in meinem Konto?"),
        ("fr", "comment modifier l'adresse mail de mon compte ?"),
        ("es", "quiero cambiar la dirección de correo de mi cuenta"),
        ("pt", "como altero o endereço de e-mail da minha conta?"),
    ],
)
def test_an_e_mail_address_is_no_delivery_address(code: str, text: str) -> None:
    """Changing the account's e-mail address is not changing where an order goes:
    no delivery-address answer (the address words alone would say so)."""
    asked, _ = topics_asked(language_book().languages[code], text.lower())
    assert "address" not in asked, asked
    where = {"it": "indirizzo di consegna", "de": "Lieferadresse"}.get(code)
    if where:  # the delivery address itself still is one
        moved = text.lower().replace("e-mail-adresse", where.lower())
        moved = moved.replace("indirizzo e-mail", where)
        assert "address" in topics_asked(language_book().languages[code], moved)[0]


def test_a_double_charge_told_verb_first_is_heard_in_polish() -> None:
    """ "Zostałem obciążony dwa razy" (the verb before "twice") is the double charge,
    as "dwa razy pobrano" is; the money being for food is hardship."""
    texts = language_book().languages["pl"]
    care = yaml.safe_load(LANGUAGES_FILE.read_text(encoding="utf-8"))["languages"][
        "pl"
    ]["problems"]["double_charge"]["care"]
    said = "Zostałem obciążony aż dwa razy za jedno zamówienie."
    assert problem_said(texts, said.lower()) == care
    food = "To były pieniądze na jedzenie dla dzieci."
    assert "hardship" in language_book().situations("pl", food)
