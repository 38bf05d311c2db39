"""Answers to questions that need no lookup, and what to do when not understood."""

from __future__ import annotations

import re
from typing import Any

import httpx
from rasa_sdk import Tracker
from rasa_sdk.events import (
    ActionExecuted,
    EventType,
    FollowupAction,
    SlotSet,
    UserUtteranceReverted,
)

from actions.emotion import Emotion
from actions.faq import beats_intent as faq_beats_intent
from actions.faq import match as faq_match
from actions.faq import nearest_intent
from actions.identity import may_see
from actions.language import language_book
from actions.lookups import (
    ORDER_QUESTIONS,
    YES_TO_PERSON,
    change_key,
    chat_order,
    only_a_number,
    only_proof,
    praised,
    proof_outside_the_form,
    record_disagrees,
)
from actions.mentions import mentioned
from actions.numbers import find_number
from actions.replies import capitalise, reply_book
from actions.side import PARSE_TIMEOUT_S, is_question, parse
from actions.store import Order, store
from actions.voice import (
    CaringAction,
    Speaker,
    accepted_offer,
    bot_texts,
    customer_name,
    customer_texts,
    hand_over,
    latest_confidence,
    latest_entity,
    latest_intent,
    user_events,
)

# Intents whose answer has a variant when the customer named an account type / a place.
TYPED_ACCOUNT_INTENTS = {
    "create_account",
    "switch_account",
    "delete_account",
    "edit_account",
}
PLACE_INTENTS = {"delivery_options", "delivery_period"}
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
# Questions about sending something back or money back: answered for the situation
# the chat is about when it is not a return (``refund_in_context``).
RETURN_QUESTIONS = frozenset({"get_refund", "check_refund_policy", "exchange_item"})
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


# Thanks and praise are answered alike: a message NLU hesitates over only between these
# two (FallbackClassifier's ambiguity_threshold) was understood all the same.
WARM = frozenset({"thank_you", "compliment"})
# A guess below this confidence is not worth a confirmation question (the NLU
# fallback threshold in config.yml is 0.3, so guesses live between the two).
CONFIRM_FLOOR = 0.2
# Several plausible readings of an unclear message are offered as buttons (at most
# this many), each at least this likely; the customer's pick is remembered in
# ``offered`` as "choose <intent>,<intent>,..." and answered as that intent.
MAX_READINGS = 3
READING_FLOOR = 0.1
# A yes or no with more to say than this many words ("yes that was sarcasm, where is
# it?") is not a plain answer to nothing: it is read like any unclear message.
PLAIN_ANSWER_WORDS = 3
_ORDINALS = {
    "1": 0, "first": 0, "one": 0, "the first": 0, "the first one": 0,
    "2": 1, "second": 1, "two": 1, "the second": 1, "the second one": 1,
    "3": 2, "third": 2, "three": 2, "the third": 2, "the third one": 2,
}  # fmt: skip
_PERSON = (("your", "my"), ("our", "your"), ("us", "you"), ("we", "you"))
YES_NO_BUTTONS = [
    {"title": "Yes", "payload": "/affirm"},
    {"title": "No", "payload": "/deny"},
]


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
    r"^\s*(?:(?:ok(?:ay)?|k+|right|alright|hmm+|um+|well|yes|yeah|no|fine|sweet|cool|"
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
    if intent in ABOUT_THE_ORDER and find_number(text):
        # a delivery question that names an order ("three weeks for order 48213?")
        # is about that order, not about delivery in general
        return "track_order"
    words = len(text.split())
    if (
        intent in ABOUT_THE_ORDER
        and tracker.get_slot("order_id")
        and words <= LONG_FOLLOW_UP_WORDS
        and _POINTS_BACK.search(text)
    ):
        # "ok when will it arrive" after the order's status: the order's date
        return "track_order"
    if intent in ABOUT_THE_ORDER and confidence >= FOLLOW_UP_CONFIDENCE:
        return None  # a question of its own ("how long does Express take?")
    if not _FOLLOW_UP.search(text) or words > LONG_FOLLOW_UP_WORDS:
        return None
    if words > FOLLOW_UP_WORDS and not _POINTS_BACK.search(text):
        return None
    # the question before: a message that only gave a number, an e-mail address or
    # a postcode (the answer to our question) asked nothing, so the one before it
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
    if not proposable(before):
        return None
    return str(switched_topic(text, str(before)) or before)


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


# Thanks (or praise of the help) that opens a message which goes on to ask
# something: "ok thx, wat day will it come", "Thank you. Could you also tell me ...".
_THANKS_FIRST = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|great|perfect|cool|brilliant|lovely|nice|good|alright|"
    r"right|wow|oh|ah|fab|awesome|super)\W+)*"
    r"(?:many thanks|thanks|thank you|thank u|thx|thnx|ty|cheers|ta|much appreciated|"
    r"appreciate it|(?:so|very|really) helpful|"
    # a word of praise that is a sentence of its own ("Fantastic. So do I ...?")
    r"(?:fantastic|great|brilliant|wonderful|amazing|perfect|lovely|super|awesome|"
    r"excellent|nice|cool)(?=\s*[.!]))"
    r"(?:\s+(?:so much|a lot|very much|again|for (?:that|this|your help|the "
    r"(?:info|information|help|update))))?\b[\s,.!;:-]*",
    re.I,
)
_ASKS_AFTER_THANKS = re.compile(
    r"^(?:(?:and|but|also|so|then|oh|btw|one more thing|quick question)\W+)*"
    r"(?:what|wat|when|wen|where|which|who|why|how|do|does|did|can|could|will|"
    r"would|should|is|are|was|were|may|any)\b",
    re.I,
)
# A second reading of the question beside thanks, when NLU is unsure of it: the
# intent of the nearest training example, this close at least.
NEAREST_FLOOR = 0.7


def asked_beside_thanks(text: str) -> str | None:
    """The question after the thanks that opens ``text`` ("which carrier is it?"
    of "Thank you. Which carrier is it?"), or None when the message only thanks."""
    opening = _THANKS_FIRST.match(text)
    if not opening or not opening.group(0).strip():
        return None
    rest = text[opening.end() :].strip()
    if len(rest.split()) < 2:
        return None
    return rest if "?" in rest or _ASKS_AFTER_THANKS.match(rest) else None


async def answer_beside_thanks(
    question: str, speaker: Speaker, tracker: Tracker
) -> list[EventType]:
    """Answer the question a thank-you goes on to ask, as if asked on its own: about
    the chat's order when it points back at it ("when will it come?"), else what NLU
    (or, when NLU is unsure, the FAQ or the nearest training example) makes of it."""
    async with httpx.AsyncClient(timeout=PARSE_TIMEOUT_S) as client:
        parsed = await parse(client, question)
    intent = parsed.intent if parsed else ""
    sure = parsed is not None and parsed.confidence >= FOLLOW_UP_CONFIDENCE
    business = proposable(intent)
    if (
        tracker.get_slot("order_id")
        and asks_about_the_order(question, intent if sure else None)
        and (not sure or not business or intent in ABOUT_THE_ORDER)
    ):
        return await accept_offer("ask track_order", speaker, tracker)
    if sure and business and not faq_beats_intent(question, intent):
        return await accept_offer(f"ask {intent}", speaker, tracker)
    if hit := faq_match(question):
        speaker.say(hit.key, **answer_values(tracker))
        return []
    nearest = nearest_intent(question, proposable_intents())
    if nearest and nearest[1] >= NEAREST_FLOOR:
        return await accept_offer(f"ask {nearest[0]}", speaker, tracker)
    speaker.say("fallback")
    return []


# A message that only closes what was said ("ok cool", "sweet", "got it"): after an
# answer that asked nothing, it is acknowledged, not read as a yes or as not
# understood (which would count towards a handoff).
# ...with a shrug in it ("fine wateva", "if you say so"): not glad it is clear
_SHRUGS = r"whatever|wateva|watever|whatevs|if you say so|i guess"
_CLOSING = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|k|cool|sweet|great|nice|perfect|fine|alright|all right|"
    r"got it|fair enough|noted|understood|brilliant|lovely|awesome|good|right|"
    rf"then|thanks|thx|ty|cheers|sure|{_SHRUGS})\W*){{1,4}}$",
    re.IGNORECASE,
)
_RESIGNED = re.compile(rf"\b(?:{_SHRUGS})\b", re.IGNORECASE)


def only_closes(tracker: Tracker) -> bool:
    """Whether the latest message only closes an answer that asked nothing."""
    text = str((tracker.latest_message or {}).get("text") or "")
    return (
        bool(_CLOSING.match(text))
        and not bot_asked(tracker)
        and bool(bot_texts(tracker))
    )


def closing_key(tracker: Tracker) -> str:
    """The reply to a message that only closes (``only_closes``): acknowledged,
    or, when it shrugs, the answer owned as not the one they hoped for."""
    text = str((tracker.latest_message or {}).get("text") or "")
    return "acknowledged_resigned" if _RESIGNED.search(text) else "acknowledged"


def answer_key(intent: str, tracker: Tracker) -> str:
    """The reply key that answers ``intent`` given what the customer told us."""
    if intent == "deny" and _stopped_asking(tracker):
        return "no_number"
    if intent == "affirm" and only_closes(tracker):
        return closing_key(tracker)
    if intent in ("affirm", "deny"):
        return f"{intent}_nothing_pending"
    book = reply_book()
    if intent == "greet" and _spoke_before(tracker):
        return "greet_again"
    if intent in TYPED_ACCOUNT_INTENTS and latest_entity(tracker, "account_type"):
        return f"{intent}_typed"
    if intent in PLACE_INTENTS and _place(tracker):
        return f"{intent}_place" if book.has(f"{intent}_place") else intent
    text = str((tracker.latest_message or {}).get("text") or "")
    return book.specific_key(intent, text) or intent


def _stopped_asking(tracker: Tracker) -> bool:
    """Whether a form asking for a number was just stopped by the customer's "no"."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == (
            "action_deactivate_loop"
        ):
            return True
    return False


def _spoke_before(tracker: Tracker) -> bool:
    """Whether the customer wrote anything before the latest message."""
    return sum(1 for e in tracker.events if e.get("event") == "user") > 1


def answer_values(tracker: Tracker) -> dict[str, Any]:
    """Placeholder values available to any answer."""
    name = customer_name(tracker)
    text = str((tracker.latest_message or {}).get("text") or "")
    return {
        "name_greeting": f" {name}" if name else "",
        "account_type": latest_entity(tracker, "account_type") or "",
        "delivery_place": _place(tracker) or "",
        "thing": praised(text),
    }


def _place(tracker: Tracker) -> str | None:
    return latest_entity(tracker, "delivery_city") or latest_entity(
        tracker, "delivery_country"
    )


class ActionAnswer(CaringAction):
    """Answer the latest question from the reply templates."""

    check_understanding = True

    def name(self) -> str:
        return "action_answer"

    async def respond(
        self, speaker: Speaker, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Reply to the latest intent in warm, varied words."""
        intent = latest_intent(tracker) or "nlu_fallback"
        analysis = speaker.mood.analysis
        if proof := await proof_outside_the_form(tracker):
            return proof  # the e-mail or postcode for the order of the chat
        offered = accepted_offer(tracker)
        if intent == "affirm" and offered:
            return await accept_offer(offered, speaker, tracker)
        text = str((tracker.latest_message or {}).get("text") or "")
        if intent in WARM | {"goodbye"} and (question := asked_beside_thanks(text)):
            # "ok thx, wat day will it come": the question, not "you're welcome"
            return await answer_beside_thanks(question, speaker, tracker)
        if topic := follow_up_topic(tracker):
            return await accept_offer(f"ask {topic}", speaker, tracker)
        chosen = chosen_reading(tracker)
        if chosen and chosen != intent:
            return await accept_offer(f"ask {chosen}", speaker, tracker)
        if declined := declined_offer(tracker):
            # "Has it reached you?" - "No, it hasn't": what that no means
            return await accept_offer(declined, speaker, tracker)
        if (
            intent in WARM
            and is_question(text)
            and not (analysis and analysis.label is Emotion.JOY)
        ):
            # a question NLU took for praise ("is the leather from farms that
            # ...?"): read it as the question it is
            return await not_understood(speaker, tracker, fallback=True)
        if (
            intent in ("affirm", "deny")
            and len(text.split()) > PLAIN_ANSWER_WORDS
            and not _stopped_asking(tracker)
            and not bot_asked(tracker)
            and not only_closes(tracker)
        ):
            # "yes that was sarcasm, where is it?" says more than yes
            return await not_understood(speaker, tracker, fallback=True)
        if intent == "contact_human_agent":
            # asking for a person is always granted, in whatever words
            return await hand_over(speaker, tracker, "Customer asked for a person.")
        if (
            intent in WARM
            and analysis
            and (analysis.has("sarcasm") or analysis.label.negative)
        ):
            # praise that is really a complaint ("fantastic, it came in pieces"), or
            # a formal letter of complaint that thanks in advance, is a complaint
            intent = speaker.intent = "complaint"
        if intent == "complaint" and analysis and analysis.label is Emotion.JOY:
            # a complaint needs a grievance: a happy story gets a warm reply, and
            # the reply is about that (no "you'd like to tell us what went wrong")
            intent = speaker.intent = "compliment"
        if intent in RETURN_QUESTIONS and (
            key := reply_book().refund_in_context(customer_texts(tracker)[-3:])
        ):
            # a parcel that never came, a double charge: nothing to send back
            speaker.say(key)
            return []
        if intent in ORDER_QUESTIONS and (named := named_order_number(tracker)):
            # "I'd like to return order 808080123456": the answer is about that
            # order; the order form asks for proof, the lookup answers the topic
            return [SlotSet("order_id", named), FollowupAction("order_form")]
        if intent == "change_shipping_address":
            known = await store().order(tracker.get_slot("order_id"))
            if known is not None and may_see(tracker, known):
                # the order is known from earlier in the chat: answer about it
                speaker.say(change_key(known, address=True), **known.values())
                return []
        if intent == "complaint":
            named = named_order_number(tracker)
            # "it came but the mug was chipped": the order the chat is about
            order = await store().order(named) if named else await chat_order(tracker)
            if order is not None and not may_see(tracker, order):
                # the record is private until the customer proves it is theirs:
                # the order form asks, then looks it up as a complaint
                return [SlotSet("order_id", order.id), FollowupAction("order_form")]
            if order is not None:
                key = record_disagrees(order, text) or "complaint.order"
                speaker.say(key, **order.values())
                return [SlotSet("order_id", order.id)]
            if analysis and analysis.has("problem_report"):
                # what went wrong is said: ask only for what is missing
                speaker.say("complaint.described")
                return []
        if answer_from_faq(speaker, tracker):
            return []
        key = answer_key(intent, tracker)
        if not reply_book().has(key):
            speaker.say("fallback")
            return []
        speaker.say(key, **answer_values(tracker))
        name = customer_name(tracker)
        if name and name != tracker.get_slot("customer_name"):
            return [SlotSet("customer_name", name)]
        return []


def bot_asked(tracker: Tracker) -> bool:
    """Whether the bot's latest message asked the customer something."""
    said = bot_texts(tracker)
    return bool(said) and "?" in said[-1]


def declined_offer(tracker: Tracker) -> str | None:
    """What a plain "no" to the bot's own question means (ReplyBook.decline), when
    the latest message is one."""
    said = bot_texts(tracker)
    text = str((tracker.latest_message or {}).get("text") or "")
    if not said or not reply_book().is_plain_no(text):
        return None
    return reply_book().decline(said[-1])


async def accept_offer(
    offer: str, speaker: Speaker, tracker: Tracker
) -> list[EventType]:
    """The customer said yes to what the bot's last reply offered (ReplyBook.offer):
    a person, another question answered as if asked, or a short reply."""
    kind, _, target = offer.partition(" ")
    if kind == "handoff":
        return await hand_over(speaker, tracker, YES_TO_PERSON)
    if kind == "say":
        speaker.say(target)
        return []
    users = user_events(tracker)
    if not users:
        return [SlotSet("offered", None)]
    # undo the "yes", then let the dialogue run on it as the offered question
    return [
        SlotSet("offered", None),
        UserUtteranceReverted(),
        ActionExecuted("action_listen"),
        replayed(users[-1], target),
    ]


def replayed(event: dict[str, Any], intent: str) -> dict[str, Any]:
    """A copy of the user ``event`` that NLU understood as ``intent``, for sure."""
    parse_data = dict(event.get("parse_data") or {})
    parse_data["intent"] = {"name": intent, "confidence": 1.0}
    return {
        "event": "user",
        "text": event.get("text"),
        "parse_data": parse_data,
        "input_channel": event.get("input_channel"),
        "metadata": event.get("metadata") or {},
    }


def answer_from_faq(speaker: Speaker, tracker: Tracker) -> bool:
    """Answer from the FAQ when the latest message asks one of the FAQ's questions:
    when NLU declined it, or named an intent the message is clearly further from
    (``faq.beats_intent``). A plausible guess under the fallback is confirmed
    instead ("my parcel isn't here" is about tracking, not split deliveries)."""
    intent = latest_intent(tracker)
    text = str((tracker.latest_message or {}).get("text") or "")
    if intent not in DECLINED:
        # NLU named an intent: the FAQ answers only a message that is clearly
        # closer to one of its questions than to anything NLU learned for it
        hit = faq_beats_intent(text, str(intent)) if intent else None
    elif intent == "nlu_fallback" and readings(tracker):
        return False
    else:
        hit = faq_match(text)
    if hit is None:
        return False
    speaker.say(hit.key, **answer_values(tracker))
    return True


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


async def not_understood(
    speaker: Speaker, tracker: Tracker, fallback: bool
) -> list[EventType]:
    """Check what an unclear message meant, or decline it kindly: one plausible
    reading is checked with Yes/No, several are offered as buttons to pick from, a
    question the FAQ knows is answered, anything else is declined honestly."""
    warm = warm_intent(tracker) if fallback else None
    text = str((tracker.latest_message or {}).get("text") or "")
    if warm and (question := asked_beside_thanks(text)):
        return await answer_beside_thanks(question, speaker, tracker)
    if warm:
        speaker.say(answer_key(warm, tracker), **answer_values(tracker))
        return [SlotSet("pending_intent", None)]
    if answer_from_faq(speaker, tracker):
        return [SlotSet("pending_intent", None)]
    options = readings(tracker) if fallback else []
    if (
        options
        and options[0] in RETURN_QUESTIONS
        and (key := reply_book().refund_in_context(customer_texts(tracker)[-3:]))
    ):
        # "do I need to send it back first?" after "it came cracked": the chat
        # says which reading it is, and that it is no ordinary return
        speaker.say(key)
        return [SlotSet("pending_intent", None)]
    if len(options) > 1:
        buttons = [
            {
                "title": capitalise(reply_book().describe(o) or o),
                "payload": reading_text(o),
            }
            for o in options
        ]
        speaker.say("choose_intent", buttons)
        speaker.offer = "choose " + ",".join(options)
        return [SlotSet("pending_intent", None)]
    if options:
        description = reply_book().describe(options[0])
        speaker.say("confirm_intent", YES_NO_BUTTONS, description=description)
        return [SlotSet("pending_intent", options[0])]
    speaker.say("out_of_scope" if not fallback else "fallback")
    return [SlotSet("pending_intent", None)]


def warm_intent(tracker: Tracker) -> str | None:
    """thank_you or compliment when those two together are NLU's clear best guess."""
    ranking = [
        candidate
        for candidate in (tracker.latest_message or {}).get("intent_ranking") or []
        if candidate.get("name") != "nlu_fallback"
    ][:2]
    names = {candidate.get("name") for candidate in ranking}
    together = sum(float(candidate.get("confidence") or 0.0) for candidate in ranking)
    if names == WARM and together >= 0.5:
        return str(ranking[0]["name"])
    return None


class ActionNotUnderstood(CaringAction):
    """Say honestly that we did not understand, or check our best guess."""

    def name(self) -> str:
        return "action_not_understood"

    async def respond(
        self, speaker: Speaker, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Thanks or praise NLU could not tell apart get their answer; a plausible
        guess is checked ("did you mean ...?"); else a question the FAQ knows is
        answered, anything else declined kindly. An e-mail address or postcode
        given on its own opens the order of the chat (proof_outside_the_form)."""
        if proof := await proof_outside_the_form(tracker):
            return proof
        if only_closes(tracker):
            speaker.say(closing_key(tracker))  # "sweet" after an answer: no miss
            return []
        if topic := follow_up_topic(tracker):
            return [
                SlotSet("pending_intent", None),
                *await accept_offer(f"ask {topic}", speaker, tracker),
            ]
        if chosen := chosen_reading(tracker):
            return [
                SlotSet("pending_intent", None),
                *await accept_offer(f"ask {chosen}", speaker, tracker),
            ]
        text = str((tracker.latest_message or {}).get("text") or "")
        if mentioned("asks_for_person", text):
            # "Is someone going to help me?": a person, in words NLU did not know
            return [
                SlotSet("pending_intent", None),
                *await hand_over(speaker, tracker, "Customer asked for a person."),
            ]
        if await about_an_order(tracker):
            # "yo can u check 5520174", "aight so when's it landing": an order
            # question NLU did not recognise in those words
            return [
                SlotSet("pending_intent", None),
                *await accept_offer("ask track_order", speaker, tracker),
            ]
        fallback = latest_intent(tracker) == "nlu_fallback"
        return await not_understood(speaker, tracker, fallback)


def named_order_number(tracker: Tracker) -> str | None:
    """The order number the latest message names (NLU's entity, else digits in
    the text that are no phone number or postcode)."""
    text = str((tracker.latest_message or {}).get("text") or "")
    return latest_entity(tracker, "order_id") or find_number(text)


async def about_an_order(tracker: Tracker) -> bool:
    """Whether a message NLU could not place is about an order: it names one of
    ours, or asks about the delivery of the order in the chat ("when's it landing")."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if await store().order(find_number(text)) is not None:
        return True
    return asks_about_the_order(text, latest_intent(tracker)) and (
        await chat_order(tracker) is not None
    )


class ActionConfirmUnderstood(CaringAction):
    """Act on the customer's yes/no to "Just to check I got it ...?"."""

    def name(self) -> str:
        return "action_confirm_understood"

    async def respond(
        self, speaker: Speaker, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Yes: replay the unclear message with the confirmed intent. No: ask again."""
        pending = tracker.get_slot("pending_intent")
        said_yes = latest_intent(tracker) == "affirm"
        original = _previous_user_event(tracker)
        offered = accepted_offer(tracker)
        if said_yes and not pending and offered:
            return [
                SlotSet("pending_intent", None),
                *await accept_offer(offered, speaker, tracker),
            ]
        if not said_yes or not pending or original is None:
            if said_yes and not pending:
                speaker.say("affirm_nothing_pending")
            else:
                speaker.say("confirm_denied" if pending else "deny_nothing_pending")
            return [SlotSet("pending_intent", None)]
        # Same shape as Rasa's own two-stage fallback: undo "yes" and the unclear
        # message, then let the dialogue run on the confirmed intent.
        return [
            UserUtteranceReverted(),
            UserUtteranceReverted(),
            ActionExecuted("action_listen"),
            SlotSet("pending_intent", None),
            replayed(original, pending),
        ]


def _previous_user_event(tracker: Tracker) -> dict[str, Any] | None:
    users = user_events(tracker)
    return users[-2] if len(users) >= 2 else None


# A customer waiting for a person may still be told what needs no order and no
# decision (the person makes those): general answers, read by NLU at least this sure.
WAITING_INTENTS = frozenset(
    {
        "check_payment_methods",
        "delivery_options",
        "delivery_period",
        "check_refund_policy",
        "check_cancellation_fee",
        "recover_password",
        "newsletter_subscription",
        "exchange_item",
        "get_refund",
        "create_account",
        "edit_account",
        "delete_account",
        "switch_account",
        "set_up_shipping_address",
        "review",
    }
)
WAITING_CONFIDENCE = 0.9
# ...but not a short question about something of the chat ("how long will that
# take?" after the order's number): NLU reads it alone, as the general question, and
# the person who reads the whole chat answers it. A question that names its topic
# ("how long does it take for a refund to arrive?") is longer and still answered.
_POINTS_INTO_THE_CHAT = re.compile(r"\b(?:it|that|this)\b", re.I)
POINTING_WORDS = 6
_NO_VALUES = {"name_greeting": "", "account_type": "", "delivery_place": ""}


# A waiting customer's question about the order of the chat ("has it even shipped?",
# "and when will my order come?"): NLU's reading, and words that point at the order.
_ORDER_WORDS = re.compile(r"\b(?:order|parcel|package|delivery)\b", re.I)
_DELIVERY_WORDS = re.compile(
    r"\b(?:ship\w*|dispatch\w*|sent|arriv\w*|come|coming|deliver\w*|here|track\w*|"
    r"carrier|courier|when|where|status)\b",
    re.I,
)
# ...or a few words around "when" ("so like when tho"), typos included
_WHEN = re.compile(r"\b(?:when|whne|wehn|wen|what day|which day)\b", re.I)


def asks_about_the_order(text: str, intent: str | None) -> bool:
    """Whether a question (NLU's ``intent`` for it, None when unsure) is about the
    order of the chat: "has it even shipped?", "when's it landing", and a bare
    "so like when tho" (a few words around "when")."""
    if intent == "track_order":
        return True
    short = len(text.split()) <= FOLLOW_UP_WORDS and bool(_WHEN.search(text))
    points = bool(_POINTS_BACK.search(text) or _ORDER_WORDS.search(text) or short)
    if intent in ABOUT_THE_ORDER and points:
        return True
    return (
        (intent in UNSURE_FOLLOW_UP or not intent)
        and points
        and bool(_DELIVERY_WORDS.search(text))
    )


def answer_while_waiting(
    text: str,
    language: str,
    intent: str | None,
    confidence: float | None,
    order: Order | None = None,
) -> str | None:
    """The answer to a general question a customer asks while they wait for a
    person (``intent`` and ``confidence``: NLU's reading of ``text`` alone; English
    when ``language`` is ""): the state of the chat's ``order`` when it is theirs
    and they ask about it, the FAQ's answer (NLU sure of an intent the FAQ does not
    beat, else the FAQ's best match), or a general answer NLU is sure of; in another
    language the language's own answers; without a closing question (the bot cannot
    follow one up while a person has the chat). None otherwise."""
    book = reply_book()
    if order is not None and asks_about_the_order(text, intent) and not language:
        late = "_late" if order.late else "_again"
        key = f"track_order.{order.status}{late}"
        if not book.has(key):
            key = f"track_order.{order.status}"
        said = book.pick(key, **order.values())
    elif language:
        own = language_book()
        if order is not None and own.asks_about_the_order(language, text):
            return own.order_answer(language, order.values(), again=True)
        return own.general(language, text)
    else:
        sure = (confidence or 0.0) >= FOLLOW_UP_CONFIDENCE
        if intent and intent not in DECLINED and sure:
            hit = faq_beats_intent(text, intent)
        else:
            hit = faq_match(text)  # NLU unsure: the FAQ reads it
        if hit is not None:
            said = book.pick(hit.key, **_NO_VALUES)
        elif (
            intent in WAITING_INTENTS
            and (confidence or 0.0) >= WAITING_CONFIDENCE
            and not (
                _POINTS_INTO_THE_CHAT.search(text)
                and len(text.split()) <= POINTING_WORDS
            )
        ):
            said = book.pick(book.specific_key(intent, text) or intent, **_NO_VALUES)
        else:
            return None
    sentences = re.split(r"(?<=[.?!])\s+", said.strip())
    while len(sentences) > 1 and sentences[-1].endswith("?"):
        sentences.pop()  # "Would you like me to check an order?"
    return " ".join(sentences)
