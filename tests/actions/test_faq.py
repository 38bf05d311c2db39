"""The FAQ: its data, which questions it answers, and the actions that consult it.

The paraphrases and off-domain questions are our own (``fixtures/faq_paraphrases.yml``),
not the FAQ's example questions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.faq import Faq, FaqEntry, FaqIndex, beats_intent, faq, match, nlu_examples
from actions.mood import assess
from actions.replies import reply_book
from actions.unclear import ActionNotUnderstood
from tests.actions.conftest import FIXTURES, load_tracker, offered_events, says

DOMAIN: dict = {}
PARAPHRASES = yaml.safe_load((FIXTURES / "faq_paraphrases.yml").read_text())
ANSWERED = [
    (text, entry) for entry, ts in PARAPHRASES["answered"].items() for text in ts
]


def test_every_entry_has_questions_and_calm_concrete_answers() -> None:
    book = reply_book()
    assert 25 <= len(faq().entries) <= 35
    for entry in faq().entries:
        assert 4 <= len(entry.questions) <= 8, entry.id
        assert 2 <= len(entry.answers) <= 3, entry.id
        assert book.answers[entry.key] == list(entry.answers)
        for answer in entry.answers:
            assert "!" not in answer, (entry.id, answer)
            assert not book.closes(answer), (entry.id, answer)


def test_paraphrases_reach_their_entry_and_never_a_wrong_one() -> None:
    got = [(text, entry, match(text)) for text, entry in ANSWERED]
    wrong = [(t, e, h.entry.id) for t, e, h in got if h and h.entry.id != e]
    right = sum(1 for _, e, h in got if h and h.entry.id == e)
    assert wrong == []
    assert right / len(ANSWERED) >= 0.8, [(t, e) for t, e, h in got if h is None]


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("could you gift wrap the scarf please, it's for my mum", "gift_wrapping"),
        ("would you match the price amazon is charging for this?", "price_match"),
        ("will there be any import tax if you send it to london?", "customs_duties"),
        ("please leave the box in the porch", "safe_place"),
        ("is sending stuff back free or do I pay the postage?", "return_cost"),
        ("will you deliver on a sunday?", "weekend_delivery"),
        # the door, not "the person who picks this up will answer that"
        ("will the postman want me to sign for it? I'm slow on my feet", "signature"),
        ("have a lovely day", "pleasantries"),
        # no printer at home: the QR code, not "I didn't catch that"
        (
            "Will I have to print something? We've got no printer here.",
            "return_printing",
        ),
    ],
)
def test_questions_from_the_brief_are_answered(text: str, entry: str) -> None:
    hit = match(text)
    assert hit is not None and hit.entry.id == entry


@pytest.mark.parametrize("text", PARAPHRASES["declined"])
def test_questions_a_shop_cannot_answer_get_no_faq_answer(text: str) -> None:
    assert match(text) is None


@pytest.mark.parametrize("text", ["", "   "])
def test_nothing_to_match(text: str) -> None:
    assert match(text) is None


def test_a_close_runner_up_means_no_answer() -> None:
    """Two entries that fit equally well: the margin rule declines to guess."""
    entries = (
        FaqEntry("a", ("x",), ("A.",)),
        FaqEntry("b", ("y",), ("B.",)),
    )
    vectors = {"x": [1.0, 0.0], "y": [0.0, 1.0], "both": [0.7071, 0.7071]}

    def embed(texts: Any) -> np.ndarray:
        return np.array([vectors[t] for t in texts], dtype=np.float32)

    index = FaqIndex(Faq(entries, threshold=0.5, margin=0.05), embed)
    assert index.match("both") is None
    hit = index.match("x")
    assert hit is not None and hit.entry.id == "a" and hit.question == "x"


def _asking(text: str, intent: str, confidence: float = 0.6) -> Tracker:
    """The FAQ fixture tracker with ``text`` understood as ``intent``."""
    tracker = load_tracker("faq_out_of_scope")
    parse = {"name": intent, "confidence": confidence}
    tracker.latest_message.update(text=text, intent=parse)
    tracker.events[-1].update(text=text, parse_data={"intent": parse, "entities": []})
    return tracker


@pytest.mark.parametrize("intent", ["out_of_scope", "nlu_fallback"])
async def test_gift_wrapping_gets_the_faq_answer(intent: str) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("faq_out_of_scope")
    tracker.latest_message["intent"]["name"] = intent
    events = await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], "faq.gift_wrapping")
    assert "buttons" not in message or not message["buttons"]
    assert events == [
        *assess(tracker).events,
        {"event": "slot", "timestamp": None, "name": "pending_intent", "value": None},
        *offered_events(message["text"]),
    ]


async def test_the_weather_is_still_declined() -> None:
    dispatcher = CollectingDispatcher()
    tracker = _asking(
        "what's the weather going to be like in Berlin tomorrow?", "out_of_scope"
    )
    events = await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], "out_of_scope")
    assert not any(says(message["text"], e.key) for e in faq().entries)
    assert events == [
        *assess(tracker).events,
        {"event": "slot", "timestamp": None, "name": "pending_intent", "value": None},
        *offered_events(message["text"]),
        {"event": "slot", "timestamp": None, "name": "missed", "value": True},
    ]


async def test_action_answer_consults_the_faq_for_out_of_scope() -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("faq_out_of_scope")
    events = await ActionAnswer().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], "faq.gift_wrapping")
    assert events == [*assess(tracker).events, *offered_events(message["text"])]


async def test_a_confident_intent_is_not_overridden_by_the_faq() -> None:
    """NLU knows the question: its own answer, even when the FAQ has a near one."""
    dispatcher = CollectingDispatcher()
    text = "which delivery options do you offer to other countries?"
    tracker = _asking(text, "delivery_options", 0.91)
    assert match(text) is not None
    await ActionAnswer().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], "delivery_options")


async def test_a_plausible_nlu_guess_is_checked_before_the_faq() -> None:
    """Unsure NLU with a plausible intent: "Just to check ...", not the FAQ's
    split-delivery answer to a question about tracking."""
    dispatcher = CollectingDispatcher()
    text = "my order hasn't arrived"
    tracker = _asking(text, "nlu_fallback", 0.3)
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "track_order", "confidence": 0.28},
    ]
    assert match(text) is not None
    events = await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    description = reply_book().describe("track_order")
    assert says(message["text"], "confirm_intent", description=description)
    assert events[-1] == {
        "event": "slot",
        "timestamp": None,
        "name": "pending_intent",
        "value": "track_order",
    }


async def test_an_faq_question_much_closer_than_the_guess_is_answered() -> None:
    """Unsure NLU whose plausible guess is far from the message while an FAQ
    question is near it: the FAQ's answer, not "you want the delivery options?"."""
    dispatcher = CollectingDispatcher()
    text = "should I take a picture of it for you?"
    tracker = _asking(text, "nlu_fallback", 0.3)
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "delivery_options", "confidence": 0.27},
    ]
    await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], "faq.photos")


@pytest.mark.parametrize(
    ("text", "intent", "entry"),
    [
        # NLU's guess is a neighbour; the FAQ question is much closer
        ("can I get a gift card for someone", "check_payment_methods", "gift_card"),
        (
            "do you post orders to other countries?",
            "delivery_options",
            "shipping_countries",
        ),
        (
            "will you match a lower price I saw elsewhere?",
            "delivery_options",
            "price_match",
        ),
        # NLU is right: the FAQ leaves it alone
        ("which payment methods can I use?", "check_payment_methods", None),
        ("how long does shipping to Spain take?", "delivery_period", None),
    ],
)
def test_the_faq_answers_over_an_intent_only_when_clearly_closer(
    text: str, intent: str, entry: str | None
) -> None:
    hit = beats_intent(text, intent)
    assert (hit.entry.id if hit else None) == entry


def test_intent_examples_are_read_without_entity_annotations(tmp_path: Path) -> None:
    (tmp_path / "orders.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: track_order\n  examples: |\n'
        "    - where is [48213](order_id)?\n"
        '    - deliver to [Berlin]{"entity": "delivery_city"} please\n'
        "- synonym: parcel\n  examples: |\n    - package\n",
        encoding="utf-8",
    )
    assert nlu_examples(tmp_path) == [
        ("track_order", "where is 48213?"),
        ("track_order", "deliver to Berlin please"),
    ]


@pytest.mark.parametrize(
    ("text", "language", "reading", "answered"),
    [
        # NLU sure of a general question: its answer, without a question at the end
        ("which cards can I pay with", "", ("check_payment_methods", 0.97), True),
        ("how does swapping for another size work", "", ("exchange_item", 0.95), True),
        # NLU unsure: nothing (the person answers)
        ("which cards can I pay with", "", ("check_payment_methods", 0.55), False),
        # NLU sure, of the question read alone; it asks about the chat: the person
        ("how long will that take?", "", ("delivery_period", 0.95), False),
        ("how long will it take?", "", ("delivery_period", 0.99), False),
        # ...a question that names its topic is answered, "it" or not
        (
            "how long does it take for a refund to reach my card?",
            "",
            ("check_refund_policy", 0.97),
            True,
        ),
        # about the order or a decision: the person
        ("where is my parcel", "", ("track_order", 0.99), False),
        # another language: its own general answers, nothing about an order
        ("Wie lange dauert der Versand nach Österreich?", "de", None, True),
        ("Wo ist meine Bestellung 48213?", "de", None, False),
        ("Bekomme ich mein Geld zurück, die Tasse ist kaputt?", "de", None, False),
    ],
)
def test_a_waiting_customer_gets_only_general_answers(
    text: str, language: str, reading: tuple[str, float] | None, answered: bool
) -> None:
    from actions.waiting_answers import answer_while_waiting

    intent, confidence = reading if reading else (None, None)
    said = answer_while_waiting(text, language, intent, confidence)
    assert (said is not None) is answered
    if said:
        assert not said.endswith("?")


@pytest.mark.parametrize(
    ("text", "reading", "about_it"),
    [
        ("has it even shipped?", ("track_order", 0.33), True),
        ("and when will my order come?", ("delivery_period", 0.97), True),
        ("how long does Express take?", ("delivery_period", 0.97), False),
        ("which cards can I pay with?", ("check_payment_methods", 0.97), False),
    ],
)
async def test_a_waiting_customer_hears_about_their_proven_order(
    text: str, reading: tuple[str, float], about_it: bool
) -> None:
    from actions.store import store
    from actions.waiting_answers import answer_while_waiting

    order = await store().order("48213")
    assert order is not None
    said = answer_while_waiting(text, "", *reading, order=order)
    assert (said is not None and order.eta in said) is about_it
    # without a proven order, nothing about one is said
    unproven = answer_while_waiting(text, "", *reading)
    assert unproven is None or order.eta not in unproven


def test_a_waiting_question_nlu_is_unsure_of_is_read_by_the_faq() -> None:
    """ "while I wait, what are your opening hours?" is no customer-service intent
    NLU is sure of: the FAQ's answer, not "the person will answer that"."""
    from actions.waiting_answers import answer_while_waiting

    said = answer_while_waiting(
        "while I wait, what are your opening hours?",
        "",
        "contact_customer_service",
        0.46,
    )
    assert said is not None and "20:00" in said


def test_an_entry_with_topic_words_answers_only_messages_that_say_them() -> None:
    """An entry marked with the words of its topic (`needs`: a gift, privacy) does
    not answer a question that is near its examples in meaning but about something
    else; every example question of such an entry says its words."""
    entries = [e for e in faq().entries if e.needs is not None]
    assert {"return_gift", "privacy"} <= {e.id for e in entries}
    for entry in entries:
        for question in entry.questions:
            assert entry.says_its_topic(question), (entry.id, question)
    for text in (
        "can I send it back?",  # a return, not a gift's
        "What do I do now, my card details are out there",  # not the privacy policy
    ):
        hit = match(text)
        assert hit is None or hit.entry.id not in ("return_gift", "privacy"), text
    gift = match("My aunt gave me this as a present, can I return it?")
    assert gift is not None and gift.entry.id == "return_gift"


async def test_a_short_question_pointing_back_goes_on_with_the_faq_answer_before() -> (
    None
):
    """ "and how long do they last?" right after the gift cards' answer, read by NLU
    unsure as a delivery question: the gift cards' answer (which says how long),
    not a product page or delivery times; a follow-up naming another FAQ topic is
    that topic's."""
    from tests.actions.test_offers import conversation

    def asked(follow_up: str, intent: str, confidence: float) -> Tracker:
        tracker = conversation(
            [
                ("customer", "can I buy a gift card from you?", "out_of_scope"),
                ("bot", reply_book().pick("faq.gift_card"), None),
                ("customer", follow_up, intent),
            ],
            "faq-follow-up",
        )
        tracker.latest_message["intent"]["confidence"] = confidence
        return tracker

    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(
        dispatcher, asked("and how long do they last?", "delivery_period", 0.42), DOMAIN
    )
    [message] = dispatcher.messages
    assert says(message["text"], "faq.gift_card")
    other = CollectingDispatcher()
    await ActionAnswer().run(
        other, asked("and do you gift wrap them?", "out_of_scope", 0.4), DOMAIN
    )
    assert says(other.messages[0]["text"], "faq.gift_wrapping")


async def test_a_faq_question_after_the_orders_state_is_the_faqs_not_the_order() -> (
    None
):
    """ "and what's the guarantee on them?" right after the order's state (NLU: out
    of scope): the FAQ's answer, not the order's delivery day again; "and when?"
    still goes on with the order."""
    from actions.unclear import ActionNotUnderstood
    from tests.actions.conftest import owner
    from tests.actions.test_offers import conversation

    def asked(follow_up: str) -> Tracker:
        return conversation(
            [
                ("customer", "where is order 5520174?", "track_order"),
                ("bot", "What's the e-mail address or postcode it's under?", None),
                ("customer", "EC1A 1BB", "inform"),
                ("bot", "Order 5520174 is being packed, due Monday.", None),
                ("customer", follow_up, "out_of_scope"),
            ],
            "faq-after-state",
            order_id="5520174",
            verified_customer=owner("5520174"),
        )

    dispatcher = CollectingDispatcher()
    await ActionNotUnderstood().run(
        dispatcher, asked("and how long is the guarantee on them?"), DOMAIN
    )
    [message] = dispatcher.messages
    assert says(message["text"], "faq.warranty"), message["text"]
