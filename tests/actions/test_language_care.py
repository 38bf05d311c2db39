"""Care in the other languages for a hurt told by body and symptom, and for the one
it happened to: "his hands are itching" is an injury though no word for one is in
it (a body part and a symptom in one sentence), a product's red handle is not; and
the care names the one who died or was hurt when the customer names them with "my"
("that your son was hurt", not "that there was an injury"). Our own sentences."""

from __future__ import annotations

import pytest

from actions.language import language_book

# A body part and a symptom in one sentence, no word of the `injury` list
BODY_AND_SYMPTOM = [
    ("de", "Seine Hände jucken, seit er die Handschuhe trägt."),
    ("de", "Nach der Creme war ihr Gesicht gerötet."),
    ("de", "Die Augen meiner Tochter sind vom Shampoo ganz rot und brennen."),
    ("es", "Desde que usa los guantes le pican las manos."),
    ("es", "Con la crema le salió una reacción en la piel."),
    ("es", "Tiene los ojos hinchados desde que probó el rímel."),
    ("fr", "Depuis qu'il porte les gants, ses mains le démangent."),
    ("fr", "Après la crème, elle a eu une réaction sur la peau."),
    ("fr", "Ses yeux ont gonflé avec le mascara."),
    ("it", "Da quando porta i guanti gli prudono le mani."),
    ("it", "Dopo la crema le è venuta una reazione sulla pelle."),
    ("it", "Le sono venuti gli occhi gonfi con il mascara."),
    ("nl", "Sinds hij de handschoenen draagt, heeft hij jeuk aan zijn handen."),
    ("nl", "Na de crème kreeg ze een reactie op haar huid."),
    ("nl", "Haar ogen zijn opgezwollen van de mascara."),
    ("pt", "Desde que usa as luvas, as mãos dele coçam."),
    ("pt", "Depois do creme teve uma reação na pele."),
    ("pt", "Os olhos dela ficaram inchados com o rímel."),
    ("pl", "Od kiedy nosi te rękawiczki, swędzą go ręce."),
    ("pl", "Po kremie miała reakcję na skórze."),
    ("pl", "Oczy ma spuchnięte po tym tuszu do rzęs."),
    ("sv", "Sedan han började använda handskarna kliar det i händerna."),
    ("sv", "Efter krämen fick hon en reaktion på huden."),
    ("sv", "Ögonen blev svullna av mascaran."),
]


@pytest.mark.parametrize(("code", "text"), BODY_AND_SYMPTOM)
def test_a_body_part_and_a_symptom_in_one_sentence_is_an_injury(
    code: str, text: str
) -> None:
    assert "injury" in language_book().situations(code, text)


# A product's part, a colour, a symptom word and a body word in different sentences
NO_INJURY = [
    ("de", "Der Griff vom Wasserkocher ist rot."),
    ("de", "Ich hätte gern den Schal in Rot, für meine Mutter."),
    ("de", "Der Topf hat eine Beule."),
    ("es", "El asa de la tetera es roja."),
    ("es", "Quiero las zapatillas rojas para mi hijo, ¿tienen la talla 30?"),
    ("fr", "La poignée de la bouilloire est rouge."),
    ("fr", "Le pied de la lampe est rouge. Ma main va bien."),
    ("it", "Il manico del bollitore è rosso."),
    ("it", "Vorrei la borsa rossa da tenere in mano."),
    ("nl", "Het handvat van de waterkoker is rood."),
    ("pt", "A pega da chaleira é vermelha."),
    ("pl", "Uchwyt czajnika jest czerwony."),
    ("pl", "Skórzana torebka ma czerwony kolor."),
    ("sv", "Handtaget på vattenkokaren är rött."),
    ("sv", "Jag vill ha den röda mössan till min son."),
]


@pytest.mark.parametrize(("code", "text"), NO_INJURY)
def test_a_products_part_or_a_colour_is_no_injury(code: str, text: str) -> None:
    assert "injury" not in language_book().situations(code, text)


def test_nobody_hurt_still_cancels_a_body_and_a_symptom() -> None:
    text = "Der Stecker hat geraucht, die Hand tat weh, aber niemand wurde verletzt."
    assert "injury" not in language_book().situations("de", text)


# (language, message, the words that name the one it happened to)
NAMED = [
    ("de", "Mein Vater ist letzte Woche gestorben.", "um Ihren Vater"),
    ("de", "Die Beine meines Sohnes sind von den Stiefeln ganz rot.", "Ihrem Sohn"),
    ("de", "Meine Tochter hat sich am Bügeleisen verbrannt.", "Ihrer Tochter"),
    ("es", "Mi hermano falleció el mes pasado.", "de su hermano"),
    ("es", "A mi hijo le pican mucho las piernas por las botas.", "a su hijo"),
    ("es", "Mi mamá se quemó con la plancha.", "a su madre"),
    ("fr", "Mon frère est décédé, je voudrais annuler sa commande.", "votre frère"),
    ("fr", "Les mains de ma fille sont toutes rouges depuis les gants.", "votre fille"),
    ("it", "Mia madre è morta la settimana scorsa.", "per Sua madre"),
    ("it", "Le mani di mio figlio prudono da quando usa il sapone.", "Suo figlio"),
    ("it", "Il mio papà si è tagliato con il coltello nuovo.", "Suo padre"),
    ("nl", "Mijn vader is overleden, kunt u het abonnement stopzetten?", "uw vader"),
    ("nl", "De benen van mijn zoontje zijn rood en geïrriteerd.", "uw zoon"),
    ("pt", "A minha mãe faleceu na semana passada.", "a sua mãe"),
    ("pt", "As pernas do meu filho ficaram muito vermelhas com as botas.", "seu filho"),
    ("pl", "Mój tata zmarł w zeszłym tygodniu.", "śmierci taty"),
    ("pl", "Mojemu synowi po tych butach swędzą nogi.", "synowi"),
    ("sv", "Min pappa gick bort förra veckan.", "din pappa"),
    ("sv", "Min sons ben blev alldeles röda av stövlarna.", "din son"),
    ("sv", "Min fru brände sig på strykjärnet.", "din fru"),
]


@pytest.mark.parametrize(("code", "text", "who"), NAMED)
def test_the_care_names_the_one_who_died_or_was_hurt(
    code: str, text: str, who: str
) -> None:
    book = language_book()
    said = book.handoff(code, text)
    first = said.split(". ")[0]
    assert who in first, said
    care = book.languages[code].care
    kind = book.situations(code, text)[0]
    assert not said.startswith(care[kind].split(". ")[0]), said  # not the general


# Nobody named with "my": the general words of care
UNNAMED = [
    ("de", "Sie ist gestorben, bitte stornieren Sie alles."),
    ("es", "Se quemó con la plancha nueva."),
    ("fr", "Il s'est coupé avec le couteau."),
    ("it", "È caduto dalla sedia nuova."),
    ("nl", "Hij is gevallen van de nieuwe ladder."),
    ("pt", "Ela cortou-se com a faca nova."),
    ("pl", "Zranił się nowym nożem."),
    ("sv", "Han skar sig på den nya kniven."),
]


@pytest.mark.parametrize(("code", "text"), UNNAMED)
def test_without_anyone_named_the_care_is_the_general_one(code: str, text: str) -> None:
    book = language_book()
    kind = book.situations(code, text)[0]
    care = book.languages[code].care[kind]
    assert book.handoff(code, text).startswith(care.split(". ")[0])


@pytest.mark.parametrize(
    ("code", "card", "account"),
    [
        (
            "it",
            "Un SMS falso chiedeva la dogana e ho inserito i dati della carta.",
            "Qualcuno è entrato nel mio account e ha fatto un ordine, è una truffa.",
        ),
        (
            "de",
            "Ich habe auf einer gefälschten Seite meine Kartendaten eingegeben.",
            "Mein Konto wurde gehackt, jemand hat darin bestellt.",
        ),
        (
            "es",
            "Pagué en un enlace de un SMS falso y metí los datos de la tarjeta.",
            "Alguien ha entrado en mi cuenta, es un fraude.",
        ),
    ],
)
def test_a_fraud_beside_a_card_is_met_with_blocking_it(
    code: str, card: str, account: str
) -> None:
    """Card details given after a fake message: call the bank to block the card,
    not only "change your password"; someone in their account: the password."""
    book = language_book()
    assert "fraud" in book.situations(code, card), card
    said = book.handoff(code, card)
    assert said.startswith(book.languages[code].care["fraud_card"]), said
    assert "fraud" in book.situations(code, account), account
    other = book.handoff(code, account)
    assert not other.startswith(book.languages[code].care["fraud_card"]), other


# the word that makes blocking the card depend on the details having been given, and
# a word of the bank to call
IF_GIVEN = {
    "de": ("falls", "bank"),
    "es": ("si ya", "banco"),
    "fr": ("si vous", "banque"),
    "it": ("se li", "banca"),
    "nl": ("hebt u", "bank"),
    "pt": ("se já", "banco"),
    "pl": ("jeśli", "bank"),
    "sv": ("om du", "bank"),
}


@pytest.mark.parametrize(("code", "words"), IF_GIVEN.items())
def test_blocking_the_card_is_asked_only_if_the_details_were_given(
    code: str, words: tuple[str, str]
) -> None:
    """ "Is this e-mail asking for my bank details from you?" reads as a fraud beside
    a card: what to do if the details were given, never an order to block a card
    they never gave (which "your details are safe" would contradict later)."""
    said = language_book().languages[code].care["fraud_card"].lower()
    condition, bank = words
    assert condition in said and said.index(condition) < said.index(bank), said


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("fr", "Mon colis n'arrive pas et je commence vraiment à m'inquiéter."),
        ("fr", "Je m'inquiète un peu pour ma commande."),
        ("fr", "Ça commence à m'inquiéter, où est le colis ?"),
    ],
)
def test_a_worry_said_as_a_verb_is_heard(code: str, text: str) -> None:
    assert language_book().felt(code, text), text


# Written for this test: a text or an e-mail that claims to be ours, asked about with
# nothing done (answered at once: not ours), and the same after a step taken.
OURS = {
    "de": (
        "Ich habe eine SMS bekommen, ich soll für mein Paket 2 Euro Zoll zahlen. "
        "Ist die wirklich von Ihnen?",
        "Ich habe auf den Link geklickt und 2 Euro bezahlt. Ist die von Ihnen?",
    ),
    "es": (
        "Me ha llegado un correo que dice que mi cuenta está bloqueada. "
        "¿Es vuestro? No he pinchado nada.",
        "Me llegó un SMS para pagar la aduana y ya he pagado. ¿Era vuestro?",
    ),
    "fr": (
        "J'ai reçu un SMS pour payer des frais de douane, c'est bien vous ?",
        "J'ai reçu un mail pour des frais et j'ai payé, c'est bien vous ?",
    ),
    "it": (
        "Mi è arrivato un SMS: devo pagare la dogana per il pacco 48213. È vostro?",
        "Mi è arrivato un SMS sulla dogana e ho già pagato. È vostro?",
    ),
    "nl": (
        "Ik kreeg een sms dat ik invoerkosten moet betalen. Is die van jullie?",
        "Ik kreeg een sms over invoerkosten en heb al betaald. Is die van jullie?",
    ),
    "pt": (
        "Recebi uma mensagem a dizer que tenho de pagar a alfândega. É vosso?",
        "Recebi uma mensagem sobre a alfândega e já paguei. É vosso?",
    ),
    "pl": (
        "Dostałam SMS, że muszę dopłacić za cło. Czy to od was?",
        "Dostałam SMS o cle i już zapłaciłam. Czy to od was?",
    ),
    "sv": (
        "Jag fick ett sms om att jag måste betala tull för paketet. Är det från er?",
        "Jag fick ett sms om tull och har redan betalat. Är det från er?",
    ),
}


@pytest.mark.parametrize("code", sorted(OURS))
def test_whether_a_message_is_ours_is_answered_when_nothing_was_done(
    code: str,
) -> None:
    book = language_book()
    asked, paid = OURS[code]
    assert book.asks_if_ours(code, asked), asked
    assert not book.asks_if_ours(code, paid), paid
    # a question of ours that names no message claiming to be ours is none
    plain = {
        "de": "Ist die Lieferung wirklich kostenlos?",
        "it": "È vero che la spedizione è gratuita?",
    }
    if code in plain:
        assert not book.asks_if_ours(code, plain[code])


async def test_a_message_claiming_to_be_ours_is_said_not_to_be_before_any_proof(
    own_queue: str,
) -> None:
    from tests.actions.test_answer_first import _answer

    book = language_book()
    said, paused = await _answer(OURS["it"][0], "nlu_fallback", "ours-it")
    assert not paused
    assert said == book.say("it", "not_ours"), said


# a smell of something burnt beside smoke: a hazard, no burn on a person; a burn on
# a person is still an injury
BURNT = {
    "de": (
        "Es qualmte und stank nach verschmortem Kabel.",
        "Meine Tochter hat sich verbrannt.",
    ),
    "es": ("Echó humo y olía mucho a goma quemada.", "Mi hija se ha quemado la mano."),
    "fr": (
        "Il y a eu de la fumée, ça sentait le caoutchouc brûlé.",
        "Ma fille s'est brûlé la main.",
    ),
    "it": (
        "Ha fatto fumo e c'era puzza di gomma bruciata.",
        "Mia figlia si è bruciata la mano.",
    ),
    "nl": (
        "Er kwam rook uit en het rook naar verbrand rubber.",
        "Mijn dochter heeft haar hand verbrand.",
    ),
    "pt": ("Saiu fumo e cheirava muito a borracha queimada.", None),
    "pl": ("Leciał dym i czuć było spaleniznę.", None),
    "sv": ("Det kom rök och luktade bränd gummi.", "Min dotter brände sig på handen."),
}


@pytest.mark.parametrize(("code", "texts"), BURNT.items())
def test_a_burnt_smell_is_a_hazard_and_a_burn_on_a_person_an_injury(
    code: str, texts: tuple[str, str | None]
) -> None:
    smell, burn = texts
    found = language_book().situations(code, smell)
    assert "hazard" in found and "injury" not in found, found
    if burn is not None:
        assert "injury" in language_book().situations(code, burn)


# Written for this test: a message demanding a fee for a parcel, told without a
# link and without asking whether it is ours
FEE_DEMANDED = {
    "de": "Ich habe eine E-Mail bekommen, dass ich 4 Euro nachzahlen muss, sonst geht "
    "mein Paket zurück.",
    "es": "Me ha llegado un correo que dice que tengo que pagar 4 euros o devuelven "
    "el paquete.",
    "fr": "J'ai reçu un SMS qui dit que je dois payer 4 euros sinon le colis repart.",
    "it": "Mi è arrivato un SMS che dice che devo pagare 4 euro per la consegna.",
    "nl": "Ik kreeg een sms waarin staat dat ik 4 euro moet bijbetalen voor de "
    "bezorging.",
    "pt": "Recebi uma mensagem que diz que tenho de pagar 4 euros pela entrega.",
    "pl": "Dostałem SMS, że muszę dopłacić 4 zł, bo inaczej paczka wróci.",
    "sv": "Jag fick ett mejl om att jag måste betala 40 kronor för leveransen.",
}


@pytest.mark.parametrize(("code", "text"), sorted(FEE_DEMANDED.items()))
def test_a_fee_demanded_by_a_message_is_fraud_and_nothing_is_to_be_paid(
    code: str, text: str
) -> None:
    """A payment demand from someone claiming to deliver our parcel: not ours, pay
    nothing (not "change your password"), and a person takes it on."""
    book = language_book()
    assert "fraud" in book.situations(code, text), text
    said = book.handoff(code, text)
    assert said.startswith(book.languages[code].care["fraud_fee"]), said


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("nl", "Er staat een bedrag van jullie op mijn rekening dat ik niet herken."),
        ("nl", "Ik heb niets besteld maar jullie hebben 60 euro afgeschreven."),
        (
            "de",
            "Auf meinem Konto ist eine Buchung von Ihnen, die ich nicht zuordnen kann.",
        ),
        ("de", "Ich habe gar nichts bestellt, trotzdem wurden 60 Euro abgebucht."),
    ],
)
def test_a_charge_the_customer_does_not_recognise_is_fraud(
    code: str, text: str
) -> None:
    assert "fraud" in language_book().situations(code, text), text


# Written for this test: the one who died named in the sentence before, told of as
# "he" or "she" (or, where the language drops it, by the verb); and the words the
# care names them with
TOLD_BEFORE = [
    (
        "de",
        "Die Lampe war für meine Schwester. Sie ist letzte Woche gestorben.",
        "Ihre Schwester",
    ),
    ("es", "La lámpara era para mi hermana. Falleció la semana pasada.", "su hermana"),
    (
        "fr",
        "La lampe était pour ma sœur. Elle est décédée la semaine dernière.",
        "votre sœur",
    ),
    (
        "it",
        "La lampada era per mia sorella. È morta la settimana scorsa.",
        "Sua sorella",
    ),
    ("nl", "De lamp was voor mijn zus. Zij is vorige week overleden.", "uw zus"),
    ("pt", "O candeeiro era para a minha irmã. Faleceu na semana passada.", "sua irmã"),
    ("pl", "Lampa była dla mojej siostry. Zmarła w zeszłym tygodniu.", "siostr"),
    ("sv", "Lampan var till min syster. Hon gick bort förra veckan.", "din syster"),
]


@pytest.mark.parametrize(("code", "text", "who"), TOLD_BEFORE)
def test_the_one_who_died_is_named_from_the_sentence_before(
    code: str, text: str, who: str
) -> None:
    book = language_book()
    assert book.situations(code, text)[:1] == ["bereavement"], text
    said = book.care(code, "bereavement", text)
    assert who.lower() in said.lower(), said


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("de", "Die Lampe war für meine Schwester. Ihr Nachbar ist gestorben."),
        ("fr", "La lampe était pour ma sœur. Son voisin est décédé."),
    ],
)
def test_a_death_of_someone_else_names_nobody_of_the_sentence_before(
    code: str, text: str
) -> None:
    book = language_book()
    assert (
        book.care(code, "bereavement", text) == book.languages[code].care["bereavement"]
    )
