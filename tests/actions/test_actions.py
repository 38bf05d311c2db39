"""Actions run on trackers loaded from JSON; each test asserts the whole event list."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.demo_store import DemoStore
from actions.empathy import empathy_book
from actions.handoff import handoff_queue
from actions.language_texts import LanguageTexts, day_month
from actions.lookups import ActionOrderLookup
from actions.mood import assess
from actions.proof_form import ActionAskOrderId
from actions.readings import chosen_reading, reading_text
from actions.replies import reply_book
from actions.speaker import asks
from actions.store import Order
from actions.unclear import ActionConfirmUnderstood, ActionNotUnderstood
from tests.actions.conftest import (
    load_tracker,
    offered_events,
    owner,
    says,
    says_nobody_online,
    variations,
)
from tests.hours import closed_for_days

DOMAIN: dict = {}


async def test_cancel_of_a_shipped_order_explains_the_return(store: DemoStore) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("cancel_after_form", verified_customer=owner("48213"))
    events = await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert events == [
        *assess(tracker).events,
        {"event": "slot", "timestamp": None, "name": "order_id", "value": "48213"},
        *offered_events(message["text"]),
    ]
    order = await store.order("48213")
    assert order is not None and order.status == "shipped"
    assert says(message["text"], "cancel_order.shipped", **order.values())


async def test_cancel_of_an_unshipped_order_cancels_it(store: DemoStore) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker(
        "cancel_after_form", order_id="5520174", verified_customer=owner("5520174")
    )
    events = await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert events == [
        *assess(tracker).events,
        {"event": "slot", "timestamp": None, "name": "order_id", "value": "5520174"},
        *offered_events(message["text"]),
    ]
    cancelled = await store.order("5520174")
    assert cancelled is not None and cancelled.status == "cancelled"
    assert says(message["text"], "cancel_order.cancellable", **cancelled.values())


def cancel_asked_as(text: str) -> Tracker:
    """The proven cancellation of 5520174, with the request written as ``text``."""
    tracker = load_tracker(
        "cancel_after_form", order_id="5520174", verified_customer=owner("5520174")
    )
    for event in tracker.events:
        if (
            event.get("event") == "user"
            and event.get("text") == "I want to cancel my order"
        ):
            event["text"] = text
    return tracker


@pytest.mark.parametrize(
    "question",
    [
        "can I still cancel my order?",
        "if it isn't here by the 20th, I can cancel?",
        "is it possible to cancel order 5520174",
        # typed in a hurry
        "could i cancle it if i wanted?",
    ],
)
async def test_asking_whether_it_can_be_cancelled_cancels_nothing(
    store: DemoStore, question: str
) -> None:
    """Asked whether it can be cancelled, not for it to be: the answer, and a
    question before anything is done (a yes cancels it, as an accepted offer)."""
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, cancel_asked_as(question), DOMAIN)
    [message] = dispatcher.messages
    order = await store.order("5520174")
    assert order is not None and order.status == "processing"
    assert says(message["text"], "cancel_order.possible", **order.values())
    assert reply_book().offer(message["text"]) == "ask cancel_order"


@pytest.mark.parametrize(
    "asked",
    [
        "I lost my job and can't afford it now. Can I cancel please?",
        "could I cancel it, please",
    ],
)
async def test_asking_politely_to_cancel_cancels_it(
    store: DemoStore, asked: str
) -> None:
    """ "Can I cancel please?": a request said politely, not the question whether
    it can be; the order is cancelled."""
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, cancel_asked_as(asked), DOMAIN)
    order = await store.order("5520174")
    assert order is not None and order.status == "cancelled", dispatcher.messages


@pytest.mark.parametrize(
    "text",
    [
        "oh never mind, don't cancel it, I was only curious",
        "no need to cancle anything thanks",
        "nvm, keep the order",
    ],
)
async def test_saying_not_to_cancel_cancels_nothing(
    store: DemoStore, text: str
) -> None:
    """Whatever NLU reads into "cancel", "don't cancel it" or "never mind" leaves the
    order as it is, and says so."""
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, cancel_asked_as(text), DOMAIN)
    [message] = dispatcher.messages
    order = await store.order("5520174")
    assert order is not None and order.status == "processing"
    assert says(message["text"], "cancel_order.kept", **order.values())


async def test_unknown_order_number_is_cleared_and_explained(store: DemoStore) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("cancel_after_form", order_id="11112222")
    events = await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    assert events == [
        *assess(tracker).events,
        {"event": "slot", "timestamp": None, "name": "order_id", "value": None},
        # every variation offers a colleague's help, so a "yes" brings one in
        {"event": "slot", "timestamp": None, "name": "offered", "value": "handoff"},
    ]
    [message] = dispatcher.messages
    assert says(message["text"], "order.not_found", order_id="11112222")


async def test_several_readings_are_offered_to_pick_from() -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("fallback_with_plausible_guess")
    events = await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    assert events == [
        *assess(tracker).events,
        {"event": "slot", "timestamp": None, "name": "pending_intent", "value": None},
        {
            "event": "slot",
            "timestamp": None,
            "name": "offered",
            "value": "choose track_order,delivery_period",
        },
    ]
    [message] = dispatcher.messages
    assert says(
        message["text"],
        "choose_intent",
        options="check where your order is or know how long delivery takes",
    )
    assert message["buttons"] == [
        {"title": "Check where your order is", "payload": reading_text("track_order")},
        {
            "title": "Know how long delivery takes",
            "payload": "I'd like to know how long delivery takes",
        },
    ]
    assert reading_text("track_order") == "I'd like to check where my order is"
    # the customer's pick, by button or in words, is answered as that intent
    for picked in ("I'd like to check where my order is", "the first one", "1"):
        chosen = load_tracker("fallback_with_plausible_guess")
        chosen.slots["offered"] = "choose track_order,delivery_period"
        chosen.latest_message["text"] = picked
        assert chosen_reading(chosen) == "track_order"
    chosen.latest_message["text"] = "neither, thanks"
    assert chosen_reading(chosen) is None


async def test_plausible_guess_is_confirmed_with_yes_no_buttons() -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("fallback_with_plausible_guess")
    tracker.latest_message["intent_ranking"][2]["confidence"] = 0.05  # one reading
    events = await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    assert events == [
        *assess(tracker).events,
        {
            "event": "slot",
            "timestamp": None,
            "name": "pending_intent",
            "value": "track_order",
        },
    ]
    [message] = dispatcher.messages
    description = reply_book().describe("track_order")
    assert says(message["text"], "confirm_intent", description=description)
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]


async def test_implausible_guess_is_declined_honestly() -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("fallback_with_plausible_guess")
    tracker.latest_message["intent_ranking"][1]["confidence"] = 0.1
    # nothing the FAQ (data/faq.yml) knows either: "parcel ... not here" is near its
    # safe-place and split-delivery answers
    tracker.latest_message["text"] = tracker.events[-1]["text"] = "the thing??"
    events = await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    assert events == [
        *assess(tracker).events,
        {"event": "slot", "timestamp": None, "name": "pending_intent", "value": None},
        {"event": "slot", "timestamp": None, "name": "offered", "value": "handoff"},
        # a turn the bot could not help with: two of them bring in a person
        {"event": "slot", "timestamp": None, "name": "missed", "value": True},
    ]
    [message] = dispatcher.messages
    assert says(message["text"], "fallback")


async def test_praise_torn_between_thanks_and_compliment_is_answered_warmly() -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("fallback_with_plausible_guess")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "compliment", "confidence": 0.35},
        {"name": "thank_you", "confidence": 0.34},
        {"name": "change_order", "confidence": 0.2},
    ]
    events = await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    assert events == [
        *assess(tracker).events,
        {"event": "slot", "timestamp": None, "name": "pending_intent", "value": None},
    ]
    [message] = dispatcher.messages
    assert says(message["text"], "compliment")


async def test_yes_replays_the_unclear_message_with_the_confirmed_intent() -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("affirm_after_guess")
    events = await ActionConfirmUnderstood().run(dispatcher, tracker, DOMAIN)
    assert events == [
        *assess(tracker).events,
        {"event": "rewind", "timestamp": None},
        {"event": "rewind", "timestamp": None},
        {
            "event": "action",
            "timestamp": None,
            "name": "action_listen",
            "policy": None,
            "confidence": None,
        },
        {"event": "slot", "timestamp": None, "name": "pending_intent", "value": None},
        {
            "event": "user",
            "text": "parcel thing not here??",
            "parse_data": {
                "intent": {"name": "track_order", "confidence": 1.0},
                "entities": [{"entity": "order_id", "value": "48213"}],
                # the confirmed reading alone: no ranking of the unsure one
                "intent_ranking": [{"name": "track_order", "confidence": 1.0}],
            },
            "input_channel": "rest",
            "metadata": {"channel": "web"},
        },
    ]
    assert dispatcher.messages == []


async def test_no_to_a_guess_asks_to_rephrase() -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("affirm_after_guess")
    tracker.latest_message["intent"] = {"name": "deny", "confidence": 0.97}
    events = await ActionConfirmUnderstood().run(dispatcher, tracker, DOMAIN)
    assert events == [
        *assess(tracker).events,
        {"event": "slot", "timestamp": None, "name": "pending_intent", "value": None},
    ]
    [message] = dispatcher.messages
    assert says(message["text"], "confirm_denied")


async def test_greeting_uses_the_name_from_the_channel_and_remembers_it() -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("greet_with_name")
    events = await ActionAnswer().run(dispatcher, tracker, DOMAIN)
    assert events == [
        *assess(tracker).events,
        {"event": "slot", "timestamp": None, "name": "customer_name", "value": "Amara"},
    ]
    [message] = dispatcher.messages
    assert "Amara" in message["text"]
    assert says(message["text"], "greet", name_greeting=" Amara")


async def test_an_angry_customer_is_handed_to_a_person_and_the_bot_pauses() -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("angry_in_order_form")
    mood = assess(tracker)
    assert mood.decision.escalate
    assert "person_request" in mood.decision.reasons
    events = await ActionAskOrderId().run(dispatcher, tracker, DOMAIN)
    assert events == [
        *mood.events,
        {"event": "active_loop", "timestamp": None, "name": None},
        {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None},
        {"event": "slot", "timestamp": None, "name": "handoff", "value": True},
        {"event": "pause", "timestamp": None},
    ]
    [message] = dispatcher.messages
    assert says(message["text"].replace("Maya, ", ""), "ask.order_id") is False
    assert "person" in message["text"] or "colleague" in message["text"]
    assert "!" not in message["text"]


async def test_mood_is_stored_in_slots_for_the_agent() -> None:
    tracker = load_tracker("angry_in_order_form")
    slots = {e["name"]: e["value"] for e in assess(tracker).events}
    assert slots["emotion"] in ("anger", "frustration")
    assert slots["frustration_level"] >= 3
    assert "person_request" in slots["escalation_reasons"]
    assert slots["escalation_explanation"].startswith("Escalate to a person")
    assert len(slots["emotion_timeline"]) == 1


async def test_a_calm_question_gets_a_plain_friendly_answer() -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("calm_question")
    events = await ActionAnswer().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    # without a stock closer ("Does that help?"): the bot never says one
    answers = {
        reply_book().without_closer(v) for v in variations("check_payment_methods")
    }
    assert message["text"] in answers
    assert not reply_book().closes(message["text"])
    assert events == [*assess(tracker).events, *offered_events(message["text"])]


async def test_the_handoff_puts_a_ticket_in_the_queue_and_says_where_it_stands(
    own_redis_keys: str,
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("angry_in_order_form")
    await ActionAskOrderId().run(dispatcher, tracker, DOMAIN)
    ticket = await handoff_queue().ticket(tracker.sender_id)
    assert ticket.state == "queued"
    assert ticket.customer.name == "Maya"
    assert "person_request" in ticket.reasons
    assert ticket.explanation.startswith("Escalate to a person")
    [message] = dispatcher.messages
    # nobody is online in the test database, and the customer is told so honestly
    assert says_nobody_online(message["text"])
    again = CollectingDispatcher()
    await ActionAskOrderId().run(again, tracker, DOMAIN)
    # a retry makes no second ticket (other tests of the run may have queued theirs)
    waiting = [t.id for t in await handoff_queue().waiting()]
    assert waiting.count(tracker.sender_id) == 1


async def test_outside_business_hours_the_customer_hears_when_the_team_is_back(
    own_redis_keys: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "handoff.yml"
    back = closed_for_days(config)
    monkeypatch.setenv("HANDOFF_CONFIG", str(config))
    handoff_queue.cache_clear()
    dispatcher = CollectingDispatcher()
    await ActionAskOrderId().run(
        dispatcher, load_tracker("angry_in_order_form"), DOMAIN
    )
    [message] = dispatcher.messages
    assert f"back {back}" in message["text"]
    assert "leave a phone number or e-mail" in message["text"]


async def test_hello_mid_chat_is_answered_as_waiting_not_arriving() -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("hello_while_waiting")
    events = await ActionAnswer().run(dispatcher, tracker, DOMAIN)
    assert events == [*assess(tracker).events]
    [message] = dispatcher.messages
    assert says(message["text"], "greet_again")
    assert not says(message["text"], "greet", name_greeting="")


async def test_a_reply_that_already_asks_gets_no_extra_invitation() -> None:
    """An upset customer hears the feeling named; when the answer says what we can
    and cannot do, "if I got it wrong, tell me" would only repeat it."""
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("upset_out_of_scope")
    assert assess(tracker).analysis.frustration == 2
    await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], "out_of_scope")
    invitations = empathy_book().data["invite_correction"]
    assert not any(invite in message["text"] for invite in invitations)


def test_only_replies_that_ask_nothing_invite_a_correction() -> None:
    assert asks("out_of_scope", "I can't help with that, sorry.")
    assert asks("track_order", "It's with DHL. Does that help?")
    assert not asks("track_order", "It's with DHL and arrives on Friday.")


@pytest.mark.parametrize("confidence", [0.62, 0.42])
async def test_a_happy_story_nlu_took_for_a_complaint_gets_a_warm_reply(
    confidence: float,
) -> None:
    """Also when NLU was unsure: no "you'd like to tell us what went wrong" first."""
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("happy_story_as_complaint")
    tracker.latest_message["intent"]["confidence"] = confidence
    assert assess(tracker).analysis.label.value == "joy"
    events = await ActionAnswer().run(dispatcher, tracker, DOMAIN)
    assert events == [*assess(tracker).events]
    [message] = dispatcher.messages
    assert says(message["text"], "compliment")
    assert "sorry" not in message["text"].lower()
    assert reply_book().describe("complaint") not in message["text"]


async def test_when_after_delivered_gives_the_day_it_was_delivered(
    store: DemoStore,
) -> None:
    """ "when?" right after "it was delivered": the day it was, not the state again."""
    from tests.actions.test_offers import conversation

    order = await store.order("730915")
    assert order is not None and order.status == "delivered" and order.eta
    told = reply_book().pick("track_order.delivered", **order.values())
    tracker = conversation(
        [
            ("customer", "status of 730915", "track_order"),
            ("form", "", None),
            ("bot", told, None),
            ("customer", "when?", "track_order"),
        ],
        "delivered-when",
        order_id="730915",
        verified_customer=owner("730915"),
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], "track_order.delivered_again_on", **order.values())
    assert order.eta in message["text"]


@pytest.mark.parametrize(
    ("number", "status"), [("48213", "shipped"), ("99887766", "processing")]
)
async def test_and_if_it_does_not_come_gets_what_can_be_done(
    store: DemoStore, number: str, status: str
) -> None:
    """ "and if it doesn't?" after its date: what can be done then, not the date
    again."""
    from tests.actions.test_offers import conversation

    order = await store.order(number)
    assert order is not None and order.status == status
    told = reply_book().pick(f"track_order.{status}", **order.values())
    tracker = conversation(
        [
            ("customer", f"will {number} come by friday?", "track_order"),
            ("form", "", None),
            ("bot", told, None),
            ("customer", "and if it doesn't?", "track_order"),
        ],
        f"if-not-{number}",
        order_id=number,
        verified_customer=owner(number),
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], f"track_order.{status}_if_not", **order.values())


@pytest.mark.parametrize(
    ("before", "follow_up", "key"),
    [
        (
            "Do you ship to Norway?",
            "How long does delivery there usually take?",
            "delivery_period_place_abroad",
        ),
        (
            "Do you ship to Norway?",
            "How long does delivery usually take?",
            "delivery_period_place_abroad",
        ),
        # no place named before: the general times
        (
            "Do you take PayPal?",
            "How long does delivery usually take?",
            "delivery_period",
        ),
    ],
)
def test_delivery_there_is_to_the_place_named_before(
    before: str, follow_up: str, key: str
) -> None:
    """ "How long does delivery (there) take?" right after "Do you ship to Norway?"
    is about Norway: its time, not our domestic times."""
    from actions.answer_keys import answer_key, answer_values
    from tests.actions.test_offers import conversation

    tracker = conversation(
        [
            ("customer", before, "delivery_options"),
            ("bot", "Yes, we deliver to Norway.", None),
            ("customer", follow_up, "delivery_period"),
        ],
        "reach-there",
    )
    assert answer_key("delivery_period", tracker) == key
    if key.endswith("_abroad"):
        assert answer_values(tracker)["delivery_place"] == "Norway"


@pytest.mark.parametrize(
    ("place", "key", "written"),
    [
        ("norway", "delivery_options_place_abroad", "Norway"),
        ("uk", "delivery_options_place_abroad", "the UK"),
        ("Canada", "delivery_options_place_no", "Canada"),
        ("Munich", "delivery_options_place_home", "Munich"),  # a town at home
        ("leeds", "delivery_options_place_abroad", "Leeds in the UK"),  # a town abroad
        ("Qwertyville", "delivery_options_place", "Qwertyville"),  # no place we know
    ],
)
def test_a_country_we_deliver_to_or_not_gets_yes_or_no_first(
    place: str, key: str, written: str
) -> None:
    """ "ship to norway?" is answered yes (or no, for a country outside Europe)
    before the details, with the country written as we write it
    (data/store/delivery.yml)."""
    from actions.answer_keys import answer_key, answer_values
    from tests.actions.test_offers import conversation

    tracker = conversation(
        [("customer", f"do you ship to {place}?", "delivery_options")], "reach"
    )
    tracker.latest_message["entities"] = [
        {"entity": "delivery_country", "value": place, "start": 15, "end": 20}
    ]
    assert answer_key("delivery_options", tracker) == key
    assert answer_values(tracker)["delivery_place"] == written
    said = reply_book().pick(key, **answer_values(tracker))
    assert written in said
    if key.endswith("_no"):
        assert "don't deliver" in said or "not yet" in said or "can't ship" in said
    elif key.endswith("_abroad"):
        assert "5–10" in said and "international" in said
    elif key.endswith("_home"):
        assert "international" not in said


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("ship to norway?", "norway"),
        ("how long does delivery to the UK take", "the UK"),
        ("can I send it back to us", None),  # "us" is not the US
        ("I want to return it", None),
    ],
)
def test_a_country_nlu_missed_is_read_from_the_words(
    text: str, place: str | None
) -> None:
    from actions.delivery import named_country

    assert named_country(text) == place


async def test_and_the_other_one_asks_which_order(store: DemoStore) -> None:
    """ "and the other one?" right after an order's answer: which other order, not
    the same order again; the chat's order is let go so the next number is looked
    up."""
    from tests.actions.test_offers import conversation

    order = await store.order("48213")
    assert order is not None
    told = reply_book().pick("track_order.shipped", **order.values())
    tracker = conversation(
        [
            ("customer", "where's 48213", "track_order"),
            ("form", "", None),
            ("bot", told, None),
            ("customer", "ok and the other one?", "track_order"),
        ],
        "other-one",
        order_id="48213",
        verified_customer=owner("48213"),
    )
    dispatcher = CollectingDispatcher()
    events = await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], "ask.other_order", **order.values())
    assert {"event": "slot", "timestamp": None, "name": "order_id", "value": None} in [
        dict(e) for e in events
    ]


async def after_its_state(
    store: DemoStore, number: str, key: str, text: str, sender: str
) -> tuple[Order, Tracker]:
    """The order ``number`` (proven the customer's) and a tracker where the bot
    gave its state (reply ``key``) and the customer wrote ``text`` next, as a
    question about the order (NLU: track_order)."""
    from tests.actions.test_offers import conversation

    order = await store.order(number)
    assert order is not None
    told = reply_book().pick(key, **order.values())
    tracker = conversation(
        [
            ("customer", f"where's {number}", "track_order"),
            ("form", "", None),
            ("bot", told, None),
            ("customer", text, "track_order"),
        ],
        sender,
        order_id=number,
        verified_customer=owner(number),
    )
    return order, tracker


async def lookup_says(tracker: Tracker) -> tuple[str, list[dict]]:
    """The order lookup's one message for ``tracker``, and its events."""
    dispatcher = CollectingDispatcher()
    events = await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    return str(message["text"]), events


@pytest.mark.parametrize("follow_up", ["so what's the new date?", "when then?"])
async def test_a_late_order_asked_about_again_has_no_new_date_made_up(
    store: DemoStore, follow_up: str
) -> None:
    """Right after "it's late" (the day it was due has passed), "when then?" is told
    there is no newer date, never that past day as the day it will come."""
    from actions.order_follow_up import order_follow_up

    late = "track_order.shipped_late"
    order, tracker = await after_its_state(
        store, "808080123456", late, follow_up, "late-again"
    )
    assert order.late
    said, _ = await lookup_says(tracker)
    assert says(said, "track_order.shipped_late_again", **order.values())
    found = await order_follow_up(tracker)
    assert found is not None
    assert found[0] == "track_order.shipped_late_again"


@pytest.mark.parametrize(
    "text",
    [
        "Is there nothing you can do? Can somebody chase the courier?",
        "ok, could someone look into it please",
    ],
)
async def test_someone_asked_to_chase_a_late_order_brings_a_person(
    store: DemoStore, own_queue: str, text: str
) -> None:
    """ "Is there nothing you can do? Can somebody chase the courier?" right after
    "it's late" (NLU: a question about the order): the person, not "no new date"
    and the same offer again."""
    from tests.actions.test_offers import PAUSE

    late = "track_order.shipped_late"
    order, tracker = await after_its_state(
        store, "808080123456", late, text, f"late-chase-{len(text)}"
    )
    said, events = await lookup_says(tracker)
    assert events[-len(PAUSE) :] == PAUSE
    assert not says(said, "track_order.shipped_late_again", **order.values())


async def test_tracking_that_has_not_moved_is_heard_not_given_again(
    store: DemoStore,
) -> None:
    """ "no, the tracking hasn't updated since thursday" after a shipped order's
    state: heard, still due that day, a colleague offered to ask the carrier; not
    the same state again."""
    stalled = "no, the tracking hasn't updated since thursday"
    order, tracker = await after_its_state(
        store, "48213", "track_order.shipped", stalled, "stalled"
    )
    assert order.status == "shipped" and not order.late
    said, _ = await lookup_says(tracker)
    assert says(said, "track_order.shipped_stalled", **order.values())
    assert reply_book().offer(said) == "handoff"


@pytest.mark.parametrize("language", ["de", "es", "fr", "it", "nl", "pt", "pl", "sv"])
async def test_a_late_order_is_late_in_every_language(
    store: DemoStore, language: str
) -> None:
    from actions.language import language_book

    order = await store.order("808080123456")
    assert order is not None and order.late
    book = language_book()
    said = book.order_answer(language, order.values(), again=True)
    texts = book.languages[language]
    assert said == texts.answers["order.shipped_late"].format(
        **{**order.values(), "eta": said_eta(texts, order.eta)}
    )


def said_eta(texts: LanguageTexts, english: str) -> str:
    """An English day ("Tuesday 1 December") as the language writes it."""

    parts = day_month(english)
    assert parts is not None
    return texts.date.format(**parts)


@pytest.mark.parametrize(
    ("order_id", "follow_up", "key"),
    [
        ("5520174", "how come it's taking so long?", "track_order.processing_why"),
        (
            "5520174",
            "could you get it to me quicker?",
            "track_order.processing_speed_up",
        ),
        ("48213", "what's the hold up?", "track_order.shipped_why"),
        ("48213", "can you hurry it up", "track_order.shipped_speed_up"),
        # sent by express, in so many words
        (
            "5520174",
            "could you send it by express? happy to pay",
            "track_order.processing_speed_up",
        ),
        # paying for a faster delivery is the same question, not the ways to pay
        (
            "5520174",
            "can I pay a bit more for next day?",
            "track_order.processing_speed_up",
        ),
        (
            "48213",
            "is there a way it gets here sooner?",
            "track_order.shipped_speed_up",
        ),
        # the word for it in a formal letter, and express named as the way
        (
            "5520174",
            "Would there be any possibility of expediting it?",
            "track_order.processing_speed_up",
        ),
        (
            "48213",
            "would it come sooner with next day?",
            "track_order.shipped_speed_up",
        ),
        # the tracking number or a link: the number and where to follow it
        (
            "48213",
            "ok and can i get the trackin number",
            "track_order.shipped_tracking",
        ),
        ("5520174", "is there a tracking link?", "track_order.processing_tracking"),
        # cancelled, and not by them: not their doing, and who can find out why
        (
            "13579",
            "cancelled?? i never cancelled it, did i do something wrong?",
            "order.record_disagrees.cancelled_unknown",
        ),
        # wanted after all: not restarted, ordered anew or by a person
        ("13579", "can you put it back through?", "track_order.cancelled_reorder"),
        (
            "4471290",
            "Is there any way to still get it?",
            "track_order.cancelled_reorder",
        ),
        # asked what happened to it: not of their doing either
        (
            "13579",
            "wait, it's cancelled? what happened?",
            "order.record_disagrees.cancelled_unknown",
        ),
        # late: that it is late and there is no new date, not "it's on time"
        ("808080123456", "why's it so slow", "track_order.shipped_late_again"),
    ],
)
async def test_why_so_slow_and_can_you_speed_it_up_about_the_chats_order(
    store: DemoStore, order_id: str, follow_up: str, key: str
) -> None:
    """Right after an order's state, why it takes so long (it is on time, when it
    comes) and what can make it faster (a new order with Express while it is with
    us; the carrier's page once shipped)."""
    from actions.order_follow_up import order_follow_up
    from tests.actions.test_offers import conversation

    order = await store.order(order_id)
    assert order is not None
    state = "late" if order.late else ""
    told = reply_book().pick(
        f"track_order.{order.status}{'_' + state if state else ''}", **order.values()
    )
    tracker = conversation(
        [
            ("customer", f"where's {order_id}", "track_order"),
            ("form", "", None),
            ("bot", told, None),
            ("customer", follow_up, "affirm"),
        ],
        "time-question",
        order_id=order_id,
        verified_customer=owner(order_id),
    )
    found = await order_follow_up(tracker)
    assert found is not None
    assert found[0] == key


@pytest.mark.parametrize(
    ("order_id", "key"),
    [
        ("99887766", "change_address.given_processing"),
        ("48213", "change_address.given_shipped"),
        ("730915", "change_address.given_delivered"),
    ],
)
async def test_the_new_address_written_out_is_taken_for_the_chats_order(
    store: DemoStore, order_id: str, key: str
) -> None:
    """After "how do I change the address on my order?" and its answer, the address
    itself ("Hafenweg 7, 20457 Hamburg") is what to do with it for that order, not
    "I can't help with that one"."""
    from tests.actions.test_offers import conversation

    order = await store.order(order_id)
    assert order is not None
    tracker = conversation(
        [
            ("customer", f"I need to change the address on {order_id}", "track_order"),
            ("bot", "You can change the delivery address under Account.", None),
            ("customer", "please send it to Hafenweg 7, 20457 Hamburg", "out_of_scope"),
        ],
        "new-address",
        order_id=order_id,
        verified_customer=owner(order_id),
    )
    dispatcher = CollectingDispatcher()
    await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], key, **order.values()), message["text"]


async def test_a_new_address_the_lookup_gets_is_taken_for_the_chats_order(
    store: DemoStore,
) -> None:
    """ "new adress is 3-2-1 Jingumae, Shibuya, Tokyo" after asking to change it,
    read by NLU as an order question: what can be done with the new address, not
    the order's state again."""
    from tests.actions.test_offers import conversation

    order = await store.order("1209384756")
    assert order is not None
    tracker = conversation(
        [
            ("customer", "hi can i chnage the adress on my order 1209384756", None),
            (
                "bot",
                reply_book().pick("change_address.editable", **order.values()),
                None,
            ),
            (
                "customer",
                "new adress is 3-2-1 Jingumae, Shibuya, Tokyo 150-0002",
                "track_refund",
            ),
        ],
        "new-address-lookup",
        order_id=order.id,
        verified_customer=owner(order.id),
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], "change_address.given_processing", **order.values())


async def test_an_address_outside_a_talk_about_addresses_is_no_new_address() -> None:
    from actions.new_address import address_given
    from actions.speaker import Speaker
    from tests.actions.test_offers import conversation

    tracker = conversation(
        [("customer", "my shop is at 3 Kings Road, is that near you?", "out_of_scope")],
        "no-address-talk",
    )
    speaker = Speaker(CollectingDispatcher(), tracker, assess(tracker), "out_of_scope")
    assert await address_given(speaker, tracker) is None


@pytest.mark.parametrize(
    ("order_id", "key"),
    [
        ("99887766", "change_order.editable"),
        ("48213", "change_order.locked"),
    ],
)
async def test_adding_to_the_chats_order_right_after_its_state(
    store: DemoStore, order_id: str, key: str
) -> None:
    """ "can i still add sth to it?" right after the order's state: whether it can
    change, whatever NLU made of a few slangy words."""
    from actions.order_follow_up import order_follow_up
    from tests.actions.test_offers import conversation

    order = await store.order(order_id)
    assert order is not None
    told = reply_book().pick(f"track_order.{order.status}", **order.values())
    tracker = conversation(
        [
            ("customer", f"status of {order_id}?", "track_order"),
            ("form", "", None),
            ("bot", told, None),
            ("customer", "nice. can i still add sth to it?", "nlu_fallback"),
        ],
        "add-to-it",
        order_id=order_id,
        verified_customer=owner(order_id),
    )
    found = await order_follow_up(tracker)
    assert found is not None and found[0] == key


async def test_the_day_it_is_needed_by_told_after_the_state_is_checked_against_it(
    store: DemoStore,
) -> None:
    """ "bday's on sunday lol" right after the order's state (NLU reads a question
    about Sunday delivery): whether the order comes in time for the birthday."""
    from actions.order_checks import deadline_day
    from actions.order_follow_up import order_follow_up
    from tests.actions.test_offers import conversation

    order = await store.order("228810")
    assert order is not None and order.due is not None and not order.late
    told = reply_book().pick(f"track_order.{order.status}", **order.values())
    tracker = conversation(
        [
            ("customer", "where's 228810, it's for my bro's bday", "track_order"),
            ("form", "", None),
            ("bot", told, None),
            ("customer", "bday's on sunday lol", "delivery_options"),
        ],
        "deadline-after-state",
        order_id="228810",
        verified_customer=owner("228810"),
    )
    found = await order_follow_up(tracker)
    assert found is not None
    key, _, words = found
    day = deadline_day("on sunday", order.as_of)
    assert day is not None
    sunday, _ = day
    side = "after" if order.due > sunday else "on" if order.due == sunday else "before"
    assert key == f"track_order.{side}_deadline"
    assert words["event"] == "the birthday"
    assert words["deadline"].startswith("Sunday")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("ok fine.", "acknowledged"),
        ("ight whatever", "acknowledged_resigned"),
        ("much obliged!", "thank_you"),
        ("yes", "affirm_nothing_pending"),
    ],
)
async def test_ok_to_an_open_question_is_taken_as_it_is(text: str, key: str) -> None:
    """ "ok fine." after "What would you prefer?" (no yes-or-no question, nothing
    offered) closes, the door left open, and a shrug is owned as not the answer they
    hoped for; thanks NLU reads as a yes is thanks; not "Alright, I'm listening.
    What can I do for you?". A bare "yes" still asks what they need."""
    from tests.actions.test_offers import conversation

    tracker = conversation(
        [
            ("customer", "was my return for 651234 received?", "track_refund"),
            (
                "bot",
                "I don't see a refund linked to order 651234. If you'd like one, I "
                "can explain how to start a return, or a colleague can take a look. "
                "What would you prefer?",
                None,
            ),
            ("customer", text, "affirm"),
        ],
        f"open-question-{len(text)}",
    )
    dispatcher = CollectingDispatcher()
    await ActionConfirmUnderstood().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], key), message["text"]


async def test_a_double_charge_once_proven_is_handed_to_a_person(
    own_queue: str, store: DemoStore
) -> None:
    """Charged twice: only a person sees the payments and refunds the duplicate, so
    once the order is proven theirs one is brought in (the order and its total said
    first), not offered again on every reply."""
    from bot.handoff.errors import UnknownTicket
    from tests.actions.test_offers import conversation

    tracker = conversation(
        [
            ("customer", "I've been charged twice for order 228810", "payment_issue"),
            ("bot", "Which e-mail address or postcode is order 228810 under?", None),
            ("customer", "priya.raman@example.org", "inform"),
        ],
        "web-double-charge-proven",
        customer=owner("228810"),
        order_id="228810",
    )
    dispatcher = CollectingDispatcher()
    events = await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    first, handoff = [m["text"] for m in dispatcher.messages]
    order = await store.order("228810")
    assert order is not None
    assert says(first, "order.double_charge", **order.values())
    assert "pause" in [e.get("event") for e in events], handoff
    try:
        await handoff_queue().ticket(tracker.sender_id)
    except UnknownTicket:
        pytest.fail(f"no ticket: {handoff}")


async def test_a_late_order_complained_of_with_express_named_is_no_delivery_question(
    store: DemoStore,
) -> None:
    """ "I PAID FOR NEXT-DAY AND IT'S OVER A WEEK LATE" after the late order's state
    (NLU: delivery options): the order, late, not the list of ways to deliver."""
    from actions.answers import ActionAnswer
    from tests.actions.test_offers import conversation

    order = await store.order("808080123456")
    assert order is not None and order.late
    told = reply_book().pick("track_order.shipped_late", **order.values())
    text = "I PAID FOR NEXT-DAY AND IT'S OVER A WEEK LATE"
    tracker = conversation(
        [
            ("customer", "where's 808080123456", "track_order"),
            ("bot", told, None),
            ("customer", text, "delivery_options"),
        ],
        "express-late",
        order_id="808080123456",
        verified_customer=owner("808080123456"),
    )
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(dispatcher, tracker, DOMAIN)
    said = " ".join(str(m.get("text") or "") for m in dispatcher.messages)
    assert not says(said, "delivery_options"), said
    assert order.id in said, said


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("why was my order cancelled? I never asked for that", "cancel_order"),
        ("how come it got canceld??", "track_order"),
        ("my order shows cancelled but i didnt cancle it", "complaint"),
    ],
)
async def test_why_an_order_was_cancelled_is_not_met_with_nothing_to_do(
    store: DemoStore, question: str, intent: str
) -> None:
    """That we cannot see why, the money, and a person who can find out; not
    "it is already cancelled, so there's nothing more to do"."""
    tracker = load_tracker(
        "cancel_after_form", order_id="91027", verified_customer=owner("91027")
    )
    for event in tracker.events:
        if event.get("event") == "user" and event.get("text") == (
            "I want to cancel my order"
        ):
            event["text"] = question
            event["parse_data"]["intent"] = {"name": intent, "confidence": 0.9}
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.9}
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    said = " ".join(m["text"] for m in dispatcher.messages)
    order = await store.order("91027")
    assert order is not None
    assert says(said, "order.record_disagrees.cancelled_unknown", **order.values()), (
        said
    )


@pytest.mark.parametrize(
    "text",
    ["my toaster stopped working", "the headphones won't turn on anymore, so annoying"],
)
async def test_an_item_that_stopped_working_is_a_complaint_not_out_of_scope(
    text: str,
) -> None:
    """NLU may take "my toaster stopped working" for something we don't do: an item
    of ours with a problem is answered as the complaint it is (replayed as one),
    never declined."""
    from actions.unclear import ActionNotUnderstood
    from tests.actions.test_offers import conversation

    tracker = conversation([("customer", text, "out_of_scope")], "stopped-working")
    dispatcher = CollectingDispatcher()
    events = await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    replays = [e for e in events if isinstance(e, dict) and e.get("event") == "user"]
    assert replays and replays[0]["parse_data"]["intent"]["name"] == "complaint"
    said = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert not says(said, "out_of_scope"), said


async def asked_after_its_state(
    order: Order, state_key: str, question: str
) -> list[str]:
    """What the bot says to ``question`` right after it gave ``order``'s state
    (``state_key``), whether NLU reads it as where the order is (the lookup) or as
    a general question (the answers)."""
    from tests.actions.test_offers import conversation

    told = reply_book().pick(state_key, **order.values())
    tracker = conversation(
        [
            ("customer", f"where is {order.id}?", "track_order"),
            ("form", "", None),
            ("bot", told, None),
            ("customer", question, "track_order"),
        ],
        f"after-state-{order.id}",
        order_id=order.id,
        verified_customer=owner(order.id),
    )
    said = []
    for action in (ActionOrderLookup(), ActionAnswer()):
        dispatcher = CollectingDispatcher()
        await action.run(dispatcher, tracker, DOMAIN)
        [message] = dispatcher.messages
        said.append(message["text"])
    return said


async def test_if_a_late_order_does_not_come_by_a_day_no_past_day_is_named(
    store: DemoStore,
) -> None:
    """ "Fine. If it's not here by Friday what happens?" about an order past its day:
    what can be done then, not "if it hasn't arrived by" a day gone by."""
    order = await store.order("808080123456")
    assert order is not None and order.late
    question = "Fine. If it's not here by Friday what happens?"
    for said in await asked_after_its_state(
        order, "track_order.shipped_late", question
    ):
        assert says(said, "track_order.shipped_late_if_not", **order.values()), said
        assert order.values()["eta"] not in said


async def test_a_person_asked_for_in_a_question_about_a_topic_is_brought_in(
    own_queue: str,
) -> None:
    """ "Can a staff member please confirm it will ship this week?": the person,
    whatever topic NLU heard in it, not the delivery times."""
    from tests.actions.test_language import has_ticket
    from tests.actions.test_offers import conversation

    tracker = conversation(
        [
            (
                "customer",
                "Can a staff member please confirm it will ship this week?",
                "delivery_period",
            )
        ],
        "staff-confirm",
    )
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(dispatcher, tracker, DOMAIN)
    assert await has_ticket(tracker.sender_id)
    # the question is for the person: no delivery times beside the handoff
    [message] = dispatcher.messages
    assert "business day" not in message["text"], message["text"]


@pytest.mark.parametrize(
    "question",
    [
        "Will the cork blocks come in the same box as the mat?",
        "ok and do they ship separately?",
        "Do they arrive together?",
    ],
)
async def test_whether_the_items_come_together_is_one_parcel(
    store: DemoStore, question: str
) -> None:
    """Right after the order's state, or looked up: its items travel together, in
    one parcel with one tracking number; not the date again."""
    order = await store.order("228810")
    assert order is not None
    for said in await asked_after_its_state(order, "track_order.shipped", question):
        assert says(said, "track_order.together_shipped", **order.values()), said


async def test_thanks_to_an_offer_to_cancel_says_it_is_not_done_yet(
    store: DemoStore,
) -> None:
    """ "thank you. sorry for the bother" to "Would you like me to cancel it?": the
    customer must not leave thinking it is cancelled; asked once more, and a plain
    "ok" then cancels it."""
    from tests.actions.test_offers import conversation

    order = await store.order("99887766")
    assert order is not None
    asked = reply_book().pick("cancel_order.possible", **order.values())
    turns = [
        ("customer", "can i cancel order 99887766?", "cancel_order"),
        ("form", "", None),
        ("bot", asked, None),
        ("customer", "thank you. sorry for the bother", "thank_you"),
    ]
    tracker = conversation(
        turns,
        "not-cancelled-yet",
        order_id=order.id,
        verified_customer=owner(order.id),
        offered="ask cancel_order",
    )
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    said = message["text"]
    assert said.endswith("Would you like me to cancel it?"), said
    assert (
        "isn't cancelled yet" in said
        or "hasn't been cancelled" in said
        or ("nothing has been cancelled" in said)
    )
    assert reply_book().offer(said) == "ask cancel_order"
