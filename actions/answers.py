"""The answers to questions that need no lookup (``ActionAnswer``), and what is said
when a message is not understood (``ActionNotUnderstood``, ``ActionConfirmUnderstood``).

How the message is read (follow-ups, thanks, readings) is in actions/readings.py;
what a customer waiting for a person is told, in actions/waiting_answers.py."""

from __future__ import annotations

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

from actions.answer_keys import answer_key, answer_values, stopped_asking
from actions.conversation import (
    accepted_offer,
    accepts,
    customer_name,
    customer_texts,
    latest_confidence,
    latest_intent,
    user_events,
    yes_or_no_again,
)
from actions.emotion import Emotion
from actions.empathy import empathy_book
from actions.faq import beats_intent as faq_beats_intent
from actions.faq import match as faq_match
from actions.faq import nearest_intent
from actions.identity import may_see
from actions.mentions import mentioned
from actions.new_address import address_given
from actions.numbers import find_number
from actions.order_chat import (
    ORDER_QUESTIONS,
    chat_order,
    named_order_number,
    proof_outside_the_form,
    refund_in_context,
    refund_on_record,
)
from actions.order_checks import change_key, complaint_key
from actions.proof_form import YES_TO_PERSON
from actions.readings import (
    ABOUT_THE_ORDER,
    DECLINED,
    FOLLOW_UP_CONFIDENCE,
    WARM,
    asked_beside_thanks,
    asks_about_the_order,
    asks_us_to_find_out,
    bot_asked,
    chosen_reading,
    closing_key,
    declined_offer,
    done_asking,
    follow_up_topic,
    only_closes,
    proposable,
    proposable_intents,
    reading_text,
    readings,
    warm_intent,
)
from actions.replies import capitalise, reply_book
from actions.side import PARSE_TIMEOUT_S, is_question, parse
from actions.situation import Level
from actions.speaker import Speaker
from actions.store import store
from actions.voice import CaringAction, hand_over

# Questions about sending back or money back (``refund_in_context``: no return), and
# those of them that ask for money back (an exchange does not)
RETURN_QUESTIONS = frozenset({"get_refund", "check_refund_policy", "exchange_item"})
MONEY_BACK = frozenset({"get_refund", "check_refund_policy"})

# A yes or no with more to say than this many words ("yes that was sarcasm, where is
# it?") is not a plain answer to nothing: it is read like any unclear message.
PLAIN_ANSWER_WORDS = 3

YES_NO_BUTTONS = [
    {"title": "Yes", "payload": "/affirm"},
    {"title": "No", "payload": "/deny"},
]

# A question about the product itself ("asks_about_product") is read as one unless
# NLU is at least this sure of another intent.
PRODUCT_OVER_INTENT = 0.8

# A second reading of the question beside thanks, when NLU is unsure of it: the
# intent of the nearest training example, this close at least.
NEAREST_FLOOR = 0.7


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
        if (given := await address_given(speaker, tracker)) is not None:
            return given  # "It should go to 14 Mill Lane instead"
        text = str((tracker.latest_message or {}).get("text") or "")
        if is_question(text) and mentioned("away_at_delivery", text):
            # "and if I'm not home?": where the parcel goes then, whatever the
            # worry beside it made NLU guess
            speaker.say("faq.safe_place", **answer_values(tracker))
            return []
        if (
            is_question(text)
            and mentioned("asks_about_product", text)
            and not mentioned("about_money", text)
            and (latest_confidence(tracker) or 0.0) < PRODUCT_OVER_INTENT
        ):
            # "is the wool ethically sourced?" taken for a returns question: the
            # product itself, which its page answers
            return await not_understood(speaker, tracker, fallback=True)
        if proof := await proof_outside_the_form(tracker):
            return proof  # the e-mail or postcode for the order of the chat
        if again := yes_or_no_again(tracker):
            speaker.say(again[0], said=again[1])  # "so is that a yes?"
            return []
        offered = accepted_offer(tracker)
        if offered and (intent == "affirm" or (intent in WARM and accepts(text))):
            # "yes please", and "a replacement would be great, thanks" (NLU hears
            # the thanks)
            return await accept_offer(offered, speaker, tracker)
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
            and (is_question(text) or mentioned("polite_request", text))
            and not (
                analysis
                and analysis.label is Emotion.JOY
                and not mentioned("polite_request", text)
            )
        ):
            # a question NLU took for praise ("is the leather from farms that
            # ...?"), or a request that thanks in advance ("I'd be grateful for a
            # date"): read it as the question it is
            return await not_understood(speaker, tracker, fallback=True)
        if (
            intent in ("affirm", "deny")
            and len(text.split()) > PLAIN_ANSWER_WORDS
            and not stopped_asking(tracker)
            and not bot_asked(tracker)
            and not only_closes(tracker)
        ):
            # "yes that was sarcasm, where is it?" says more than yes
            return await not_understood(speaker, tracker, fallback=True)
        if intent == "contact_human_agent" or asks_us_to_find_out(tracker):
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
        if (
            intent == "complaint"
            and is_question(text)
            and not (analysis and analysis.has("problem_report"))
            and empathy_book().level(analysis, text) is Level.NEUTRAL
        ):
            # a question NLU took for a complaint ("are the jumpers made of real
            # wool?", "how warm can I wash them?"): read it as the question it is
            return await not_understood(speaker, tracker, fallback=True)
        if intent == "complaint" and analysis and analysis.label is Emotion.JOY:
            # a complaint needs a grievance: a happy story gets a warm reply, and
            # the reply is about that (no "you'd like to tell us what went wrong")
            intent = speaker.intent = "compliment"
        asks_back = is_question(text) and mentioned("asks_money_back", text)
        if (intent in RETURN_QUESTIONS or asks_back) and (
            key := refund_in_context(tracker)
        ):
            # a parcel that never came, a double charge: nothing to send back
            speaker.say(key)
            return []
        if intent in MONEY_BACK and (refunded := await refund_on_record(tracker)):
            # "do I get my money back?" about the chat's order, which has a refund
            # on record (a cancelled order's, a return's): where that refund is
            return [SlotSet("order_id", refunded.id), FollowupAction("order_form")]
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
                key = complaint_key(order, text)
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


async def not_understood(
    speaker: Speaker, tracker: Tracker, fallback: bool
) -> list[EventType]:
    """Check what an unclear message meant, or decline it kindly: one plausible
    reading is checked with Yes/No, several are offered as buttons to pick from, a
    question the FAQ knows is answered, anything else is declined honestly."""
    warm = warm_intent(tracker) if fallback else None
    text = str((tracker.latest_message or {}).get("text") or "")
    if done_asking(text):  # "that is all I needed", read as anything: goodbye
        speaker.say("goodbye")
        return [SlotSet("pending_intent", None)]
    if warm and (question := asked_beside_thanks(text)):
        return await answer_beside_thanks(question, speaker, tracker)
    if warm:
        speaker.say(answer_key(warm, tracker), **answer_values(tracker))
        return [SlotSet("pending_intent", None)]
    if answer_from_faq(speaker, tracker):
        return [SlotSet("pending_intent", None)]
    if mentioned("asks_for_person", text):
        # "does it contain latex? can someone check?": someone who can find out
        return [
            SlotSet("pending_intent", None),
            *await hand_over(speaker, tracker, "Customer asked for a person."),
        ]
    if is_question(text) and mentioned("away_at_delivery", text):
        # "will the driver need me to sign?": where the parcel goes, not a menu
        speaker.say("faq.safe_place", **answer_values(tracker))
        return [SlotSet("pending_intent", None)]
    if is_question(text) and mentioned("asks_about_product", text):
        # "what temperature can they be washed at?": about the product itself,
        # which its page answers (or a colleague who asks the product team)
        speaker.say("faq.product_details", **answer_values(tracker))
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
        given on its own opens the order of the chat (proof_outside_the_form); a
        new delivery address written out after asking to change it is taken as that
        (address_given)."""
        if (given := await address_given(speaker, tracker)) is not None:
            return given
        if proof := await proof_outside_the_form(tracker):
            return proof
        if only_closes(tracker):
            speaker.say(closing_key(tracker))  # "sweet" after an answer: no miss
            return []
        if again := yes_or_no_again(tracker):
            speaker.say(again[0], said=again[1])  # "so is that a yes?"
            return [SlotSet("pending_intent", None)]
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
