"""The order and invoice forms: asking for the number, then for the e-mail address
or postcode that proves the order is the customer's (``ProofForm``), and answering a
question asked instead of the proof. Proving itself is actions/identity.py."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import accepted_offer, customer_texts
from actions.identity import (
    MAX_TRIES,
    attempts_proof,
    may_see,
    offers_proof,
    proves,
    tries,
)
from actions.mentions import mentioned
from actions.numbers import find_number, is_phone_part
from actions.order_chat import (
    INVOICE_TOPICS,
    ORDER_TOPICS,
    PROOF_LOOKBACK,
    asked_order,
    form_topic,
    meant_order,
    only_praise,
    refund_in_context,
    refund_without_order,
    requested_when_written,
)
from actions.readings import FOLLOW_UP_CONFIDENCE, asks_about_the_order
from actions.side import Parsed, SideAnswer, answer_of, is_question
from actions.speaker import Speaker
from actions.store import Customer, Order, StoreUnavailable, store
from actions.voice import CaringAction, hand_over

# Why a person is brought in when the form's question offered one and got a yes.
YES_TO_PERSON = "Customer said yes when the bot offered a person."


def needs_proof(tracker: Tracker, order: Order | None, number: str | None) -> bool:
    """Whether to ask the customer to prove the order ``number`` (``order`` when it
    exists) is theirs: it is not known to be theirs, and they have not run out of
    tries. A number no order has is asked about the same way, so whether an order
    exists is told only to whoever proves it theirs (nobody learns which numbers
    are real by trying them)."""
    if not number or tries(tracker) >= MAX_TRIES:
        return False
    return order is None or not may_see(tracker, order)


async def order_and_owner(tracker: Tracker) -> tuple[Order | None, Customer | None]:
    """The order asked about and the customer it belongs to (``StoreUnavailable``
    when the order system does not answer)."""
    order = await asked_order(tracker)
    return order, await store().customer(order.customer) if order else None


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

    def form_slots(self, domain_slots: list[str], tracker: Tracker) -> list[str]:
        """The slots this form asks for now, before the proof is considered: the
        domain's; a form leaves out what it does not need (none: nothing to ask)."""
        return domain_slots

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The form's slots (``form_slots``); the proof only while it is needed
        (and, before any number is known, kept: a proof may come with the number)."""
        domain_slots = self.form_slots(domain_slots, tracker)
        if not domain_slots:
            return []
        numbers = tracker.get_slot("order_id") or tracker.get_slot("invoice_id")
        if not numbers:
            return domain_slots
        without_proof = [slot for slot in domain_slots if slot != "order_proof"]
        try:
            order = await asked_order(tracker)
        except StoreUnavailable:
            # the order system is down: no proof can be checked; the lookup says
            # so and brings in a person (CaringAction)
            return without_proof
        if tracker.active_loop_name == "invoice_form" and order is None:
            return without_proof  # an unknown invoice number: said at once
        if needs_proof(tracker, order, numbers):
            return domain_slots
        return without_proof

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
            order, owner = await order_and_owner(tracker)
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
        if not attempts_proof(text, tracker.get_slot("order_id")):
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
            order, owner = await order_and_owner(tracker)
        except StoreUnavailable:
            return {}  # nothing can be checked: the lookup says so
        latest = str((tracker.latest_message or {}).get("text") or "")
        number = tracker.get_slot("order_id")
        given = offers_proof(latest, number) or proves(latest, owner)
        if given and needs_proof(tracker, order, number):
            return {"order_proof": latest}
        return {}


class ValidateOrderForm(ProofForm):
    """Accept an order number in any common spelling ("#0048213", "4821 3")."""

    def name(self) -> str:
        return "validate_order_form"

    def form_slots(self, domain_slots: list[str], tracker: Tracker) -> list[str]:
        """Nothing to ask when the refund asked about needs no order: money back
        after a double charge or for a parcel that never came (policy, said by the
        lookup); nor when the message only praises."""
        if refund_without_order(tracker) or only_praise(tracker):
            return []
        return domain_slots

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

    def form_slots(self, domain_slots: list[str], tracker: Tracker) -> list[str]:
        """No invoice number needed when the order number is already known."""
        if tracker.get_slot("order_id") and not tracker.get_slot("invoice_id"):
            return [slot for slot in domain_slots if slot != "invoice_id"]
        return domain_slots

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
        """The first question, or why we ask, or that it did not match; a person
        asked for is brought in instead (they check whose the order is)."""
        latest = str((tracker.latest_message or {}).get("text") or "")
        if accepted_offer(tracker) == "handoff":
            return await hand_over(speaker, tracker, YES_TO_PERSON)
        if mentioned("asks_for_person", latest):
            # "... for order 228810. Could I speak to a member of staff about
            # this?": granted, not the proof first (blind probe cf)
            return await hand_over(speaker, tracker, "Customer asked for a person.")
        order = await asked_order(tracker)
        # a number no order has is asked about as any other (needs_proof)
        order_id = order.id if order else str(tracker.get_slot("order_id") or "")
        key = "ask.order_proof"
        if requested_when_written(tracker) == "order_proof":
            wrong = attempts_proof(latest)
            key = "ask.order_proof_again" if wrong else "ask.order_proof_why"
            if not wrong and (aside := question_aside(tracker)) is not None:
                # another question while we wait for the proof: its answer, and
                # the order still waits for the proof ("can I buy a gift card?");
                # one about the order itself waits for the proof to open it
                if aside.key == FOR_THE_ORDER:
                    key = FOR_THE_ORDER
                elif aside.key:
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
# the reply to a question about the order while its proof is asked for
FOR_THE_ORDER = "ask.order_proof_for_it"
ASIDE_CONFIDENCE = 0.7  # NLU this sure that a question is none of ours: declined


def question_aside(tracker: Tracker) -> SideAnswer | None:
    """The answer to a question the customer asked instead of giving the proof
    (a template or FAQ answer; a SideAnswer with an empty key for one NLU is sure
    we cannot answer; ``FOR_THE_ORDER`` for one about the order itself, "can you
    at least tell me when it'll arrive?", that the proof opens), or None when the
    message is no such question."""
    latest = tracker.latest_message or {}
    text = str(latest.get("text") or "")
    if not is_question(text) or _ABOUT_PROOF.search(text):
        return None
    if mentioned("asks_money_back", text) and (key := refund_in_context(tracker)):
        # "when do I get both back?" after a double charge: what holds for that
        return SideAnswer(key, {})
    parsed = Parsed.of(latest)
    sure = parsed.confidence >= FOLLOW_UP_CONFIDENCE
    if asks_about_the_order(text, parsed.intent if sure else None):
        return SideAnswer(FOR_THE_ORDER, {})
    if answer := answer_of(text, parsed, order_known=True):
        return answer
    if parsed.intent == "out_of_scope" and parsed.confidence >= ASIDE_CONFIDENCE:
        return SideAnswer("", {})
    return None
