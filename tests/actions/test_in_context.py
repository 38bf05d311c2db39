"""What a stranger's follow-up means depends on the chat (blind probes aq and ar):
a question NLU cannot place in the middle of a matter is no "outside what I can do";
a day the present is needed for is a deadline however it is said; where the money
stands is told while waiting; what happens in the customer's life is no problem with
the order; a message that asks for payment through a link is fraud in every language
(the real reply books, analyzer and demo store)."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.demo_store import DemoStore
from actions.language import language_book
from actions.mentions import mentioned
from actions.mood import analyzer, assess
from actions.order_checks import tells_deadline
from actions.unclear import ActionNotUnderstood
from actions.waiting_answers import UNFIT, answer_while_waiting
from actions.waiting_order import about_money
from tests.actions.conftest import owner, says
from tests.actions.test_offers import conversation

DOMAIN: dict = {}
BROKEN = (
    "Sorry about the smashed mug. A person from our team arranges a replacement or "
    "a full refund. Shall I bring one in?"
)


async def _not_understood(turns: list[tuple[str, str, str | None]], sender: str) -> str:
    dispatcher = CollectingDispatcher()
    await ActionNotUnderstood().run(dispatcher, conversation(turns, sender), DOMAIN)
    return " ".join(str(m.get("text") or "") for m in dispatcher.messages)


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("Do you need photos?", "faq.photos"),  # answered: a photo helps, later
        ("Should I keep the pieces?", "unsure"),
        ("and is it safe to use?", "unsure"),
    ],
)
async def test_a_question_about_the_matter_at_hand_is_no_out_of_scope(
    own_queue: str, question: str, key: str
) -> None:
    said = await _not_understood(
        [
            ("customer", "my order arrived and the mug is smashed", "report_damage"),
            ("bot", BROKEN, None),
            ("customer", question, "out_of_scope"),
        ],
        "in-chat-" + question[:8],
    )
    assert says(said, key), said
    assert not says(said, "out_of_scope")


async def test_a_question_of_another_world_is_still_declined(own_queue: str) -> None:
    said = await _not_understood(
        [
            ("customer", "my order arrived and the mug is smashed", "report_damage"),
            ("bot", BROKEN, None),
            ("customer", "what's the capital of Peru?", "out_of_scope"),
        ],
        "other-world",
    )
    assert says(said, "out_of_scope"), said
    # ...and so is a question at the start of a chat that only the matter at hand
    # would make ours ("Do you need photos?" is one of the FAQ's: answered anywhere)
    said = await _not_understood(
        [("customer", "Should I keep the pieces?", "out_of_scope")], "first-question"
    )
    assert says(said, "out_of_scope"), said


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("its a birthday present for monday, will it make it??", True),
        ("will it make it for Friday?", True),
        ("will it arrive in time for Saturday?", True),
        ("can you send it by next day delivery?", False),
        ("the party is for 20 people", False),
    ],
)
def test_a_day_it_is_needed_for_is_a_deadline(text: str, deadline: bool) -> None:
    assert tells_deadline(text) is deadline


def test_losing_a_job_is_no_problem_with_the_order() -> None:
    text = (
        "I've just lost my job and I need to cancel order 5520174 before it goes "
        "out. I really can't afford it now."
    )
    analysis = analyzer().analyze(text)
    assert [c.kind for c in analysis.circumstances] == ["hardship"]
    assert not analysis.has("problem_report")
    # ...while a parcel lost beside the same worry still is one
    lost = analyzer().analyze("my parcel is lost and I can't afford another one")
    assert lost.has("problem_report")


def test_a_cancellation_beside_money_worries_is_done_not_handed_over() -> None:
    text = (
        "I've just lost my job and I need to cancel order 5520174 before it goes "
        "out. I really can't afford it now."
    )
    mood = assess(conversation([("customer", text, "cancel_order")], "job-lost"))
    assert not mood.decision.escalate, mood.decision.explanation


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("", "How soon will the money be back?"),
        ("", "ok and when will the money arrive?"),
        # a bare follow-up about the money, right after something about the order
        ("", "And my money?"),
        ("", "what about my refund then?"),
        ("es", "¿Cuándo me devuelven el dinero?"),
        ("de", "Wann bekomme ich mein Geld zurück?"),
    ],
)
def test_where_the_money_stands_is_asked(language: str, text: str) -> None:
    assert about_money(text, language)
    if not language:
        assert mentioned("asks_money_back", text)


async def test_a_waiting_customer_hears_where_their_refund_stands(
    store: DemoStore,
) -> None:
    order = await store.order("91027")
    refund = await store.refund_for("91027")
    assert order is not None and refund is not None
    text = "How soon will the money be back?"
    said = answer_while_waiting(
        text, "", None, None, order, "", refund, asks_money=True
    )
    assert said is not None and refund.amount in said, said
    # without a refund on record the person answers it
    assert (
        answer_while_waiting(text, "", None, None, order, "", None, asks_money=True)
        is None
    )
    # in another language, by its own words
    said = answer_while_waiting(
        "¿Cuándo me devuelven el dinero?",
        "es",
        None,
        None,
        order,
        "",
        refund,
        asks_money=True,
    )
    assert said is not None and refund.amount in said, said
    # after a double charge the money asked about is the duplicate, which only the
    # person sees: not a refund on record for something else of the order
    for language, asked in (("", text), ("es", "¿Cuándo me devuelven el dinero?")):
        said = answer_while_waiting(
            asked, language, None, None, order, "double_charge", refund, asks_money=True
        )
        assert said == UNFIT, said


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("", "It ask me to click a link for confirm the address and pay 1 euro."),
        (
            "fr",
            "J'ai reçu un SMS me demandant de payer des frais de douane via un lien.",
        ),
        ("de", "Ich habe eine SMS bekommen, ich soll über einen Link 2 Euro zahlen."),
        ("es", "Me llegó un SMS para pagar 1,99 € de aduana en un enlace."),
        ("it", "Ho ricevuto un SMS che mi chiede di pagare 2 euro tramite un link."),
        ("nl", "Ik kreeg een sms dat ik via een link moet betalen."),
        ("pt", "Recebi um SMS para pagar uma taxa através de um link."),
        ("pl", "Dostałam SMS-a, żeby zapłacić 5 zł przez link."),
    ],
)
def test_a_message_asking_for_payment_through_a_link_is_fraud(
    language: str, text: str
) -> None:
    if language:
        assert "fraud" in language_book().situations(language, text)
    else:
        assert "fraud" in [c.kind for c in analyzer().analyze(text).circumstances]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("", "Can you click the link to track it for me?"),
        ("fr", "Je peux payer par carte ? Le lien de suivi ne marche pas."),
        ("de", "Kann ich mit PayPal zahlen?"),
    ],
)
def test_paying_or_a_tracking_link_alone_is_no_fraud(language: str, text: str) -> None:
    if language:
        assert "fraud" not in language_book().situations(language, text)
    else:
        assert not analyzer().analyze(text).circumstances


@pytest.mark.parametrize(
    "question",
    [
        "Could you kindly tell me which carrier is handling the shipment?",
        "who is delivering it?",
    ],
)
async def test_which_carrier_after_the_state_names_the_carrier(
    store: DemoStore, question: str
) -> None:
    from actions.order_follow_up import order_follow_up
    from actions.replies import reply_book
    from tests.actions.conftest import owner

    order = await store.order("300418862")
    assert order is not None
    told = reply_book().pick("track_order.shipped", **order.values())
    tracker = conversation(
        [
            ("customer", "status of order 300418862 please", "track_order"),
            ("form", "", None),
            ("bot", told, None),
            ("customer", question, "delivery_options"),
        ],
        "carrier",
        order_id=order.id,
        verified_customer=owner(order.id),
    )
    found = await order_follow_up(tracker)
    assert found is not None and found[0] == "track_order.shipped_tracking"


async def test_thanks_after_the_answer_is_no_complaint(own_queue: str) -> None:
    from actions.answers import ActionAnswer

    told = (
        "Order 64450 shows as delivered by DPD. If you can't find it, it's worth "
        "checking with neighbours."
    )
    for sender, text, closes in [
        (
            "thanks-1",
            "Ah ok, I wasn't home these days, maybe the neighbour has it. Thank you",
            True,
        ),
        ("thanks-2", "Still nothing arrived. thanks", False),
    ]:
        tracker = conversation(
            [
                ("customer", "where is 64450", "track_order"),
                ("bot", told, None),
                ("customer", text, "complaint"),
            ],
            sender,
        )
        dispatcher = CollectingDispatcher()
        await ActionAnswer().run(dispatcher, tracker, DOMAIN)
        said = " ".join(str(m.get("text") or "") for m in dispatcher.messages)
        assert says(said, "thank_you") is closes, said


@pytest.mark.parametrize(
    ("language", "texts", "found"),
    [
        (
            "",
            ["I'd like to cancel it, I ordered the wrong size.", "Refund to my card?"],
            "",
        ),
        ("", ["they sent me the wrong size"], "wrong_item"),
        ("de", ["Ich habe die falsche Größe bestellt."], ""),
        ("de", ["Sie haben mir die falsche Größe geschickt."], "wrong_item"),
    ],
)
def test_a_waiting_customers_own_mistake_is_no_wrong_item(
    language: str, texts: list[str], found: str
) -> None:
    from bot import waiting_reading as read

    assert read.situation(texts, read.words_for(language)) == found


@pytest.mark.parametrize(
    "question",
    [
        "right. and if it's lost, do I get my money back?",
        "what if it doesn't turn up, will you refund me?",
    ],
)
def test_money_back_if_it_never_comes_is_no_return(question: str) -> None:
    from actions.replies import reply_book

    assert reply_book().refund_in_context([question]) == "get_refund.if_lost"
    # a parcel that is lost is said so, not asked about
    said = "the parcel never arrived, I want my money back"
    assert reply_book().refund_in_context([said]) == "get_refund.not_arrived"


@pytest.mark.parametrize(
    ("code", "text", "opens"),
    [
        ("it", "Voglio parlare con un operatore, subito.", "Certo."),
        ("es", "Quiero hablar con una persona, por favor", "Por supuesto."),
        ("fr", "Je me sens vraiment bête, c'est beaucoup d'argent.", "Ne vous en"),
        ("de", "Ich komme mir so dumm vor.", "Bitte machen Sie sich keine"),
        ("pl", "Czuję się tak głupio.", "Proszę się nie obwiniać"),
    ],
)
def test_the_handoff_in_another_language_answers_what_was_said(
    code: str, text: str, opens: str
) -> None:
    """A request for a person is granted, not thanked for; feeling foolish is met
    with "don't blame yourself" (blind probe ar: "Grazie per il Suo messaggio" to
    "subito", "Merci pour votre message" to "je me sens vraiment bête")."""
    said = language_book().handoff(code, text)
    assert said.startswith(opens), said
    assert language_book().languages[code].thanks not in said


def test_a_handoff_after_our_answer_failed_owns_it() -> None:
    """ "that's the same useless answer I got last time!!!": the handoff owns that
    our answers did not help, not a stock "a person will take this further"
    (blind probe ar), and names no concern a reply just named."""
    from actions.empathy import empathy_book
    from actions.situation import Situation

    text = "thats the same useless answer I got last time!!!"
    analysis = analyzer().analyze(text)
    assert analysis.has("misunderstood")
    recent = ["I'm sorry about this happening a third time. Order 808 is late."]
    said = empathy_book().handoff(
        Situation(intent="track_order", analysis=analysis, text=text, recent=recent),
        ["frustration"],
    )
    owned = ("going in circles", "couldn't sort this out myself")
    assert any(w in said for w in owned), said
    assert "third time" not in said


@pytest.mark.parametrize(
    ("key", "order_id", "closed"),
    [
        ("return.delivered", "651234", True),  # delivered 36 days ago
        ("cancel_order.delivered", "651234", True),
        ("change_order.locked", "651234", True),
        ("return.delivered", "87001", False),  # 12 days ago
    ],
)
async def test_an_order_past_the_return_window_is_not_told_30_days(
    store: DemoStore, own_queue: str, key: str, order_id: str, closed: bool
) -> None:
    """A 30-day return window quoted 37 days after delivery (blind probe ar): an
    order delivered longer ago hears that the window has closed."""
    from actions.speaker import Speaker

    order = await store.order(order_id)
    assert order is not None and order.return_closed is closed
    dispatcher = CollectingDispatcher()
    tracker = conversation([("customer", f"return {order_id}", "get_refund")], key)
    speaker = Speaker(dispatcher, tracker, assess(tracker), "get_refund")
    said = speaker.say(key, **order.values())
    assert says(said, f"{key}_closed", **order.values()) is closed, said
    assert ("within 30 days" in said) is not closed


@pytest.mark.parametrize(
    ("text", "blames"),
    [
        ("I ordered the wrong size, I feel so stupid. Can I swap it?", True),
        ("I paid through the link. I feel really silly.", True),
        ("how embarrassing am i, I typed the wrong address", True),
        ("this is a stupid question but do you ship to Norway?", False),
        ("you are stupid", False),
        ("that was silly of the courier", False),
    ],
)
def test_a_customer_who_blames_themselves_is_told_not_to(
    text: str, blames: bool
) -> None:
    """ "I feel so stupid" is met with "don't be hard on yourself" beside the help
    (blind probes aq and ar: embarrassment never named)."""
    from actions.empathy import empathy_book
    from actions.situation import Situation

    analysis = analyzer().analyze(text)
    assert ("self_blame" in [c.kind for c in analysis.circumstances]) is blames
    if blames:
        answer = "You can swap it under Account > Orders."
        said = empathy_book().compose(
            answer, Situation(intent="exchange_item", analysis=analysis, text=text)
        )
        kind = ("hard on yourself", "nothing to feel bad", "don't blame yourself")
        assert any(k in said for k in kind) and said.endswith(answer), said


async def test_a_wrong_item_told_before_the_proof_still_counts_after_it(
    store: DemoStore, own_queue: str
) -> None:
    """ "how do I swap it?" after "it's the wrong colour" and the e-mail address:
    the wrong item is put right, not "too late to edit" (blind probe ar)."""
    from actions.lookups import ActionOrderLookup
    from tests.actions.conftest import owner

    order = await store.order("651234")
    assert order is not None
    tracker = conversation(
        [
            (
                "customer",
                "Got order 651234 today and it's the wrong colour",
                "complaint",
            ),
            ("bot", "Before I open it: what's the e-mail address it's under?", None),
            ("customer", owner("651234"), "inform"),
            ("bot", "I've found order 651234. Shall I bring a person in?", None),
            ("customer", "how do I swap it", "change_order"),
            ("form", "", None),
        ],
        "swap-after-proof",
        order_id="651234",
        verified_customer=owner("651234"),
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    said = " ".join(str(m.get("text") or "") for m in dispatcher.messages)
    assert said and not says(said, "change_order.locked"), said
    assert not says(said, "change_order.locked_closed"), said


@pytest.mark.parametrize(
    ("text", "bereaved"),
    [
        ("My mum Priya died two weeks ago. There's an order on its way.", True),
        ("my dad, John, passed away last week", True),
        ("my dad nearly died laughing at the card", False),
        ("my son finally died his hair", False),
    ],
)
def test_a_death_told_with_the_persons_name_is_a_bereavement(
    text: str, bereaved: bool
) -> None:
    """ "My mum Priya died" was met with "a let-down ... sorry about the wait" and
    "Good news" (blind probe as)."""
    kinds = [c.kind for c in analyzer().analyze(text).circumstances]
    assert ("bereavement" in kinds) is bereaved


def test_french_phishing_for_a_password_and_a_wrong_item_told_as_a_swap() -> None:
    """Blind probe as: a French e-mail asking to confirm a password and bank details
    got password-reset steps; "commandé une robe ... reçu un pantalon" got the
    delivery date."""
    from actions.language_texts import problem_said

    book = language_book()
    phishing = (
        "J'ai reçu un e-mail à votre nom qui me demande de confirmer mon mot de "
        "passe et mes coordonnées bancaires. C'est normal ?"
    )
    assert "fraud" in book.situations("fr", phishing)
    assert "fraud" not in book.situations("fr", "Comment changer mon mot de passe ?")
    texts = book.languages["fr"]
    swapped = "j'ai commandé une robe noire et j'ai reçu un pantalon beige."
    assert problem_said(texts, swapped)
    confirmed = "j'ai commandé une robe et j'ai reçu un e-mail de confirmation"
    assert not problem_said(texts, confirmed)


async def test_a_parcel_not_with_the_neighbours_is_not_met_with_check_the_neighbours(
    store: DemoStore,
) -> None:
    """Blind probe as: "Checked with the neighbours, nothing. So what now?" was told
    to tell us if it isn't there."""
    from actions.order_checks import complaint_key

    order = await store.order("64450")
    assert order is not None
    said = "Checked with the neighbours, nothing. So what now?"
    assert complaint_key(order, said) == "track_order.delivered_missing_checked"
    assert complaint_key(order, "it never arrived") == "track_order.delivered_missing"
    # "we've already asked the neighbours" says the same without the outcome
    asked = "It says delivered but isn't here and we've already asked the neighbours."
    assert complaint_key(order, asked) == "track_order.delivered_missing_checked"
    # ...and found there, no missing parcel
    found = "I asked the neighbours and they have it, thanks"
    assert complaint_key(order, found) != "track_order.delivered_missing_checked"
    found = "I've asked all the neighbours and number 4 has it"
    assert complaint_key(order, found) != "track_order.delivered_missing_checked"


def test_a_polish_return_postage_question_is_about_returns() -> None:
    """Blind probe aq: "przesyłka zwrotna" (return postage) got the payment methods."""
    said = language_book().general(
        "pl", "Czy muszę sama zapłacić za przesyłkę zwrotną?"
    )
    assert said is not None and "Visa" not in said


@pytest.mark.parametrize(
    ("text", "back_in_hours", "honest"),
    [
        # the team is back tomorrow morning, the party is tomorrow: said plainly
        (
            "my daughter's party is tomorrow and the dress still hasn't shipped",
            14,
            True,
        ),
        # back tonight, before the day: nothing to own up to
        (
            "my daughter's party is tomorrow and the dress still hasn't shipped",
            3,
            False,
        ),
        # a day well after the team is back
        ("the wedding is in 10 days and the suit isn't here", 14, False),
        ("where is my parcel?", 14, False),  # no day needed
    ],
)
def test_a_team_back_only_on_the_day_it_is_needed_is_said_plainly(
    text: str, back_in_hours: int, honest: bool
) -> None:
    """Handed over outside hours: when the team is back only on or after the day
    the customer needs it by, the message says nobody can act on it before then
    (handoff.past_deadline), not only when the team is back."""
    from actions.handoff import too_late_for

    now = 1796572800.0  # Sunday 6 December 2026, 17:00 in Berlin
    values = {"at": now + back_in_hours * 3600, "zone": "Europe/Berlin"}
    said = too_late_for(analyzer().analyze(text), values, now)
    assert bool(said) is honest, said
    if honest:
        assert says(said, "handoff.past_deadline", needed="the party")


@pytest.mark.parametrize(
    ("language", "text", "intent"),
    [
        ("", "I don't know her password. How do I reset it?", "recover_password"),
        ("de", "Ich kenne ihr Passwort nicht. Was brauchen Sie von mir?", None),
    ],
)
def test_after_a_death_no_sign_in_how_to_is_given_while_waiting(
    language: str, text: str, intent: str | None
) -> None:
    """ "I don't know her password" while waiting after a death: not how to reset a
    password (the person closes the account; what holds for it is said instead)."""
    said = answer_while_waiting(text, language, intent, 0.95, None, "bereavement")
    assert said == UNFIT, said
    # without the death, the how-to
    said = answer_while_waiting(text, language, intent, 0.95, None, "")
    assert said not in (None, UNFIT)


@pytest.mark.parametrize(
    "text",
    [
        "thanks. how many days till that's back on my card?",
        "and when does it show up on my bank statement?",
    ],
)
async def test_money_back_on_the_card_is_no_question_about_the_parcel(
    text: str,
) -> None:
    """Right after an order's state, "how many days till that's back on my card?"
    asks about the money, not when the parcel comes (its delivery date)."""
    from actions.order_follow_up import order_follow_up

    assert mentioned("asks_money_back", text)
    tracker = conversation(
        [
            (
                "customer",
                "can I cancel 99887766 and get the money back?",
                "cancel_order",
            ),
            (
                "bot",
                "You can still cancel it: order 99887766 hasn't shipped. "
                "Would you like me to cancel it?",
                None,
            ),
            ("customer", text, "track_order"),
        ],
        "money-on-card",
        order_id="99887766",
        verified_customer=owner("99887766"),
    )
    assert await order_follow_up(tracker) is None


def test_an_order_asked_about_without_a_question_mark_is_no_complaint() -> None:
    """ "I ordered a pen and a notebook and I dont know if it went through" asks
    where the order is (NLU may read it as a complaint): its state, not an offer
    to put right what is not broken; something broken told is still a problem."""
    from actions.lookups import only_asks

    assert only_asks(
        "I ordered a pen and a notebook and I dont know if it went through"
    )
    assert only_asks("not sure whether order 99887766 was sent")
    assert not only_asks("I ordered a pen and a notebook and the pen arrived broken")
    assert not only_asks("I ordered a pen and a notebook.")


async def test_a_day_needed_by_for_a_late_order_gets_no_promise(
    store: DemoStore,
) -> None:
    """ "It's for a birthday on Saturday, will it make it?" about an order whose
    expected day has passed: no sum against that day ("before Saturday"), but that
    it cannot be promised and who can chase it."""
    from actions.order_checks import deadline_reply

    late = await store.order("808080123456")
    assert late is not None and late.late
    needed = deadline_reply(late, ["it's for my brother's birthday on Saturday"])
    assert needed is not None and needed[0] == "track_order.late_deadline", needed
    on_time = await store.order("48213")
    assert on_time is not None and not on_time.late
    needed = deadline_reply(on_time, ["it's for my brother's birthday on Saturday"])
    assert needed is not None and needed[0] != "track_order.late_deadline", needed


def test_a_question_naming_the_guarantee_beside_an_order_is_about_the_guarantee() -> (
    None
):
    """ "Does the speaker from order 87001 come with a warranty?" asks about the
    guarantee (the same for every order), not where the order is ("come with" is
    what it includes, not its arrival)."""
    from actions.lookups import faq_asked

    asked = "Does the Bluetooth speaker from order 87001 come with a warranty?"
    assert faq_asked(asked) == "faq.warranty"
    assert faq_asked("when will order 87001 come?") is None


def test_which_items_are_in_it_asks_for_the_contents() -> None:
    """ "Could you confirm which items are included in that consignment?" right
    after the order's state asks what is in it (its items and total)."""
    from actions.mentions import mentioned

    for asked in (
        "Could you kindly also confirm which items are included in that consignment?",
        "what does the order contain?",
        "which products were in it?",
    ):
        assert mentioned("asks_contents", asked), asked
    assert not mentioned("asks_contents", "which day will it arrive?")
