"""The answers to questions that need no lookup (``ActionAnswer``); what is said when
a message is not understood is in actions/unclear.py.

How the message is read (follow-ups, readings) is in actions/readings.py, thanks and
closings in actions/closings.py; what a customer waiting for a person is told, in
actions/waiting_answers.py."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import (
    EventType,
    FollowupAction,
    SlotSet,
)

from actions.answer_keys import (
    answer_key,
    answer_values,
    stopped_asking,
)
from actions.closings import (
    WARM,
    asked_beside_thanks,
    bot_asked,
    declined_offer,
    only_closes,
)
from actions.conversation import (
    accepted_offer,
    accepts,
    asks_us_to_find_out,
    bot_texts,
    customer_name,
    customer_texts,
    glad_thanks,
    latest_confidence,
    latest_intent,
    yes_or_no_again,
)
from actions.emotion import Analysis, Emotion
from actions.empathy import empathy_book
from actions.identity import may_see
from actions.mentions import mentioned
from actions.new_address import address_given
from actions.order_chat import (
    ORDER_QUESTIONS,
    chat_order,
    named_order_number,
    proof_outside_the_form,
    refund_in_context,
    refund_on_record,
)
from actions.order_checks import (
    change_key,
    complaint_key,
    deadline_reply,
    record_disagrees,
    state_key,
    still_coming,
)
from actions.order_items import other_thing
from actions.readings import chosen_reading, follow_up_topic, last_question
from actions.replay import accept_offer, answer_beside_thanks
from actions.replies import reply_book
from actions.side import is_question
from actions.situation import Level
from actions.speaker import Speaker
from actions.store import Order, OrderStatus, store
from actions.unclear import (
    RETURN_QUESTIONS,
    answer_from_faq,
    faq_follow_up,
    not_understood,
)
from actions.voice import CaringAction, hand_over

# Those questions that ask for money back (an exchange does not)
MONEY_BACK = frozenset({"get_refund", "check_refund_policy"})

# A yes or no with more to say than this many words ("yes that was sarcasm, where is
# it?") is not a plain answer to nothing: it is read like any unclear message.
PLAIN_ANSWER_WORDS = 3

# A question about the product itself ("asks_about_product") is read as one unless
# NLU is at least this sure of another intent.
PRODUCT_OVER_INTENT = 0.8


# questions about the ways and times of delivery in general
DELIVERY_QUESTIONS = frozenset({"delivery_options", "delivery_period"})
# the general returns answers, said of the chat's order when it is known
RETURN_POLICY = frozenset({"check_refund_policy"})
# answers about sending the chat's order back: said for that order when it is
# proven theirs, its 30 days over (``<key>_closed``: "how do I send it back?" after
# "it arrived more than 30 days ago" is no "returns go through Account > Orders")
OF_THE_ORDER = frozenset({*RETURN_POLICY, "get_refund"})
# the money itself named in a question about the rules of returns ("when do I get
# the refund?"), not only sending the item back ("how long do I have to return it?")
_THE_MONEY = re.compile(
    r"\b(?:money|refund\w*|reimburs\w*|credited|paid back|"
    r"(?:on|to) my (?:card|account))\b",
    re.IGNORECASE,
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
        took = accepts(text) or (offered == "handoff" and glad_thanks(text))
        onward = offered == "handoff" and mentioned("what_next", text)
        if offered and (intent == "affirm" or (intent in WARM and took) or onward):
            # "yes please", and "a replacement would be great, thanks" (NLU hears
            # the thanks)
            return await accept_offer(offered, speaker, tracker)
        if (
            intent in WARM | {"goodbye"}
            and tracker.get_slot("offered") == "ask cancel_order"
            and (order_id := tracker.get_slot("order_id"))
            and any(t.rstrip().endswith("?") for t in bot_texts(tracker)[-1:])
        ):
            # "thank you. sorry for the bother" to "Would you like me to cancel
            # it?": nothing is done yet, so they must not leave thinking it is
            speaker.say("cancel_order.not_yet", order_id=order_id)
            return []
        if intent in WARM | {"goodbye"} and mentioned("asks_for_person", text):
            # "Thank you dear. Could someone ring me?": the person, not "welcome"
            return await hand_over(speaker, tracker, "Customer asked for a person.")
        if intent in WARM | {"goodbye"} and (question := asked_beside_thanks(text)):
            # "ok thx, wat day will it come": the question, not "you're welcome"
            return await answer_beside_thanks(question, speaker, tracker)
        if hit := faq_follow_up(tracker):
            # "How long are they valid for?" after the gift cards' answer: that
            speaker.say(hit.key, **answer_values(tracker))
            return []
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
        if (
            intent == "contact_human_agent"
            or asks_us_to_find_out(tracker)
            or mentioned("asks_for_person", text)
        ):
            # asking for a person is always granted, in whatever words ("Can a
            # staff member please confirm it will ship this week?", whatever
            # topic NLU heard in it)
            return await hand_over(speaker, tracker, "Customer asked for a person.")
        if mentioned("asks_to_hurry", last_question(text)):
            # "Can someone please make sure it ships today?": only a person can
            # try, whatever NLU heard ("ships": placing an order)
            why = "Customer asked for the order to be hurried along."
            return await hand_over(speaker, tracker, why)
        if (
            intent in WARM
            and analysis
            and (analysis.has("sarcasm") or analysis.label.negative)
        ):
            # praise that is really a complaint ("fantastic, it came in pieces"), or
            # a formal letter of complaint that thanks in advance, is a complaint
            intent = speaker.intent = "complaint"
        if (
            intent in DELIVERY_QUESTIONS
            and not is_question(text)
            and analysis is not None
            and analysis.has("problem_report")
        ):
            # "I PAID FOR EXPRESS SHIPPING AND IT'S A WEEK LATE": a complaint that
            # names a way of delivery, not a question about the ways
            intent = speaker.intent = "complaint"
        if (
            intent == "complaint"
            and is_question(text)
            and not (analysis and analysis.has("problem_report"))
            and empathy_book().level(analysis, text) is Level.NEUTRAL
            and not named_order_number(tracker)
        ):
            # a question NLU took for a complaint ("are the jumpers made of real
            # wool?", "how warm can I wash them?"): read it as the question it is
            # (one about an order it names is looked up, below: "order 228810, how
            # will I know when it comes?")
            return await not_understood(speaker, tracker, fallback=True)
        if (
            intent == "complaint"
            and mentioned("thanks_last", text)
            and not is_question(text)
            and analysis is not None
            and analysis.frustration < 2
            and not analysis.label.negative
            and not analysis.has("sarcasm")
        ):
            # "maybe the neighbour has it. Thank you": what they will do, and
            # thanks; nothing to complain of or to hand over
            intent = speaker.intent = "thank_you"
        if intent == "complaint" and analysis and analysis.label is Emotion.JOY:
            # a complaint needs a grievance: a happy story gets a warm reply, and
            # the reply is about that (no "you'd like to tell us what went wrong")
            intent = speaker.intent = "compliment"
        # (what they ask, not what they fear beside it: "If it doesn't come I have
        # nothing to wear. Can someone make sure it ships today?")
        asked = last_question(text)
        asks_back = is_question(asked) and (
            mentioned("asks_money_back", asked) or mentioned("if_lost", asked)
        )
        if (intent in RETURN_QUESTIONS or asks_back) and (
            key := refund_in_context(tracker)
        ):
            # a parcel that never came, a double charge: nothing to send back
            speaker.say(key)
            return []
        if (
            is_question(text)
            and mentioned("asks_charged", text)
            and not mentioned("double_charge", text)  # that is a problem, not this
            and (charged := await refund_on_record(tracker))
            and (refund := await store().refund_for(charged.id))
        ):
            # "was I charged for it?" about the chat's order, whose money is on its
            # way back: where that refund is, not why a card may be declined
            speaker.say(f"track_refund.{refund.status}", **refund.values())
            return [SlotSet("order_id", charged.id)]
        if (
            intent in MONEY_BACK
            # the rules of returns asked ("how long do I have to send it back?",
            # "is return shipping free?") are no question where the money is
            and (intent not in RETURN_POLICY or _THE_MONEY.search(text) is not None)
            and (refunded := await refund_on_record(tracker))
        ):
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
                if named := other_thing(tracker, order):
                    # a complaint about a thing this order does not hold
                    speaker.say("order.items_disagree", named=named, **order.values())
                elif still_coming(order, text) or nothing_wrong(order, text, analysis):
                    # not come yet, or nothing wrong told ("I'm just really nervous
                    # about this" about an order on its way): where it is, and
                    # whether in time for the day they need it by; no replacement
                    values = order.values()
                    key = state_key(order)
                    if needed := deadline_reply(order, customer_texts(tracker)[-4:]):
                        key, words = needed
                        values = {**values, **words}
                    speaker.say(key, **values)
                else:
                    speaker.say(complaint_key(order, text), **order.values())
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
        values = answer_values(tracker)
        if (
            key in OF_THE_ORDER
            and (order := await chat_order(tracker))
            and may_see(tracker, order)
        ):
            # "how long do I have to send it back?", "how do I return it?" about
            # the chat's order, proven theirs and delivered over 30 days ago: that
            # its days are over (Speaker: ``<key>_closed``), not "within 30 days"
            # after saying so
            values = {**values, **order.values()}
        speaker.say(key, **values)
        name = customer_name(tracker)
        if name and name != tracker.get_slot("customer_name"):
            return [SlotSet("customer_name", name)]
        return []


def nothing_wrong(order: Order, text: str, analysis: Analysis | None) -> bool:
    """Whether a complaint about ``order`` (on its way or being prepared) tells of
    nothing wrong with it: no problem with the item, the record or the money (for
    such an order, ``record_disagrees`` names each), and none the analysis reads
    ("I'm just really nervous about this")."""
    return (
        order.status in (OrderStatus.PROCESSING, OrderStatus.SHIPPED)
        and record_disagrees(order, text) is None
        and not (analysis is not None and analysis.has("problem_report"))
    )
