"""Answers from the shop's data once the form has the order: status, cancel, change,
refund, return, complaint (``ActionOrderLookup``) and invoices
(``ActionInvoiceLookup``). The forms are in actions/proof_form.py, what the chat
says about the order in actions/order_chat.py, the record checks in
actions/order_checks.py."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.answer_keys import answer_values
from actions.conversation import bot_texts, customer_texts
from actions.faq import beats_intent
from actions.identity import MAX_TRIES, attempts_proof, may_see, tries
from actions.mentions import mentioned
from actions.new_address import address_given
from actions.numbers import find_number
from actions.order_chat import (
    INVOICE_TOPICS,
    ORDER_TOPICS,
    PROOF_LOOKBACK,
    asks_if_possible,
    form_topic,
    keeps_it,
    only_praise,
    praised,
    refund_without_order,
    requested_when_written,
    talks_money,
    telling,
)
from actions.order_checks import (
    DOUBLE_CHARGE,
    change_key,
    complaint_key,
    deadline_reply,
    if_not_key,
    item_problem,
    record_disagrees,
    still_coming,
    time_question,
    together_key,
)
from actions.order_items import other_thing
from actions.proof_form import proof_used
from actions.readings import timed_follow_up
from actions.replies import reply_book
from actions.side import clauses, is_question
from actions.speaker import Speaker
from actions.store import Order, OrderStatus, store
from actions.voice import CaringAction, escalated, hand_off, hand_over

# What is said after asking the store to cancel an order that was being prepared.
CANCEL_OUTCOMES = {
    OrderStatus.CANCELLED: "cancel_order.cancellable",
    OrderStatus.PROCESSING: "cancel_order.refused",
}


# "and the other one?", "what about my other order?" in a few words, with no number:
# another order than the one just answered
_OTHER_ORDER = re.compile(
    r"^(?!.*\d{4})\W*(?:(?:and|but|ok|okay|so|what about|how about)\W+)*"
    r"(?:the|my|that|this) other (?:one|order|parcel|package|delivery)\b|"
    r"^(?!.*\d{4}).*\b(?:my|the) (?:other|second) order\b",
    re.IGNORECASE,
)
OTHER_ORDER_WORDS = 8


def sent_back(tracker: Tracker) -> bool:
    """Whether the customer's latest messages say they sent the order back already
    (``sent_back``: "I posted it back last week")."""
    return mentioned("sent_back", *telling(customer_texts(tracker))[-PROOF_LOOKBACK:])


class ActionOrderLookup(CaringAction):
    """Look the order up and answer what the customer asked about it."""

    def name(self) -> str:
        return "action_order_lookup"

    def topic(self, tracker: Tracker) -> str | None:
        if timed_follow_up(tracker) == "track_refund":
            # "?? when" right after the refund's state: the refund's time, not
            # the parcel's (NLU reads a bare "when" as a delivery question)
            return "track_refund"
        topic = form_topic(tracker, "order_form", ORDER_TOPICS, ORDER_TOPICS[0])
        if topic in ("track_refund", "return") and not talks_money(tracker):
            # nothing said about money or a return: NLU's refund was a guess, and
            # the order itself is the answer ("will it come by Saturday?")
            return "track_order"
        if topic == "return" and sent_back(tracker):
            # "I returned it two weeks ago and still no money": the refund on its
            # way is the question, not how to start a return
            return "track_refund"
        return topic

    async def respond(
        self, speaker: Speaker, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Track, cancel, change or check the refund of the order in ``order_id``."""
        shop = store()
        topic = self.topic(tracker)
        if only_praise(tracker, speaker.mood.analysis):
            # "order 5520174 came early, lovely packaging": thanks, no lookup
            # by the name of what they praise when they name it (``specific``)
            text = str((tracker.latest_message or {}).get("text") or "")
            thanks = reply_book().specific_key("compliment", text) or "compliment"
            speaker.say(thanks, thing=praised(text))
            return []
        if (given := await address_given(speaker, tracker)) is not None:
            # "new adress is 3-2-1 Jingumae, ..." after asking to change it, however
            # NLU read it: what can be done with the new address
            return [*given, *proof_used(tracker)]
        if key := refund_without_order(tracker):
            speaker.say(key)
            return list(proof_used(tracker))
        order = await shop.order(tracker.get_slot("order_id"))
        if order is None and tries(tracker) >= MAX_TRIES:
            # a number no order has, and the proof asked for it failed as often as
            # for a real one: the same words as for a real one (whether an order
            # exists is told only to whoever proves it theirs)
            speaker.say("order.unproven", order_id=tracker.get_slot("order_id"))
            return list(proof_used(tracker))
        if order is None:
            speaker.say(
                "order.not_found",
                order_id=tracker.get_slot("order_id"),
            )
            return [SlotSet("order_id", None)]
        if not may_see(tracker, order):
            # not proven to be theirs: nothing shown or changed, a person offered
            speaker.say("order.unproven", order_id=order.id)
            return [SlotSet("order_id", order.id), *proof_used(tracker)]
        latest = str((tracker.latest_message or {}).get("text") or "")
        if told_already(tracker, order) and (
            mentioned("asks_to_hurry", latest) or mentioned("asks_for_person", latest)
        ):
            # "can someone chase the courier?" right after its state: the person
            # (NLU read a question about the order), not the state again
            why = "Customer asked for someone to look into the order or chase it."
            handed = await hand_over(speaker, tracker, why)
            return [SlotSet("order_id", order.id), *proof_used(tracker), *handed]
        said = customer_texts(tracker)[-PROOF_LOOKBACK:]
        if order.status is OrderStatus.CANCELLED and (
            (topic == "cancel_order" and talks_money(tracker))
            or (topic == "track_order" and mentioned("asks_money_back", *said))
        ):
            # "I cancelled it two weeks ago and still no refund", "I cancelled it
            # ages ago, when do I get my money back?": cancelled already, so what
            # they say about the money is the question (else: it is done)
            topic = "track_refund"
        if _OTHER_ORDER.search(latest) and len(latest.split()) <= OTHER_ORDER_WORDS:
            # "and the other one?" after this order's answer: which one, not the same
            # order again
            speaker.say("ask.other_order", order_id=order.id)
            return [SlotSet("order_id", None)]
        if named := other_thing(tracker, order):
            # "I ordered a scarf" about an order of a coffee set: which order first
            speaker.say("order.items_disagree", named=named, **order.values())
        elif disagreement := record_disagrees(
            order, *telling(customer_texts(tracker))[-2:]
        ):
            # what the customer says and the record disagree: that is what needs
            # answering, whatever the question was ("how do I swap it?" after "it's
            # the wrong colour" and the proof: the wrong item, not "too late to
            # edit"; the proof in between says nothing)
            speaker.say(disagreement, **order.values())
            if disagreement == DOUBLE_CHARGE:
                # only a person sees the payments and refunds the duplicate: one
                # comes now, not offered again and again
                why = "Customer was charged twice; check the payments, refund one."
                mood = escalated(speaker.mood, ["double_charge"], why)
                handed = await hand_off(speaker.dispatcher, tracker, mood)
                return [SlotSet("order_id", order.id), *proof_used(tracker), *handed]
        elif (
            topic == "track_order"
            and not mentioned("if_it_does_not", latest)
            and (
                asked := faq_asked(*telling(customer_texts(tracker))[-PROOF_LOOKBACK:])
            )
        ):
            # "how long is the warranty on the kettle from order 651234?": the FAQ's
            # answer (NLU read a question naming an order), not the order's state
            speaker.say(asked, **answer_values(tracker))
        elif topic == "track_order" and asks_about_the_product(
            *telling(customer_texts(tracker))[-PROOF_LOOKBACK:]
        ):
            # "is the yoga mat in order 228810 made with latex?": the product's
            # details, which its page has (or a colleague who asks), not its state
            speaker.say("faq.product_details", **answer_values(tracker))
        elif topic == "track_refund":
            refund = await shop.refund_for(order.id)
            if refund is None and order.status is OrderStatus.PROCESSING:
                # "when will the money come back?" for an order not cancelled yet:
                # none is on its way; cancelling now brings it (not "start a
                # return" for what has not shipped)
                speaker.say("track_refund.none_processing", **order.values())
            elif refund is None and sent_back(tracker):
                # sent back, and no return has reached us: said so, and a person
                # who can trace it offered (not "start a return")
                speaker.say("track_refund.none_sent_back", order_id=order.id)
            elif refund is None:
                speaker.say("track_refund.none", order_id=order.id)
            else:
                # asked when, right after its state: how long it takes from here;
                # asked which card or account: the way they paid, plainly
                again = f"track_refund.{refund.status}_when"
                if told_already(tracker, order) and mentioned(
                    "asks_which_method", latest
                ):
                    again = "track_refund.which_method"
                asked_when = told_already(tracker, order) and reply_book().has(again)
                key = again if asked_when else f"track_refund.{refund.status}"
                speaker.say(key, **refund.values())
        elif topic == "cancel_order":
            if order.status is OrderStatus.PROCESSING and keeps_it(tracker):
                # "ok nvm dont cancel it, just wanted to know": nothing is cancelled
                speaker.say("cancel_order.kept", **order.values())
            elif order.status is OrderStatus.PROCESSING and asks_if_possible(tracker):
                # "can I still cancel?": whether it can be, and a question first
                speaker.say("cancel_order.possible", **order.values())
            elif order.status is OrderStatus.PROCESSING:
                order = await shop.cancel(order)
                # cancelled now; or the shop would not (still with us: "refused";
                # it has left us meanwhile: what can be done instead)
                key = CANCEL_OUTCOMES.get(order.status, f"cancel_order.{order.status}")
                speaker.say(key, **order.values())
            else:
                speaker.say(f"cancel_order.{order.status}", **order.values())
        elif (
            topic == "return"
            and mentioned("asks_money_back", *customer_texts(tracker)[-PROOF_LOOKBACK:])
            and (refund := await shop.refund_for(order.id))
        ):
            # "I returned it, where's my refund?": the refund on record; "I need to
            # return the boots, they're too small" asks how, not the money's state
            speaker.say(f"track_refund.{refund.status}", **refund.values())
        elif topic == "return" and not order.late:
            # sending it back depends on where the order is (a late one: that first)
            speaker.say(f"return.{order.status}", **order.values())
        elif topic == "cancel_fee":
            # free while it is with us (and cancelled only if they say yes);
            # afterwards what can still be done
            free = order.status is OrderStatus.PROCESSING
            key = "cancel_fee.processing" if free else f"cancel_order.{order.status}"
            speaker.say(key, **order.values())
        elif (
            topic == "complaint"
            and not still_coming(order, *customer_texts(tracker)[-3:])
            and not (
                order.status is not OrderStatus.CANCELLED
                and only_asks(*customer_texts(tracker)[-PROOF_LOOKBACK:])
            )
        ):
            speaker.say(complaint_key(order), **order.values())
        elif topic in ("change_order", "change_address"):
            key = change_key(order, address=topic == "change_address")
            speaker.say(key, **order.values())
        elif order.status in (
            OrderStatus.PROCESSING,
            OrderStatus.SHIPPED,
        ) and mentioned("if_it_does_not", *customer_texts(tracker)[-1:]):
            # "and if it doesn't?" after its date: what can be done then
            speaker.say(if_not_key(order), **order.values())
        elif mentioned("asks_contents", *telling(customer_texts(tracker))[-2:]):
            # "how many blocks did I buy?", "what was the total?": its items and total
            speaker.say("track_order.contents", **order.values())
        elif together := together_key(order, latest):
            # "will the blocks come in the same box as the mat?": one parcel
            speaker.say(together, **order.values())
        elif mentioned("asks_tracking", latest) and reply_book().has(
            tracking := f"track_order.{order.status}_tracking"
        ):
            # "can I get the tracking number?": the number and where to follow it
            speaker.say(tracking, **order.values())
        elif (
            order.status is OrderStatus.SHIPPED
            and not order.late
            and mentioned("tracking_stalled", latest)
        ):
            # "tracking ain't moved in 6 days": heard, the day it is still due, and
            # who can ask the carrier (not the same state again)
            speaker.say("track_order.shipped_stalled", **order.values())
        elif timed := time_question(order, latest):
            # "why so slow?", "can you speed it up?": whether it is on time, and
            # what can be done
            speaker.say(timed, **order.values())
        elif order.late:
            # the day it was due has passed: say so, and who can chase it (asked
            # again right after: that there is no new date, not the same words)
            late = f"track_order.{order.status}_late"
            if told_already(tracker, order) and reply_book().has(f"{late}_again"):
                late = f"{late}_again"
            speaker.say(late, **order.values())
        elif needed := deadline_reply(order, customer_texts(tracker)[-3:]):
            # the day the customer needs it by: it comes after it (no "Good news"),
            # or in time, said so they need not do the sum
            key, words = needed
            speaker.say(key, **{**order.values(), **words})
        elif (
            order.status is OrderStatus.DELIVERED
            and order.eta
            and mentioned("asks_delivery_day", *customer_texts(tracker)[-2:])
        ):
            # "what day was it delivered?": the day, not only that it was
            speaker.say("track_order.delivered_on", **order.values())
        elif order.status is OrderStatus.PROCESSING and mentioned(
            "asks_dispatch", *customer_texts(tracker)[-1:]
        ):
            # "when will it be sent?": when it leaves us, not only when it arrives
            speaker.say("track_order.processing_dispatch", **order.values())
        elif told_already(tracker, order) and reply_book().has(
            again := f"track_order.{order.status}_again"
        ):
            # "and when?" after the status was given: the date, not the status again
            # (the day it was delivered, when we know it)
            dated = f"{again}_on"
            if order.eta and reply_book().has(dated):
                again = dated
            speaker.say(again, **order.values())
        else:
            speaker.say(f"track_order.{order.status}", **order.values())
        return [SlotSet("order_id", order.id), *proof_used(tracker)]


# Words of where an order is: a question with them is about the order, even when
# it names a material ("where's my merino scarf?")
_WHERE_IT_IS = re.compile(
    r"\b(?:where|when|arriv\w*|deliver\w*|ship\w*|dispatch\w*|status|track\w*|"
    r"coming|come|here yet|sent|posted)\b",
    re.IGNORECASE,
)


def asks_about_the_product(*said: str) -> bool:
    """Whether the customer ``said`` a question about the product itself (what it
    is made of, how to wash it, what it contains) and not about where it is."""
    return any(
        is_question(part)
        and mentioned("asks_about_product", part)
        and not _WHERE_IT_IS.search(part)
        for text in said
        for part in clauses(text)
    )


_COMES_WITH = re.compile(r"\b(?:comes?|came) with\b", re.IGNORECASE)


def faq_asked(*said: str) -> str | None:
    """The reply key of the FAQ entry a question the customer ``said`` asks, when
    the question is nearer that entry than anything NLU learned of asking where an
    order is, and names nothing of where it is ("how long is the warranty on the
    kettle from order 651234?"), or names the guarantee; None otherwise."""
    for text in said:
        if not any(is_question(part) for part in clauses(text)):
            continue
        # ("does it come with a warranty?": what it includes, not its arrival)
        if _WHERE_IT_IS.search(_COMES_WITH.sub(" ", text)):
            continue
        if mentioned("names_warranty", text):
            return "faq.warranty"  # the same for every order, whatever it is near
        if hit := beats_intent(text, "track_order"):
            return hit.key
    return None


def only_asks(*said: str) -> bool:
    """Whether the customer ``said`` asks about the order and tells of nothing
    wrong with it ("I'm nervous I did something wrong, it says processing, is
    that normal?", "has it arrived? my eyes aren't what they were"): NLU may read
    the worry as a complaint, but where the order is answers it, not an offer to
    put right what is not broken; "I don't know if it went through" asks too."""
    asks = any(is_question(part) for text in said for part in clauses(text))
    # ("I don't know if it went through": a question without its question mark)
    asks = asks or mentioned("asks_indirectly", *said)
    return asks and not (item_problem(*said) or mentioned("not_arrived", *said))


def told_already(tracker: Tracker, order: Order) -> bool:
    """Whether the bot's reply before the latest message was about ``order`` and
    the latest message does not name it again (a follow-up about the same order)."""
    said = [text for text in bot_texts(tracker) if text]
    latest = str((tracker.latest_message or {}).get("text") or "")
    return (
        bool(said)
        and order.id in said[-1]
        and requested_when_written(tracker) is None  # not the answer to our question
        and not attempts_proof(latest)
        and find_number(latest) != order.id
    )


class ActionInvoiceLookup(CaringAction):
    """Find the invoice by its number or by the order number."""

    def name(self) -> str:
        return "action_invoice_lookup"

    def topic(self, tracker: Tracker) -> str | None:
        return form_topic(tracker, "invoice_form", INVOICE_TOPICS, INVOICE_TOPICS[0])

    async def respond(
        self, speaker: Speaker, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Show or send the invoice the customer asked for."""
        shop = store()
        topic = self.topic(tracker)
        reference = tracker.get_slot("invoice_id")
        invoice = await shop.invoice(reference) or await shop.invoice_for_order(
            reference or tracker.get_slot("order_id")
        )
        if invoice is None:
            speaker.say("invoice.not_found")
            return [SlotSet("invoice_id", None)]
        if not may_see(tracker, await shop.order(invoice.order)):
            speaker.say("order.unproven", order_id=invoice.order)
            return proof_used(tracker)
        said = telling(customer_texts(tracker))[-PROOF_LOOKBACK:]
        if mentioned("business_invoice", *said):
            # "with my company's VAT number on it": an issued invoice is reissued
            # with company details by a person, offered
            speaker.say("invoice.business", **invoice.values())
        else:
            speaker.say(f"{topic}.found", **invoice.values())
        return [
            SlotSet("invoice_id", invoice.id),
            SlotSet("order_id", invoice.order),
            *proof_used(tracker),
        ]
