"""Answers from the shop's data: order status, cancel, change, refund, invoice."""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.emotion import Analysis, Emotion
from actions.emotion.situations import WEEKDAYS
from actions.identity import (
    MAX_TRIES,
    attempts_proof,
    may_see,
    offers_proof,
    proves,
    tries,
)
from actions.mentions import mentioned, mentions
from actions.mood import assess
from actions.numbers import find_number, is_phone_part, is_postcode_part
from actions.replies import reply_book
from actions.side import Parsed, SideAnswer, answer_of, clauses, is_question
from actions.store import Order, OrderStatus, StoreUnavailable, store
from actions.voice import (
    CaringAction,
    Speaker,
    accepted_offer,
    bot_texts,
    customer_texts,
    hand_over,
    latest_intent,
    when_written,
)

ORDER_TOPICS = (
    "track_order",
    "cancel_order",
    "change_order",
    "track_refund",
    "complaint",
    "change_address",
    "return",
    "cancel_fee",
)
# Questions that are about one order when the message names it ("I'd like to return
# order 808080123456"): the topic of the lookup that answers them.
ORDER_QUESTIONS = {
    "get_refund": "return",
    "exchange_item": "return",
    "check_refund_policy": "return",
    "change_shipping_address": "change_address",
    "check_cancellation_fee": "cancel_fee",
}
INVOICE_TOPICS = ("check_invoice", "get_invoice")
# What is said after asking the store to cancel an order that was being prepared.
CANCEL_OUTCOMES = {
    OrderStatus.CANCELLED: "cancel_order.cancellable",
    OrderStatus.PROCESSING: "cancel_order.refused",
}
# Money back for an item that came faulty or wrong: the order's refund still counts.
FAULTY_REFUNDS = frozenset({"get_refund.faulty"})
# Why a person is brought in when the form's question offered one and got a yes.
YES_TO_PERSON = "Customer said yes when the bot offered a person."
PROOF_LOOKBACK = 3  # the customer's latest messages that may hold the proof
# Words beside a proof ("my email is ...", "it's under postcode ...", "here you go").
_PROOF_FILLER = frozenset(
    {
        "email",
        "e-mail",
        "mail",
        "address",
        "postcode",
        "post",
        "code",
        "zip",
        "plz",
        "postal",
        "under",
        "registered",
        "used",
        "with",
        "on",
        "account",
        "go",
        "thanks",
        "thank",
        "please",
        "sure",
        "of",
        "course",
        "i've",
        "i'm",
        "i",
        "have",
        "we",
        "use",
    }
)
# An order number said to be one ("order 48213", "#48213", "order no. 48213").
_ORDER_NAMED = re.compile(r"(?:\b(?:orders?|ordr|no|nr|number)\.?\s*|#)#?\s*\d+", re.I)
# A message that gives the proof and says little else ("my email is ...", "it's
# under EC1A 1BB"): at most this many words besides it.
PROOF_WORDS = 6
# A message that is only an order number ("48213", "it's order 48213") goes on with
# what the customer talked about just before; never into a cancellation.
CARRIED_TOPICS = {
    "complaint": "complaint",
    "get_refund": "return",
    "check_refund_policy": "return",
    "exchange_item": "return",
    "track_refund": "track_refund",
    "change_order": "change_order",
    "change_shipping_address": "change_address",
    "set_up_shipping_address": "change_address",
}
_FILLER = frozenset(
    {
        "it",
        "it's",
        "its",
        "is",
        "the",
        "my",
        "order",
        "number",
        "no",
        "nr",
        "here",
        "you",
        "are",
        "that",
        "this",
        "one",
        "ok",
        "okay",
        "sure",
        "yes",
        "was",
        "for",
        "about",
    }
)


def change_key(order: Order, address: bool = False) -> str:
    """The reply about changing ``order`` (its delivery address, or its items)."""
    if order.status is OrderStatus.PROCESSING:
        return "change_address.editable" if address else "change_order.editable"
    if order.status is OrderStatus.CANCELLED:
        return "change_order.cancelled"  # nothing will be sent: nothing to change
    if address and order.status is OrderStatus.SHIPPED:
        return "change_address.locked"
    if address:
        return "change_address.delivered"
    return "change_order.locked"


def record_disagrees(order: Order, *said: str) -> str | None:
    """The reply key when what the customer ``said`` about the order matters more
    than the question: they were charged twice for it (the payments, not the
    state), they have it with a problem while it is not delivered (the record is
    doubted) or delivered (the item needs putting right, not finding), it is
    delivered and they say it has not come (a missing parcel), or it was cancelled
    while they wait for it or have it (they did not know)."""
    if mentioned("double_charge", *said):
        return "order.double_charge"
    if order.status in (OrderStatus.PROCESSING, OrderStatus.SHIPPED) and mentioned(
        "has_it_with_a_problem", *said
    ):
        return f"order.record_disagrees.{order.status}"
    if order.status is OrderStatus.DELIVERED and mentioned("not_arrived", *said):
        return "track_order.delivered_missing"
    if order.status is OrderStatus.DELIVERED and mentioned(
        "has_it_with_a_problem", *said
    ):
        return "complaint.order"  # broken or wrong in their hands: put it right
    if order.status is OrderStatus.CANCELLED:
        if mentioned("has_it_with_a_problem", *said):
            return "order.record_disagrees.cancelled_received"
        if mentioned("not_arrived", *said) or mentioned("waiting_for_it", *said):
            return "order.record_disagrees.cancelled"
    return None


# Asks whether a cancellation is possible rather than asking for one ("can I still
# cancel?", "is it possible to cancel", "if it doesn't come, can I cancel?"): nothing
# is cancelled before a yes. "Can you cancel it?", "cancel it please" ask for it.
_IF_POSSIBLE = re.compile(
    r"\b(?:can|could|may|might|do|shall) (?:i|we) (?:still |just |even |then )?"
    r"cancel|\bi can (?:still )?cancel\b|\b(?:is|would) it (?:still )?(?:be )?"
    r"possible to cancel|\b(?:am i|are we|would i be|will i be|would we be) "
    r"(?:still )?able to cancel|\bcan (?:it|this|that|the order|my order|order \S+) "
    r"(?:still )?be cancel|\bcancel+ation (?:still )?possible|"
    r"\bif\b[^.?!]{0,80}\bcancel",
    re.IGNORECASE,
)


def asks_if_possible(tracker: Tracker) -> bool:
    """Whether the customer's request about the order (their latest message that
    is more than a number or a proof) asks whether it can be cancelled, not for it
    to be cancelled."""
    texts = [
        t for t in customer_texts(tracker) if not (only_proof(t) or only_a_number(t))
    ]
    return bool(texts) and bool(_IF_POSSIBLE.search(texts[-1]))


def only_a_number(text: str) -> bool:
    """Whether ``text`` gives an order number and says nothing else."""
    if not find_number(text):
        return False
    words = re.findall(r"[a-z']+", text.lower())
    return all(word in _FILLER for word in words)


def only_proof(text: str) -> bool:
    """Whether ``text`` gives an e-mail address or a postcode and, besides it, at
    most PROOF_WORDS words that only introduce it, and no question ("my email is
    ...", "EC1A 1BB"; not "where's my refund for 48213")."""
    text = _ORDER_NAMED.sub(" ", text)  # "order 48213" is the order, not a proof
    if "?" in text or not attempts_proof(text):
        return False
    words = re.findall(r"[\w'@.+-]+", text.lower())
    rest = [w for w in words if "@" not in w and not any(c.isdigit() for c in w)]
    return len(rest) <= PROOF_WORDS and all(
        w.strip(".") in _FILLER | _PROOF_FILLER for w in rest
    )


def form_topic(
    tracker: Tracker, form: str, topics: tuple[str, ...], default: str
) -> str:
    """What the customer asked when ``form`` was last activated ("cancel_order", ...).

    The answer to "what's the order number?" may be classified as anything, so the
    topic is the intent of the message that started the form; when that message was
    only a number, the topic of the message before it carries on (CARRIED_TOPICS).
    """
    topic, current, before, last, proof = None, None, None, None, False
    for event in tracker.events:
        if event.get("event") == "user":
            text = str(event.get("text") or "")
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            carried = CARRIED_TOPICS.get(str(before))
            if carried and only_a_number(text):
                intent = carried
            before, current = intent, ORDER_QUESTIONS.get(str(intent), intent)
            # an e-mail address or postcode given on its own goes on with the
            # latest question about an order (proof_outside_the_form)
            proof = attempts_proof(text) and current not in topics
            last = current if current in topics else last
        elif event.get("event") == "active_loop" and event.get("name") == form:
            if current in topics:
                topic = current
            elif proof and last:
                topic = last
    return str(topic) if topic else default


async def meant_order(tracker: Tracker, number: str | None) -> str | None:
    """The order number the customer means when NLU read ``number`` in their
    latest message: asked for proof, digits are a postcode, not another order,
    unless they are one of ours that the answer does not prove; and a number the
    message calls a postcode ("order 651234, postcode 10115") is never the order."""
    said = str((tracker.latest_message or {}).get("text") or "")
    if number and is_postcode_part(number, said):
        number = find_number(said)
    before = when_written(tracker, "order_id")
    asked_proof = requested_when_written(tracker) == "order_proof"
    if not before or number == before or not asked_proof:
        return number
    shop = store()
    order = await shop.order(before)
    owner = await shop.customer(order.customer) if order else None
    if await shop.order(number) is None or proves(said, owner):
        return str(before)
    return number


async def chat_order(tracker: Tracker) -> Order | None:
    """The order the conversation is about: the one in ``order_id``, else the latest
    known order number in the customer's recent messages."""
    shop = store()
    if order := await shop.order(tracker.get_slot("order_id")):
        return order
    for text in reversed(customer_texts(tracker)[-PROOF_LOOKBACK:]):
        if order := await shop.order(find_number(text)):
            return order
    return None


async def proof_outside_the_form(tracker: Tracker) -> list[EventType] | None:
    """The customer gives the e-mail address or postcode while nothing asks for it
    ("my email is ...", the postcode after an answer that could not show the
    order): the order of the chat is looked up with it (the order form checks it
    and answers the question they asked before); with no order in the chat yet,
    its number is asked for and the proof kept for it. None when the message gives
    no proof, or a form is asking anyway."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if tracker.active_loop_name or not (
        only_proof(text) or latest_intent(tracker) in ("nlu_fallback", "out_of_scope")
    ):
        return None  # a question with an address in it is that question
    order = await chat_order(tracker)
    if order is None:
        return [FollowupAction("order_form")] if offers_proof(text) else None
    owner = await store().customer(order.customer)
    if may_see(tracker, order) or not (
        offers_proof(text, order.id) or proves(text, owner)
    ):
        return None
    return [SlotSet("order_id", order.id), FollowupAction("order_form")]


async def asked_order(tracker: Tracker) -> Order | None:
    """The order a form is about: the invoice's order in ``invoice_form``, else the
    order in ``order_id`` (as the customer meant it: ``meant_order``)."""
    shop = store()
    if tracker.active_loop_name == "invoice_form":
        invoice = await shop.invoice(tracker.get_slot("invoice_id")) or (
            await shop.invoice_for_order(tracker.get_slot("order_id"))
        )
        return await shop.order(invoice.order) if invoice else None
    number = tracker.get_slot("order_id")
    meant = await meant_order(tracker, find_number(number) if number else None)
    return await shop.order(meant)


def requested_when_written(tracker: Tracker) -> str | None:
    """The slot the bot had asked for when the customer wrote the latest message."""
    requested = when_written(tracker, "requested_slot")
    return str(requested) if requested else None


def deadline_day(when: str, today: dt.date) -> tuple[dt.date, bool] | None:
    """The day a deadline the customer wrote ("before Saturday", "tomorrow", "by
    Friday", "this weekend") falls on, counted from ``today``, and whether the order
    must come before it (True) or by it; None when the words name no day."""
    words = when.lower().split()
    before = bool(words) and words[0] == "before"
    if "today" in words or "tonight" in words:
        return today, before
    if "tomorrow" in words:
        return today + dt.timedelta(days=1), before
    for i, name in enumerate(WEEKDAYS):
        if name in words or (name == "saturday" and "weekend" in words):
            ahead = (i - today.weekday()) % 7 or 7
            if "next" in words and ahead < 7:
                ahead += 7
            return today + dt.timedelta(days=ahead), before
    return None


def missed_deadline(order: Order, said: list[str]) -> dict[str, str] | None:
    """When the customer said the day they need ``order`` by and its expected day
    is too late: the words for the reply (``deadline``: "Saturday", ``event``: "the
    wedding"); else None."""
    if order.due is None or order.status not in (
        OrderStatus.SHIPPED,
        OrderStatus.PROCESSING,
    ):
        return None
    from actions.mood import analyzer  # the situation reader of the analysis

    for text in reversed(said):
        for found in analyzer().message.situations.detect(text.lower()):
            if found.kind != "deadline" or not found.when:
                continue
            day = deadline_day(found.when, order.as_of)
            if day is None:
                continue
            deadline, before = day
            if order.due > deadline or (before and order.due >= deadline):
                event = f"the {found.what}" if found.what else "then"
                return {
                    "deadline": f"{deadline:%A} {deadline.day} {deadline:%B}",
                    "event": event,
                }
    return None


def refund_without_order(tracker: Tracker) -> str | None:
    """The reply key when the customer asks about a refund the chat's context
    explains without any order data (``refund_in_context``: a double charge, a
    parcel that never came); None otherwise."""
    latest = latest_intent(tracker)
    if latest in ORDER_TOPICS and latest != "track_refund":
        return None  # a new question about an order (the form may just be starting)
    if not talks_money(tracker):
        return None  # NLU's refund was a guess: nothing was said about money
    if form_topic(tracker, "order_form", ORDER_TOPICS, ORDER_TOPICS[0]) != (
        "track_refund"
    ):
        return None
    key = reply_book().refund_in_context(customer_texts(tracker)[-3:])
    # something faulty in hand may already have a refund on the way: look it up
    return None if key in FAULTY_REFUNDS else key


def talks_money(tracker: Tracker) -> bool:
    """Whether the customer's latest messages say anything about money or sending
    something back (``about_money``): a refund question does."""
    return mentioned("about_money", *customer_texts(tracker)[-PROOF_LOOKBACK:])


def needs_proof(tracker: Tracker, order: Order | None) -> bool:
    """Whether to ask the customer to prove ``order`` is theirs: it exists, it is
    not known to be theirs, and they have not run out of tries."""
    return (
        order is not None and not may_see(tracker, order) and tries(tracker) < MAX_TRIES
    )


def proof_used(tracker: Tracker) -> list[EventType]:
    """Forget the answer to the proof question once a lookup used it: the next
    order is checked afresh (the proven customer is remembered)."""
    return [SlotSet("order_proof", None)] if tracker.get_slot("order_proof") else []


class ProofForm(FormValidationAction, ABC):
    """A form that shows an order: it asks for proof that the order is the
    customer's (``order_proof``) once it knows which order, unless it is known."""

    @abstractmethod
    def name(self) -> str:
        """The validation action's name (``validate_<form>``)."""

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The form's slots; the proof only while it is needed (and, before any
        number is known, kept: a proof may come with the number)."""
        numbers = tracker.get_slot("order_id") or tracker.get_slot("invoice_id")
        if not numbers:
            return domain_slots
        try:
            order = await asked_order(tracker)
        except StoreUnavailable:
            # the order system is down: no proof can be checked; the lookup says
            # so and brings in a person (CaringAction)
            order = None
        if needs_proof(tracker, order):
            return domain_slots
        return [slot for slot in domain_slots if slot != "order_proof"]

    async def validate_order_proof(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """The order's e-mail address or postcode proves it; a question is asked
        again without counting; anything else counts as a wrong try. With the order
        system down nothing counts (the lookup says so)."""
        try:
            order = await asked_order(tracker)
            owner = await store().customer(order.customer) if order else None
        except StoreUnavailable:
            return {"order_proof": None}
        text = str(slot_value or "")
        # what the customer wrote lately counts ("my email is ..." before they
        # corrected the order number), the answer itself too
        said = [*customer_texts(tracker)[-PROOF_LOOKBACK:], text]
        if order is not None and proves(said, owner):
            return {
                "order_proof": "proven",
                "verified_customer": order.customer,
                "proof_tries": 0,
            }
        if not attempts_proof(text, order.id if order else None):
            return {"order_proof": None}
        return {"order_proof": None, "proof_tries": tries(tracker) + 1}

    async def extract_order_proof(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An e-mail address or a postcode given before we asked ("order 651234,
        postcode 10115"), or the order's own postcode on its own, is the answer: the
        customer is not asked for it again."""
        if tracker.get_slot("order_proof") or requested_when_written(tracker) == (
            "order_proof"
        ):
            return {}  # asked: the domain's from_text mapping has the answer
        try:
            order = await asked_order(tracker)
            owner = await store().customer(order.customer) if order else None
        except StoreUnavailable:
            return {}  # nothing can be checked: the lookup says so
        latest = str((tracker.latest_message or {}).get("text") or "")
        given = order is not None and (
            offers_proof(latest, order.id) or proves(latest, owner)
        )
        return {"order_proof": latest} if given and needs_proof(tracker, order) else {}


class ValidateOrderForm(ProofForm):
    """Accept an order number in any common spelling ("#0048213", "4821 3")."""

    def name(self) -> str:
        return "validate_order_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Nothing to ask when the refund asked about needs no order: money back
        after a double charge or for a parcel that never came (policy, said by the
        lookup)."""
        if refund_without_order(tracker) or only_praise(tracker):
            return []
        return await super().required_slots(domain_slots, dispatcher, tracker, domain)

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A number NLU did not tag ("my ordr 7203 hasnt come") is the order
        number: the customer is not asked for what they just wrote."""
        if tracker.get_slot("order_id"):
            return {}
        number = find_number(str((tracker.latest_message or {}).get("text") or ""))
        return {"order_id": number} if number else {}

    async def validate_order_id(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Keep the digits of an order number, or ask again (a telephone number is
        not an order number, though NLU may take part of one for it)."""
        said = str((tracker.latest_message or {}).get("text") or "")
        if slot_value and is_phone_part(str(slot_value), said):
            return {"order_id": None}
        number = find_number(str(slot_value)) if slot_value else None
        try:
            return {"order_id": await meant_order(tracker, number)}
        except StoreUnavailable:
            return {"order_id": number}  # the lookup says the system is down


class ValidateInvoiceForm(ProofForm):
    """Accept an invoice number, or an order number to find its invoice."""

    def name(self) -> str:
        return "validate_invoice_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """No invoice number needed when the order number is already known."""
        if tracker.get_slot("order_id") and not tracker.get_slot("invoice_id"):
            domain_slots = [slot for slot in domain_slots if slot != "invoice_id"]
        return await super().required_slots(domain_slots, dispatcher, tracker, domain)

    def validate_invoice_id(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Keep the digits of an invoice (or order) number, or ask again."""
        number = find_number(str(slot_value)) if slot_value else None
        return {"invoice_id": number}


class AskForNumber(CaringAction, ABC):
    """Ask for the number a form needs, more helpfully the second time."""

    slot: str
    form: str
    topics: tuple[str, ...]
    first_ask: str

    @abstractmethod
    def name(self) -> str:
        """The action's name in domain.yml."""

    def topic(self, tracker: Tracker) -> str | None:
        return form_topic(tracker, self.form, self.topics, self.topics[0])

    async def respond(
        self, speaker: Speaker, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Ask for the number (again)."""
        if accepted_offer(tracker) == "handoff":
            return await hand_over(speaker, tracker, YES_TO_PERSON)
        asked_before = requested_when_written(tracker) == self.slot
        latest = str((tracker.latest_message or {}).get("text") or "")
        if attempts_proof(latest) and not find_number(latest):
            # "my email is ... if that helps": thanks, but orders are not found by
            # an e-mail address alone (it would show them to anyone who knows it)
            speaker.say("ask.order_id_not_by_proof")
            return []
        if mentioned("no_order_number", latest):
            # "I don't know my order number": where it is, and a person offered
            speaker.say("no_number")
            return []
        speaker.say("ask.order_id_again" if asked_before else self.first_ask)
        return []


class ActionAskOrderId(AskForNumber):
    """Ask for the order number."""

    slot, form, topics, first_ask = (
        "order_id",
        "order_form",
        ORDER_TOPICS,
        "ask.order_id",
    )

    def name(self) -> str:
        return "action_ask_order_id"


class ActionAskInvoiceId(AskForNumber):
    """Ask for the invoice number (or the order number)."""

    slot, form, topics = "invoice_id", "invoice_form", INVOICE_TOPICS
    first_ask = "ask.invoice_id_or_order"

    def name(self) -> str:
        return "action_ask_invoice_id"


class ActionAskOrderProof(CaringAction):
    """Ask for the e-mail address or postcode the order is under (again: it did
    not match, or the customer asked why)."""

    def name(self) -> str:
        return "action_ask_order_proof"

    def topic(self, tracker: Tracker) -> str | None:
        form = tracker.active_loop_name or "order_form"
        topics = INVOICE_TOPICS if form == "invoice_form" else ORDER_TOPICS
        return form_topic(tracker, form, topics, topics[0])

    async def respond(
        self, speaker: Speaker, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """The first question, or why we ask, or that it did not match."""
        if accepted_offer(tracker) == "handoff":
            return await hand_over(speaker, tracker, YES_TO_PERSON)
        order = await asked_order(tracker)
        latest = str((tracker.latest_message or {}).get("text") or "")
        order_id = order.id if order else ""
        key = "ask.order_proof"
        if requested_when_written(tracker) == "order_proof":
            wrong = attempts_proof(latest)
            key = "ask.order_proof_again" if wrong else "ask.order_proof_why"
            if not wrong and (aside := question_aside(tracker)) is not None:
                # another question while we wait for the proof: its answer, and
                # the order still waits for the proof ("can I buy a gift card?")
                if aside.key:
                    speaker.say(aside.key, None, **aside.values)
                    key = "ask.order_proof_still"
                else:
                    key = "ask.order_proof_aside"  # one we cannot answer
        speaker.say(key, order_id=order_id)
        return []


# The proof itself talked about ("why do you need my e-mail?"): why we ask.
_ABOUT_PROOF = re.compile(
    r"\b(?:e-?mail|mail|post ?code|zip|address|why|private|privacy|proof|prove)\b", re.I
)
ASIDE_CONFIDENCE = 0.7  # NLU this sure that a question is none of ours: declined


def question_aside(tracker: Tracker) -> SideAnswer | None:
    """The answer to a question the customer asked instead of giving the proof
    (a template or FAQ answer; a SideAnswer with an empty key for one NLU is sure
    we cannot answer), or None when the message is no such question."""
    latest = tracker.latest_message or {}
    text = str(latest.get("text") or "")
    if not is_question(text) or _ABOUT_PROOF.search(text):
        return None
    parsed = Parsed.of(latest)
    if answer := answer_of(text, parsed, order_known=True):
        return answer
    if parsed.intent == "out_of_scope" and parsed.confidence >= ASIDE_CONFIDENCE:
        return SideAnswer("", {})
    return None


class ActionOrderLookup(CaringAction):
    """Look the order up and answer what the customer asked about it."""

    def name(self) -> str:
        return "action_order_lookup"

    def topic(self, tracker: Tracker) -> str | None:
        topic = form_topic(tracker, "order_form", ORDER_TOPICS, ORDER_TOPICS[0])
        if topic in ("track_refund", "return") and not talks_money(tracker):
            # nothing said about money or a return: NLU's refund was a guess, and
            # the order itself is the answer ("will it come by Saturday?")
            return "track_order"
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
        if key := refund_without_order(tracker):
            speaker.say(key)
            return list(proof_used(tracker))
        order = await shop.order(tracker.get_slot("order_id"))
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
        if disagreement := record_disagrees(order, *customer_texts(tracker)[-2:]):
            # what the customer says and the record disagree: that is what needs
            # answering, whatever the question was
            speaker.say(disagreement, **order.values())
        elif topic == "track_refund":
            refund = await shop.refund_for(order.id)
            if refund is None:
                speaker.say("track_refund.none", order_id=order.id)
            else:
                speaker.say(
                    f"track_refund.{refund.status}",
                    **refund.values(),
                )
        elif topic == "cancel_order":
            if order.status is OrderStatus.PROCESSING and asks_if_possible(tracker):
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
        elif topic == "return" and (refund := await shop.refund_for(order.id)):
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
        elif topic == "complaint":
            speaker.say("complaint.order", **order.values())
        elif topic in ("change_order", "change_address"):
            key = change_key(order, address=topic == "change_address")
            speaker.say(key, **order.values())
        elif order.status in (
            OrderStatus.PROCESSING,
            OrderStatus.SHIPPED,
        ) and mentioned("if_it_does_not", *customer_texts(tracker)[-1:]):
            # "and if it doesn't?" after its date: what can be done then
            speaker.say(f"track_order.{order.status}_if_not", **order.values())
        elif order.late:
            # the day it was due has passed: say so, and who can chase it
            speaker.say(f"track_order.{order.status}_late", **order.values())
        elif missed := missed_deadline(order, customer_texts(tracker)[-3:]):
            # it comes, but after the day the customer needs it: no "Good news"
            late = "processing_" if order.status is OrderStatus.PROCESSING else ""
            key = f"track_order.{late}after_deadline"
            speaker.say(key, **{**order.values(), **missed})
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


# Words that want something done or known, in a sentence that asks no question.
_WANTS = re.compile(
    r"\b(?:when|wen|where|what|wat|which|how|whether|status|track\w*|check|"
    r"look (?:it )?up|will (?:it|they|that|this)|"
    r"find|cancel\w*|change|return|refund me|send|(?:can|could|would|will) you|"
    r"tell me|let me know|"
    r"(?:like|love|delighted|want|need|wish) to (?:know|have|get))\b",
    re.I,
)


def praised(text: str) -> str:
    """What the customer praises, in their words ("coffee set", from "the coffee
    set from order 730915 is gorgeous"), or ""."""
    found = mentions()["praised_thing"].search(text.lower())
    return found.group("thing") if found else ""


def only_praise(tracker: Tracker, analysis: Analysis | None = None) -> bool:
    """Whether the message that started the form only praises ("my order 5520174
    arrived early and the packaging was lovely", "Anna sorted my refund, she was
    brilliant"): happy, asks nothing, reports no problem. NLU may read an order or a
    refund in it; there is nothing to look up. ``analysis``: the message's, when
    the caller has it (else it is made)."""
    if requested_when_written(tracker) is not None:
        return False  # the answer to our question
    text = str((tracker.latest_message or {}).get("text") or "")
    if any(is_question(part) for part in clauses(text)) or mentioned(
        "has_it_with_a_problem", text
    ):
        return False
    if mentioned("not_arrived", text) or mentioned("waiting_for_it", text):
        return False
    if _WANTS.search(text):
        return False  # "I'd be delighted to know when it comes": a request
    analysis = analysis or assess(tracker).analysis
    return analysis.label is Emotion.JOY and not analysis.has("sarcasm")


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
        speaker.say(f"{topic}.found", **invoice.values())
        return [
            SlotSet("invoice_id", invoice.id),
            SlotSet("order_id", invoice.order),
            *proof_used(tracker),
        ]
