"""How a message is read before it is answered: a short follow-up to the question
before ("when?", "and express?"), a question about the order of the chat, and the
plausible readings of an unclear message that are checked or offered as buttons.
Thanks and messages that only close an answer are in actions/closings.py."""

from __future__ import annotations

import re

from rasa_sdk import Tracker

from actions.conversation import (
    latest_confidence,
    latest_intent,
    user_events,
)
from actions.faq import match as faq_match
from actions.faq import nearest_intent
from actions.mentions import mentioned
from actions.numbers import find_number
from actions.order_chat import only_a_number, only_proof
from actions.replies import reply_book

# Conversation intents that are not a customer-service question.
SMALL_TALK = frozenset(
    {
        "greet",
        "goodbye",
        "thank_you",
        "compliment",
        "affirm",
        "deny",
        "bot_challenge",
        "out_of_scope",
    }
)
# NLU declined the message: the FAQ (data/faq.yml) may still know the answer.
DECLINED = frozenset({"out_of_scope", "nlu_fallback"})
# Intents we never propose in "Just to check I got it ...?".
NOT_PROPOSED = SMALL_TALK | {"nlu_fallback"}


def proposable(intent: str | None) -> bool:
    """Whether ``intent`` is a question we answer and may propose as a reading."""
    return (
        bool(intent)
        and intent not in NOT_PROPOSED
        and bool(reply_book().describe(str(intent)))
    )


def proposable_intents() -> set[str]:
    """Every intent ``proposable`` says yes to."""
    return {i for i in reply_book().descriptions if proposable(i)}


# A guess below this confidence is not worth a confirmation question (the NLU
# fallback threshold in config.yml is 0.3, so guesses live between the two).
CONFIRM_FLOOR = 0.2
# Several plausible readings of an unclear message are offered as buttons (at most
# this many), each at least this likely; the customer's pick is remembered in
# ``offered`` as "choose <intent>,<intent>,..." and answered as that intent.
MAX_READINGS = 3
READING_FLOOR = 0.1
_ORDINALS = {
    "1": 0, "first": 0, "one": 0, "the first": 0, "the first one": 0,
    "2": 1, "second": 1, "two": 1, "the second": 1, "the second one": 1,
    "3": 2, "third": 2, "three": 2, "the third": 2, "the third one": 2,
}  # fmt: skip
_PERSON = (("your", "my"), ("our", "your"), ("us", "you"), ("we", "you"))


# A short follow-up that only makes sense with the question before it ("when?", "and
# express?", "what about the other one?"): at most this many words...
FOLLOW_UP_WORDS = 5
# ...or at most this many when it points back at what was said ("how long until the
# extra one comes back?"): a word that only means something in context
LONG_FOLLOW_UP_WORDS = 9
_POINTS_BACK = re.compile(
    r"\b(?:it|that|this|those|these|them|they|one|ones|other|extra|same|there|then)\b",
    re.I,
)
# ...opening with a word that continues the last question...
_FOLLOW_UP = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|k+|right|alright|hmm+|um+|well|yes|yeah|no|fine|sweet|cool|"
    r"great|nice|lovely|perfect|thanks|cheers|got it|gotcha|like)\W+)*"
    r"(?:and|but|also|so|then|plus|what about|how about|and what about|"
    r"when|whne|wehn|wen|how long|how much|how soon|where|which|what if|or|why)\b",
    re.I,
)
# General questions about deliveries that, with an order in the chat and words that
# point back at it ("when will it arrive?"), are about that order.
ABOUT_THE_ORDER = frozenset({"delivery_period", "delivery_options"})
# ...and understood as nothing in particular (or barely) on its own.
UNSURE_FOLLOW_UP = frozenset(
    {"affirm", "deny", "greet", "nlu_fallback", "out_of_scope", "bot_challenge"}
)
FOLLOW_UP_CONFIDENCE = 0.5


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def last_question(text: str) -> str:
    """The last sentence of ``text`` when it is a question and comes after others
    ("I'm lost. Will it be here by Saturday?"), else the whole text."""
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if s]
    if len(sentences) > 1 and sentences[-1].rstrip().endswith("?"):
        return sentences[-1]
    return text


def follow_up_topic(tracker: Tracker) -> str | None:
    """The topic a short follow-up continues ("when?" after a delivery answer), when
    NLU could not place it on its own: the business intent of the customer's message
    before, if the bot answered it."""
    latest = tracker.latest_message or {}
    text = str(latest.get("text") or "")
    intent = latest_intent(tracker)
    confidence = latest_confidence(tracker) or 0.0
    # a question is no thanks or goodbye, however sure NLU is ("which carrier is it
    # with?" read as thank_you)
    small_talk_question = "?" in text and intent in SMALL_TALK
    if (
        intent not in UNSURE_FOLLOW_UP | ABOUT_THE_ORDER
        and confidence >= FOLLOW_UP_CONFIDENCE
        and not small_talk_question
    ):
        return None
    if tracker.get_slot("order_id") and mentioned("not_arrived", text):
        # "it hasn't reached me" about the order in the chat: look at it again
        return "track_order"
    if tracker.get_slot("order_id") and mentioned("refund_destination", text):
        # "Which card will it go back to?" about the chat's order: its refund
        return "track_refund"
    if intent in ABOUT_THE_ORDER and find_number(text):
        # a delivery question that names an order ("three weeks for order 48213?")
        # is about that order, not about delivery in general
        return "track_order"
    if intent in ABOUT_THE_ORDER and (timed := timed_follow_up(tracker)):
        return timed  # "?? when" after the refund answer: the refund's days
    # "Sorry, I don't really understand. Will it be here before Saturday?": the
    # question is the follow-up, whatever was said before it
    text = last_question(text)
    words = len(text.split())
    if (
        intent in ABOUT_THE_ORDER
        and tracker.get_slot("order_id")
        and words <= LONG_FOLLOW_UP_WORDS
        and _POINTS_BACK.search(text)
    ):
        # "ok when will it arrive" after the order's status: the order's date
        return "track_order"
    if (
        intent in ABOUT_THE_ORDER
        and tracker.get_slot("order_id")
        and _ASKS_A_DATE.search(text)
        and not _NAMES_A_SERVICE.search(text)
    ):
        # "I'd like a firm delivery date" in a chat about an order: that order's
        # date, not how long delivery takes in general
        return "track_order"
    if (
        intent in ABOUT_THE_ORDER
        and _NAMES_MONEY.search(text)
        and not _NAMES_DELIVERY.search(text)
    ):
        # "how long until it shows on my card?": the refund's time, not a delivery's
        refund = intent_before(tracker) == "track_refund"
        return "track_refund" if refund else "check_refund_policy"
    follows = bool(_FOLLOW_UP.search(text)) and words <= LONG_FOLLOW_UP_WORDS
    if intent in ABOUT_THE_ORDER and confidence >= FOLLOW_UP_CONFIDENCE:
        return None  # a question of its own ("how long does Express take?")
    if not follows:
        return None
    if words > FOLLOW_UP_WORDS and not _POINTS_BACK.search(text):
        return None
    if faq_match(text) is not None and not _NAMES_DELIVERY.search(text):
        # "and what's the warranty on them?" after the order's state: a question of
        # its own, which the FAQ answers, not the order again
        return None
    before = intent_before(tracker)
    if before is None:
        return None
    return str(switched_topic(text, before) or before)


def timed_follow_up(tracker: Tracker) -> str | None:
    """The topic with a time of its own (TIMED_TOPICS) that a short "when?" goes
    on with right after it (NLU hears a delivery); None when it names a delivery."""
    text = last_question(str((tracker.latest_message or {}).get("text") or ""))
    if (
        len(text.split()) > LONG_FOLLOW_UP_WORDS
        or not _FOLLOW_UP.search(text)
        or _NAMES_DELIVERY.search(text)
    ):
        return None
    before = intent_before(tracker)
    return before if before in TIMED_TOPICS else None


def intent_before(tracker: Tracker) -> str | None:
    """The business intent of the customer's question before the latest message
    (one that only gave a number, an e-mail address or a postcode, the answer to our
    question, asked nothing: the one before it), or None."""
    asked = [
        e
        for e in user_events(tracker)[:-1]
        if not (
            only_a_number(str(e.get("text") or ""))
            or only_proof(str(e.get("text") or ""))
        )
    ]
    if not asked:
        return None
    before = ((asked[-1].get("parse_data") or {}).get("intent") or {}).get("name")
    return str(before) if proposable(before) else None


# What a short follow-up asks about the topic before when it names no other ("how
# much?" after delivery times is the price of delivery).
FOLLOW_UP_ASKS = {
    "delivery_period": (
        re.compile(r"\b(?:how much|cost\w*|price|pay|fee)\b", re.I),
        "delivery_options",
    ),
    "delivery_options": (
        re.compile(r"\b(?:how long|when|days|take)\b", re.I),
        "delivery_period",
    ),
}
# Words of a short follow-up that name no topic ("and how much is it?").
_NO_TOPIC = re.compile(
    r"and|but|also|so|then|plus|or|what|about|how|why|when|where|which|who|much|many|"
    r"long|soon|is|it|are|do|does|did|can|could|will|would|the|a|an|that|this|to|by|"
    r"for|of|in|on|with|me|my|i|you|your|there|ok|okay|right|well|ones?"
)
SWITCH_FLOOR = 0.55  # a named topic counts when its nearest example is this close
# Topics close enough that a follow-up naming one goes on with the other ("and by
# express?" after delivery times is still about how long it takes).
RELATED_TOPICS = (
    frozenset({"delivery_period", "delivery_options", "track_order"}),
    frozenset({"check_refund_policy", "get_refund", "track_refund", "exchange_item"}),
    frozenset({"check_invoice", "get_invoice"}),
)


def switched_topic(text: str, before: str) -> str | None:
    """The topic a short follow-up turns to instead of ``before``: the one it
    names ("and returns?" after delivery: the returns policy, by the nearest
    training example), or what it asks about ``before`` (FOLLOW_UP_ASKS); None when
    it goes on with ``before``."""
    words = re.findall(r"[a-z']+", text.lower())
    if [w for w in words if not _NO_TOPIC.fullmatch(w)]:
        stripped = _FOLLOW_UP_OPENER.sub("", text).strip() or text
        nearest = nearest_intent(stripped, proposable_intents())
        if (
            nearest
            and nearest[1] >= SWITCH_FLOOR
            and nearest[0] != before
            and not any({nearest[0], before} <= family for family in RELATED_TOPICS)
        ):
            return nearest[0]
    asks = FOLLOW_UP_ASKS.get(before)
    return asks[1] if asks and asks[0].search(text) else None


_FOLLOW_UP_OPENER = re.compile(
    r"^\s*(?:(?:ok(?:ay)?|and|but|also|so|then|plus|or|what about|how about)\W+)+",
    re.I,
)


def readings(tracker: Tracker) -> list[str]:
    """The likeliest business intents of the latest message, best first: the first
    at least CONFIRM_FLOOR likely, the others at least READING_FLOOR."""
    ranking = (tracker.latest_message or {}).get("intent_ranking") or []
    found: list[str] = []
    for candidate in ranking:
        name = str(candidate.get("name"))
        confidence = float(candidate.get("confidence") or 0.0)
        if not proposable(name):
            continue
        if confidence < (CONFIRM_FLOOR if not found else READING_FLOOR):
            break
        found.append(name)
        if len(found) == MAX_READINGS:
            break
    return found


def reading_text(intent: str) -> str:
    """What a customer would say to pick ``intent``: "I'd like to check where my
    order is" (the description, from the customer's side)."""
    words = (reply_book().describe(intent) or intent).split()
    swap = dict(_PERSON)
    return "I'd like to " + " ".join(swap.get(w, w) for w in words)


def _normal(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def chosen_reading(tracker: Tracker) -> str | None:
    """The reading the customer picked from the ones the bot offered (a button, its
    words, or "the second one"), if the latest message picks one."""
    offered = str(tracker.get_slot("offered") or "")
    if not offered.startswith("choose "):
        return None
    options = [o for o in offered.removeprefix("choose ").split(",") if o]
    said = _normal(str((tracker.latest_message or {}).get("text") or ""))
    for intent in options:
        described = _normal(reply_book().describe(intent) or "")
        if said in (_normal(reading_text(intent)), described):
            return intent
    index = _ORDINALS.get(said)
    return options[index] if index is not None and index < len(options) else None


# A waiting customer's question about the order of the chat ("has it even shipped?",
# "and when will my order come?"): NLU's reading, and words that point at the order.
# A date asked for ("a firm delivery date", "what day"), and a delivery service or
# place named, which makes it a general question ("what date would Express be?")
_ASKS_A_DATE = re.compile(r"\b(?:date|what day|which day|eta)\b", re.I)
_NAMES_A_SERVICE = re.compile(
    r"\b(?:(?i:express|standard|next[- ]?day|international|abroad|overseas)"
    r"|to [A-Z]\w+)\b"
)
# Topics whose answers have a time of their own: "how many days?" right after one
# asks about that time, not about delivery
TIMED_TOPICS = frozenset(
    {"check_refund_policy", "get_refund", "track_refund", "exchange_item"}
)
# Money named in a question NLU took for a delivery's time: a refund's time
_NAMES_MONEY = re.compile(
    r"\b(?:card|bank|account|statement|refund\w*|money|paypal|reimburs\w*)\b", re.I
)
# A delivery named in a follow-up ("and how many days for Express?"), which keeps it a
# delivery question
_NAMES_DELIVERY = re.compile(
    r"\b(?:deliver\w*|ship\w*|postage|post|courier|carrier|arriv\w*|express|standard|"
    r"next[- ]?day|parcel|package|order)\b",
    re.I,
)
_ORDER_WORDS = re.compile(r"\b(?:order|parcel|package|delivery)\b", re.I)
_DELIVERY_WORDS = re.compile(
    r"\b(?:ship\w*|dispatch\w*|sent|arriv\w*|come|coming|deliver\w*|here|track\w*|"
    r"carrier|courier|when|where|status|date|eta)\b",
    re.I,
)
# ...or a few words around "when" ("so like when tho"), typos included
# ...or a date asked for ("just give me a date", "any ETA?")
_WHEN = re.compile(
    r"\b(?:when|whne|wehn|wen|what day|which day|(?:a|the|an|any|new|delivery) "
    r"(?:date|eta))\b",
    re.I,
)


_DATE_DEMAND = re.compile(
    r"\b(?:give|tell|send) (?:me|us) (?:a|the|an|some) (?:date|day|eta)\b", re.I
)


def asks_about_the_order(text: str, intent: str | None) -> bool:
    """Whether a question (NLU's ``intent`` for it, None when unsure) is about the
    order of the chat: "has it even shipped?", "when's it landing", and a bare
    "so like when tho" (a few words around "when")."""
    if intent == "track_order":
        return True
    short = len(text.split()) <= FOLLOW_UP_WORDS and bool(_WHEN.search(text))
    short = short or bool(_DATE_DEMAND.search(text))  # "fine. just give me a date"
    points = bool(_POINTS_BACK.search(text) or _ORDER_WORDS.search(text) or short)
    if intent in ABOUT_THE_ORDER and points:
        return True
    return (
        (intent in UNSURE_FOLLOW_UP or not intent)
        and points
        and bool(_DELIVERY_WORDS.search(text))
    )
