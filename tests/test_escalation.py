"""Escalate or not, through the whole stack (gateway, Rasa, action server, analysis)."""

from __future__ import annotations

import re

import httpx
import pytest
import redis

from bot.handoff.keys import Keys
from bot.ops.stack import Stack
from bot.survey_config import load as load_survey
from bot.texts import say
from bot.transcript import Entry
from bot.waiting_texts import person_once

pytestmark = pytest.mark.stack


# How the person who takes over is named in the waiting replies, in full
PERSON = "the person who picks this up will"


def converse(gateway_url: str, texts: list[str]) -> tuple[str, list[list[str]]]:
    """Send ``texts`` in one new conversation; return its id and the replies."""
    with httpx.Client(base_url=gateway_url, timeout=60) as client:
        token = client.post("/api/sessions").json()["session"]
        replies = []
        for text in texts:
            response = client.post(
                "/api/messages", headers={"X-Session": token}, json={"text": text}
            )
            assert response.status_code == 200, response.text
            replies.append([r.get("text", "") for r in response.json()["replies"]])
    return token.split(".")[0], replies


def tracker(stack: Stack, sender: str) -> dict:
    settings = stack.settings
    response = httpx.get(
        f"{settings.rasa_url}/conversations/{sender}/tracker",
        params={"token": settings.rasa_api_token()},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


@pytest.mark.parametrize(
    "texts",
    [
        ["WHERE IS MY ORDER??? THREE WEEKS!!! you people are useless"],
        ["hi", "could I speak to a real person please"],
        [
            "my parcel is late",
            "I'm going to file a chargeback with my bank if this isn't fixed",
        ],
    ],
)
def test_upset_or_explicit_requests_go_to_a_person(
    stack: Stack, gateway_url: str, texts: list[str]
) -> None:
    sender, replies = converse(gateway_url, texts)
    last = " ".join(replies[-1])
    assert "person" in last or "colleague" in last
    assert "!" not in last and "USELESS" not in last
    state = tracker(stack, sender)
    assert state["paused"] is True
    assert state["slots"]["handoff"] is True
    assert state["slots"]["escalation_explanation"].startswith("Escalate to a person")
    assert state["slots"]["escalation_reasons"]


@pytest.mark.parametrize(
    "texts",
    [
        ["where is my order?", "48213", "maya.lindqvist@example.com"],
        ["I'm not angry, just asking how long delivery to Spain takes"],
        ["THANK YOU SO MUCH, THE DRESS IS PERFECT"],
        ["damn, forgot my password lol"],
    ],
)
def test_calm_and_tricky_but_happy_customers_stay_with_the_bot(
    stack: Stack, gateway_url: str, texts: list[str]
) -> None:
    sender, replies = converse(gateway_url, texts)
    assert all(replies), "every message gets an answer"
    state = tracker(stack, sender)
    assert state["paused"] is False
    assert not state["slots"]["handoff"]
    assert state["slots"]["frustration_level"] <= 2


def test_an_upset_customer_hears_the_feeling_named_before_the_help(
    stack: Stack, gateway_url: str
) -> None:
    sender, replies = converse(
        gateway_url, ["honestly this is getting frustrating, where is my refund"]
    )
    reply = " ".join(replies[-1]).lower()
    assert tracker(stack, sender)["paused"] is False
    # every acknowledgement in data/replies/empathy.yml uses one of these words
    words = (
        "sorry",
        "frustrat",
        "hassle",
        "angry",
        "annoyed",
        "hear you",
        "worr",
        "stressful",
        "confus",
        "disappoint",
        "let-down",
        "understand",
    )
    feeling = min(reply.find(w) for w in words if w in reply)
    assert 0 <= feeling < reply.index("order number")


def test_after_the_handoff_the_bot_is_silent_but_the_customer_is_answered(
    stack: Stack, gateway_url: str
) -> None:
    sender, replies = converse(
        gateway_url, ["get me a human agent now please", "hello? is anyone there"]
    )
    assert "person" in " ".join(replies[0]) or "colleague" in " ".join(replies[0])
    # "is anyone there": honestly where they stand in the line for a person (their
    # place and the wait, or when the team is back), not a stock "you're in line"
    assert replies[1][0] != say("waiting_person_asked")
    stands = (" line", "back", "online", "signed in")
    assert any(word in replies[1][0] for word in stands), replies[1]
    # Rasa never saw the second message: the person taking over reads it in the
    # conversation's transcript.
    events = httpx.get(
        f"{stack.settings.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.settings.rasa_api_token()},
        timeout=30,
    ).json()["events"]
    said_to_rasa = [e.get("text") for e in events if e.get("event") == "user"]
    assert said_to_rasa == ["get me a human agent now please"]
    client = redis.Redis.from_url(stack.settings.redis_url, decode_responses=True)
    key = Keys(stack.settings.redis_prefix).transcript(sender)
    texts = [
        Entry.from_stream(i, f).text
        for i, f in client.xrange(key)
        if f["author"] == "customer"
    ]
    assert texts[-1] == "hello? is anyone there"  # kept for the person who takes over


def test_yes_to_the_offered_person_after_a_complaint_brings_one_in(
    stack: Stack, gateway_url: str
) -> None:
    """The complaint says what went wrong, the number comes next and is read as the
    complaint's order (no "good news" tracking), and "yes" accepts the person."""
    sender, replies = converse(
        gateway_url,
        [
            "I want to complain, the scarf I ordered arrived with a hole in it",
            "48213",
            "it's maya.lindqvist@example.com",
            "yes please",
        ],
    )
    # the order is private until the customer proves it is theirs
    assert "postcode" in replies[1][0] and "DHL" not in replies[1][0]
    assert "48213" in replies[2][0] and "good news" not in replies[2][0].lower()
    # (a shipped order the customer has in hand: the record doubted, put right by a
    # person; any of the reply's wordings)
    doubted = replies[2][0]
    assert "bring one in" in doubted, doubted
    assert "person" in doubted or "colleague" in doubted, doubted
    assert "person" in replies[3][0] or "colleague" in replies[3][0]
    state = tracker(stack, sender)
    assert state["paused"] is True
    assert state["slots"]["handoff"] is True


def test_an_order_number_after_a_refund_question_gets_the_refund_status(
    stack: Stack, gateway_url: str
) -> None:
    _, replies = converse(
        gateway_url,
        [
            "I sent my return back two weeks ago and still no refund",
            "228810",
            "postcode 560001",
        ],
    )
    assert "refund" in replies[2][0] and "228810" in replies[2][0]
    assert "tracking" not in replies[2][0].lower()


def test_an_order_is_shown_only_to_the_customer_who_proves_it_is_theirs(
    stack: Stack, gateway_url: str
) -> None:
    """Through real Rasa: the order form asks for the e-mail address or postcode,
    a wrong one is asked again, the right one opens the customer's orders (and only
    theirs) for the rest of the chat."""
    sender, replies = converse(
        gateway_url,
        [
            "where is order 48213?",
            "kwame.mensah@example.org",
            "maya.lindqvist@example.com",
            "and what about order 13579?",
            "where is order 64450?",
        ],
    )
    from tests.actions.conftest import says

    first, wrong, shown, same_customer, someone_else = (r[0] for r in replies)
    assert "postcode" in first and "DHL" not in first
    assert says(wrong, "ask.order_proof_again", order_id="48213"), wrong
    assert "DHL" in shown and "JD014600003828" in shown  # 48213's carrier, tracking
    assert "13579" in same_customer and "postcode" not in same_customer
    assert "postcode" in someone_else  # another customer's order
    state = tracker(stack, sender)
    assert state["slots"]["verified_customer"] == "c-1001"
    assert state["paused"] is False


@pytest.mark.parametrize(
    "text",
    [
        "where's my order 651234, postcode 10115",
        "status of 651234? jonas.weber@example.net",
    ],
)
def test_a_proof_given_with_the_order_number_opens_it_at_once(
    stack: Stack, gateway_url: str, text: str
) -> None:
    _, [[reply]] = converse(gateway_url, [text])
    assert "651234" in reply and "postcode" not in reply
    assert "10115" not in reply  # never read as an order number


def test_a_proof_holds_for_the_conversation_s_next_session_too(
    stack: Stack, gateway_url: str
) -> None:
    """Proven once: a Telegram chat (or any conversation) that starts a new Rasa
    session later is not asked again (slots carry over to the new session)."""
    with httpx.Client(base_url=gateway_url, timeout=60) as client:
        token = client.post("/api/sessions").json()["session"]

        def say(text: str) -> str:
            response = client.post(
                "/api/messages", headers={"X-Session": token}, json={"text": text}
            )
            assert response.status_code == 200, response.text
            return " ".join(r.get("text", "") for r in response.json()["replies"])

        assert "postcode" in say("where is order 48213?")
        assert "DHL" in say("SE-113 56")
        settings = stack.settings
        sender = token.split(".")[0]
        httpx.post(
            f"{settings.rasa_url}/conversations/{sender}/execute",
            params={"token": settings.rasa_api_token()},
            json={"name": "action_session_start"},
            timeout=30,
        ).raise_for_status()
        events = tracker(stack, sender)["events"]
        assert [e for e in events if e.get("event") == "session_started"]
        later = say("where is order 730915?")  # Maya's too
        assert "730915" in later and "postcode" not in later


def test_a_complaint_naming_its_order_asks_for_proof_then_answers_it(
    stack: Stack, gateway_url: str
) -> None:
    _, replies = converse(
        gateway_url,
        ["order 228810 came with the mat torn in half", "560001"],
    )
    assert "postcode" in replies[0][0]
    assert "228810" in replies[1][0] and "yoga" not in replies[0][0].lower()


def test_yes_to_an_offered_question_is_answered_as_that_question(
    stack: Stack, gateway_url: str
) -> None:
    """Every exchange answer ends by offering a return or an order lookup; the "yes"
    is replayed as that question (both answers point to Account > Orders), not met
    with "What can I help you with?"."""
    sender, replies = converse(
        gateway_url, ["can I swap these boots for a bigger size", "yes please"]
    )
    assert "Account > Orders" in replies[1][0]
    events = tracker(stack, sender)["events"]
    intents = [
        e["parse_data"]["intent"]["name"] for e in events if e["event"] == "user"
    ]
    assert intents[0] == "exchange_item"
    assert intents[-1] in ("get_refund", "track_order")


def test_a_waiting_customer_is_answered_about_what_they_added(
    gateway_url: str,
) -> None:
    _, replies = converse(
        gateway_url,
        [
            "can I talk to a person please",
            "ok",
            "thanks",
            "it's about order 48213",
            "how long will that take?",
            "PLEASE I'M BEGGING YOU, MY RENT IS DUE AND YOU TOOK THE MONEY TWICE!!!",
            "I NEED THAT MONEY BACK TODAY, I CANNOT PAY MY RENT!!!",
        ],
    )
    assert replies[1] == [say("waiting_patience")]  # "ok": thanks for waiting
    assert replies[2] == [say("waiting_thanks")]
    assert replies[3] == [say("waiting_added_order", order="48213")]
    # "how long will that take?" while they wait: the wait (where they stand)
    [wait] = replies[4]
    assert "in line" in wait or "can't give you a time" in wait, wait
    # money worries: the feeling and what it is about heard, then what happens
    # with it (said once)...
    [worried] = replies[5]
    # the advice says the person acts already: where they stand after it, not a
    # second sentence that a person will reply
    assert say("waiting_advice_then") not in worried, worried
    advice = say("waiting_advice_hardship")
    assert advice in worried and worried.index(advice) > 0, worried
    acks = [
        say(f"concern_ack_{label}", concern="the double charge")
        for label in ("anger", "anxiety", "frustration")
    ]
    assert any(worried.startswith(f"{ack} {advice}") for ack in acks), worried
    # where they stand after it: nobody online yet, or their place in line (another
    # test's agent may still be signed in on the shared stack)
    after = worried.split(advice, 1)[1]
    assert "in line" in after or "can't give you a time" in after, worried
    # ...then, still urgent: heard and passed on
    [urgent] = replies[6]
    # the feeling named first, with the double charge told a message before (the
    # rent is said once, in the advice), then passed on as urgent
    # (the same words a moment ago: the feeling alone)
    passed = say("waiting_urgent_passed")
    acks += [
        say(f"waiting_ack_{label}") for label in ("anger", "anxiety", "frustration")
    ]
    assert any(urgent.startswith(f"{ack} {passed}") for ack in acks), urgent
    where = urgent.split(passed, 1)[1].strip()
    # the handoff message a few lines up said who is available: not said again
    assert where == ""


def test_a_waiting_customer_hears_what_to_do_meanwhile_and_is_heard(
    gateway_url: str,
) -> None:
    _, replies = converse(
        gateway_url,
        [
            "two purchases on my statement that I never made, my account was hacked",
            "what should I do in the meantime?",
            "could somebody ring me instead",
            "ok, I'd like a real person to look at this",
            "thank you",
        ],
    )
    # what to do now: what to do about it, and what the person will do
    assert replies[1] == [say("waiting_asked_fraud")]
    assert replies[2] == [say("waiting_call")]
    # a real person asked for: the impatience named, and where they stand
    assert replies[3][0].startswith(say("waiting_ack_impatient"))
    assert replies[4] == [say("waiting_thanks_care")]  # after a fraud: with care


def test_a_german_customer_is_answered_in_german_until_a_person_is_needed(
    stack: Stack, gateway_url: str
) -> None:
    from actions.language import language_book

    german = language_book().languages["de"]
    sender, replies = converse(
        gateway_url,
        [
            "Wie lange dauert der Versand nach Hamburg?",
            "Und wo ist eigentlich meine Bestellung?",
            "48213",
            "PLZ SE-113 56",
            "Ich möchte diese Bestellung bitte stornieren.",
        ],
    )
    # one answer per message, whatever NLU made of the German words
    assert replies[0] == [german.answers["delivery"]]  # calm: no stock offer
    assert replies[1] == [german.answers["order.ask"]]
    # the order is private: asked for its e-mail address or postcode, in German
    assert replies[2] == [german.answers["order.proof"].format(order_id="48213")]
    [status] = replies[3]
    assert status.startswith("Ihre Bestellung 48213 ist mit")
    assert re.search(r"am \d\d\.\d\d\. ankommen", status)  # the German way
    # a cancellation is for a person, in German
    assert german.handoff in " ".join(replies[4])
    assert tracker(stack, sender)["paused"]


def test_a_message_with_several_questions_gets_an_answer_to_each(
    stack: Stack, gateway_url: str
) -> None:
    from tests.actions.conftest import offers_readings, says

    _, [both, one, ask, facets, methods, after_colon, faq_first] = converse(
        gateway_url,
        [
            "Do you deliver to Belgium, and which payment methods can I use?",
            "how long do refunds take to come through",
            "Where is my order? And can I pay with PayPal next time?",
            "is sending it back free, and how many days do I have to return it?",
            "do you take Apple Pay, and can I also use Klarna?",
            # questions after a preamble and a colon, one opening with "is"
            "Hi, two things: what hours can I ring you, and is delivery to "
            "Switzerland possible?",
            # the FAQ answers one question first: the other is still answered
            "quick one: can I pay with Klarna, and is delivery to Norway possible?",
        ],
    )
    # each question answered once, in the order asked or with the question last
    assert len(both) == 2
    assert any(says(r, "check_payment_methods") for r in both)
    # a country we deliver to: yes first (data/store/delivery.yml)
    place = {"delivery_place": "Belgium"}
    assert any(says(r, "delivery_options_place_abroad", **place) for r in both)
    assert len(one) == 1  # one question, one answer
    # a way to pay named: yes first (data/store/payments.yml)
    named = {"payment_method": "PayPal"}
    assert len(ask) == 2 and says(ask[0], "check_payment_methods_named_yes", **named)
    assert says(ask[1], "ask.order_id")
    # two questions about returns: "yes, it's free", and the rules with the 30 days
    assert len(facets) == 2, facets
    assert says(facets[0], "check_refund_policy.cost")
    assert says(facets[1], "check_refund_policy")
    # two ways to pay named: one yes for both, not a yes for each again
    assert len(methods) == 1, methods
    assert "Apple Pay" in methods[0] and "Klarna" in methods[0]
    assert len(after_colon) == 2, after_colon
    assert any("+44 20 7946 0321" in r for r in after_colon)
    assert any("Switzerland" in r for r in after_colon)
    assert not any(offers_readings(r) for r in after_colon)
    assert len(faq_first) == 2, faq_first
    assert any("Klarna" in r for r in faq_first)
    assert any("Norway" in r for r in faq_first)


def test_a_waiting_customer_who_says_how_they_feel_hears_that_feeling_named(
    gateway_url: str,
) -> None:
    _, replies = converse(
        gateway_url,
        ["please put me through to a person", "I am a little worried about it all"],
    )
    assert replies[1] == [say("waiting_felt_anxiety")]


def test_a_conversation_in_another_language_ends_with_thanks_not_a_person(
    stack: Stack, gateway_url: str
) -> None:
    """NLU cannot read Dutch or German, and an e-mail address alone has no intent:
    neither counts as the bot failing, so a closing thanks after answered questions
    gets thanks back, not a person. A question in the language's own words is read
    as that language even when lingua alone is unsure, and a short follow-up goes
    on with its topic."""
    from actions.language import language_book

    dutch = language_book().languages["nl"]
    sender, replies = converse(
        gateway_url,
        [
            "Goedemiddag, hoe kan ik een bestelling retourneren?",
            "Hoeveel tijd heb ik daarvoor?",
            "99887766",
            "jonas.weber@example.net",
            "Dank u wel, dat was het.",
        ],
    )
    assert replies[0][0].startswith(dutch.answers["returns"])
    assert replies[1] == [dutch.answers["returns"]]  # the topic before, once offered
    assert replies[2] == [dutch.answers["order.proof"].format(order_id="99887766")]
    assert "99887766" in replies[3][0]
    # ...and the survey, in Dutch (data/surveys.yml)
    thanks, survey = replies[4]
    assert thanks == dutch.answers["thanks"] and survey in load_survey().intro["nl"]
    assert not tracker(stack, sender)["paused"]


def test_thanks_words_two_languages_share_get_the_survey_in_the_chats_language(
    gateway_url: str,
) -> None:
    """ "Top, dank je" and "Super, bedankt" are thanks in German and French words as
    much as in Dutch: the chat's language (the action server's reading) decides."""
    from actions.language import language_book

    dutch = language_book().languages["nl"]
    for closing in ("Top, dank je.", "Super, bedankt!"):
        _, replies = converse(
            gateway_url,
            ["Goedemiddag, hoe lang duurt de levering naar Utrecht?", closing],
        )
        assert replies[0] == [dutch.answers["delivery.abroad"]]  # Utrecht: abroad
        thanks, survey = replies[1]
        assert thanks == dutch.answers["thanks"]
        assert survey in load_survey().intro["nl"], survey


def test_a_question_asked_while_waiting_is_answered_before_the_advice(
    gateway_url: str,
) -> None:
    """Money trouble goes to a person; the waiting customer's question about refund
    times is answered first, then what we did about the money (said once)."""
    _, replies = converse(
        gateway_url,
        [
            "you took the payment twice and I've only got £15 left until payday",
            "in the meantime, how long does a refund usually take?",
            "A PERSON PLEASE",
        ],
    )
    [answer] = replies[1]
    # (the person named in full once in a reply: "they" the second time)
    advice = person_once(f"{PERSON} {say('waiting_advice_hardship')}", "")
    advice = advice.removeprefix(f"{PERSON} ")
    assert "business days" in answer and advice in answer
    assert answer.index("business days") < answer.index(advice)
    # asked again, in capitals: the impatience is named, and where they stand
    assert replies[2][0].startswith(say("waiting_ack_impatient")), replies
    assert "in line" in replies[2][0], replies


def test_going_on_with_the_problem_after_a_person_was_offered_brings_one_in(
    stack: Stack, gateway_url: str
) -> None:
    """A person was offered for a broken item; the customer does not say yes but goes
    on with it ("can you just refund it?"): a person is brought in, not the same offer
    a second time. "No thanks" keeps the bot."""
    sender, replies = converse(
        gateway_url,
        [
            "the teapot from order 730915 arrived in pieces",
            "maya.lindqvist@example.com",
            "can you just refund it?",
        ],
    )
    offers = [r for r in replies if "bring one in" in " ".join(r).lower()]
    assert len(offers) <= 1, replies
    assert tracker(stack, sender)["paused"], replies


def test_a_question_beside_words_for_a_person_is_answered_while_waiting(
    gateway_url: str,
) -> None:
    """Waiting for a person, "can someone tell me which payment methods you
    accept?" is a question we can answer, not only a request for the person already
    coming."""
    _, replies = converse(
        gateway_url,
        [
            "I'd like to speak to a person please",
            "can someone tell me which payment methods you accept?",
        ],
    )
    [answer] = replies[1]
    assert "PayPal" in answer
    assert not answer.startswith(say("waiting_person_asked"))


def test_a_new_question_after_a_person_was_offered_is_answered(
    stack: Stack, gateway_url: str
) -> None:
    """The delivered order's state offers a person if the parcel is not there; the
    customer asks something else ("how long do I have to return an item?"): that is
    answered, no person is brought in for it."""
    sender, replies = converse(
        gateway_url,
        [
            "could you confirm the delivery status of order 730915",
            "maya.lindqvist@example.com",
            "how long do I have to return an item once it has been delivered?",
        ],
    )
    assert "30 days" in " ".join(replies[2]), replies
    assert not tracker(stack, sender)["paused"], replies


def test_a_question_about_the_delivery_never_cancels_the_order(
    gateway_url: str,
) -> None:
    """ "Can the courier leave it with a neighbour?" names no cancellation: after
    the proof the order is not cancelled (a cancellation needs words for one)."""
    _, replies = converse(
        gateway_url,
        [
            "I've got the flu, can the courier leave order 5520174 with a neighbour?",
            "kwame.mensah@example.org",
        ],
    )
    said = " ".join(" ".join(r) for r in replies).lower()
    assert "cancelled" not in said and "refund" not in said, replies


def test_a_customer_who_cannot_phone_is_never_asked_for_a_phone_number(
    stack: Stack, gateway_url: str
) -> None:
    """Whatever the team's hours, a customer who says they cannot use the phone is
    not offered a call: not in the handoff message, not while they wait; the person
    who takes the chat is told so in the ticket."""
    sender, replies = converse(
        gateway_url,
        [
            "I get panic attacks on calls so I can't use the phone. Please can a "
            "person help me with a charge I don't recognise?",
            "how long will I have to wait?",
            "are you still there? nobody has answered",
        ],
    )
    said = " ".join(" ".join(r) for r in replies)
    assert "phone number" not in said, replies
    assert not re.search(r"\b(?:ring|call) you\b", said), replies
    client = redis.Redis.from_url(stack.settings.redis_url, decode_responses=True)
    ticket = client.hgetall(Keys(stack.settings.redis_prefix).ticket(sender))
    assert "Do not contact them by phone" in ticket.get("explanation", ""), ticket


def test_a_request_in_one_sentence_beside_a_job_loss_is_done_not_queued(
    gateway_url: str,
) -> None:
    """ "I need to cancel 48213. Lost my job..." is one request with its reason:
    NLU, unsure of the whole, reads the request's sentence alone; the job is named
    and the order looked up (the proof asked first), not a person in an empty
    queue."""
    _, replies = converse(
        gateway_url,
        [
            "Hi, I need to cancel 48213. Lost my job this week and I can't justify "
            "the money on a scarf right now.",
        ],
    )
    [first] = replies
    said = " ".join(first)
    assert "job" in said, first
    assert "48213" in said and "postcode" in said, first
    assert "signed in" not in said and "online" not in said, first


def test_what_becomes_of_a_missing_item_asked_after_the_offer_brings_a_person(
    gateway_url: str,
) -> None:
    """A person offered to put right a part missing from the parcel, and the
    customer asks "will you send it or refund it?": the person is brought in and
    the handoff says what holds (nothing to send back), not the refund's state."""
    _, replies = converse(
        gateway_url,
        [
            "The parcel for order 730915 came without the filter papers, only the "
            "dripper was in it.",
            "maya.lindqvist@example.com",
            "will you send the missing part or refund it?",
        ],
    )
    said = " ".join(replies[2])
    assert say("waiting_fits_missing") in said, replies


def test_an_unsure_message_whose_reading_is_right_is_not_read_twice(
    gateway_url: str,
) -> None:
    """An order number with "I think" and a question beside a long preamble: NLU
    reads it as where the order is, unsure; a sentence read alone says the same, so
    nothing is replayed, and the message is not taken for a wrong proof."""
    _, replies = converse(
        gateway_url,
        [
            "good morning, my daughter set up the computer for me. I bought a "
            "scarf and gloves, the number is 48213 I believe. when will they come",
        ],
    )
    [first] = replies
    said = " ".join(first)
    assert "48213" in said and "postcode" in said, first
    assert "don't go together" not in said and "can't find" not in said, first
