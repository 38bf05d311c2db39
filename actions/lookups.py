"""Answers from the shop's data: order status, cancel, change, refund, invoice."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.mentions import mentioned
from actions.store import Order, demo_store, find_number, is_phone_part
from actions.voice import CaringAction, Speaker, customer_texts

ORDER_TOPICS = (
    "track_order",
    "cancel_order",
    "change_order",
    "track_refund",
    "complaint",
    "change_address",
)
INVOICE_TOPICS = ("check_invoice", "get_invoice")
# A message that is only an order number ("48213", "it's order 48213") goes on with
# what the customer talked about just before; never into a cancellation.
CARRIED_TOPICS = {
    "complaint": "complaint",
    "get_refund": "track_refund",
    "check_refund_policy": "track_refund",
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
    if order.status == "processing":
        return "change_address.editable" if address else "change_order.editable"
    if address and order.status == "shipped":
        return "change_address.locked"
    return "change_order.locked"


def record_disagrees(order: Order, *said: str) -> str | None:
    """The reply key when what the customer ``said`` contradicts the order's record:
    they have it with a problem while it is not delivered (the record is doubted),
    or it is delivered and they say it has not come (a missing parcel)."""
    if order.status in ("processing", "shipped") and mentioned(
        "has_it_with_a_problem", *said
    ):
        return f"order.record_disagrees.{order.status}"
    if order.status == "delivered" and mentioned("not_arrived", *said):
        return "track_order.delivered_missing"
    return None


def only_a_number(text: str) -> bool:
    """Whether ``text`` gives an order number and says nothing else."""
    if not find_number(text):
        return False
    words = re.findall(r"[a-z']+", text.lower())
    return all(word in _FILLER for word in words)


def form_topic(
    tracker: Tracker, form: str, topics: tuple[str, ...], default: str
) -> str:
    """What the customer asked when ``form`` was last activated ("cancel_order", ...).

    The answer to "what's the order number?" may be classified as anything, so the
    topic is the intent of the message that started the form; when that message was
    only a number, the topic of the message before it carries on (CARRIED_TOPICS).
    """
    topic, current, before = None, None, None
    for event in tracker.events:
        if event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            carried = CARRIED_TOPICS.get(str(before))
            if carried and only_a_number(str(event.get("text") or "")):
                intent = carried
            before, current = intent, intent
        elif event.get("event") == "active_loop" and event.get("name") == form:
            topic = current if current in topics else topic
    return str(topic) if topic else default


class ValidateOrderForm(FormValidationAction):
    """Accept an order number in any common spelling ("#0048213", "4821 3")."""

    def name(self) -> str:
        return "validate_order_form"

    def validate_order_id(
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
        return {"order_id": number}


class ValidateInvoiceForm(FormValidationAction):
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
        """No question needed when the order number is already known."""
        if tracker.get_slot("order_id") and not tracker.get_slot("invoice_id"):
            return []
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
        asked_before = tracker.get_slot("requested_slot") == self.slot
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


class ActionOrderLookup(CaringAction):
    """Look the order up and answer what the customer asked about it."""

    def name(self) -> str:
        return "action_order_lookup"

    def topic(self, tracker: Tracker) -> str | None:
        return form_topic(tracker, "order_form", ORDER_TOPICS, ORDER_TOPICS[0])

    async def respond(
        self, speaker: Speaker, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Track, cancel, change or check the refund of the order in ``order_id``."""
        store = demo_store()
        topic = self.topic(tracker)
        order = store.order(tracker.get_slot("order_id"))
        if order is None:
            speaker.say(
                "order.not_found",
                order_id=tracker.get_slot("order_id"),
            )
            return [SlotSet("order_id", None)]
        if disagreement := record_disagrees(order, *customer_texts(tracker)[-2:]):
            # what the customer says and the record disagree: that is what needs
            # answering, whatever the question was
            speaker.say(disagreement, **order.values())
        elif topic == "track_refund":
            refund = store.refund_for(order.id)
            if refund is None:
                speaker.say("track_refund.none", order_id=order.id)
            else:
                speaker.say(
                    f"track_refund.{refund.status}",
                    **refund.values(),
                )
        elif topic == "cancel_order":
            if order.status == "processing":
                order = store.cancel(order)
                speaker.say("cancel_order.cancellable", **order.values())
            else:
                speaker.say(
                    f"cancel_order.{order.status}",
                    **order.values(),
                )
        elif topic == "complaint":
            speaker.say("complaint.order", **order.values())
        elif topic in ("change_order", "change_address"):
            key = change_key(order, address=topic == "change_address")
            speaker.say(key, **order.values())
        elif order.late:
            # the day it was due has passed: say so, and who can chase it
            speaker.say(f"track_order.{order.status}_late", **order.values())
        else:
            speaker.say(f"track_order.{order.status}", **order.values())
        return [SlotSet("order_id", order.id)]


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
        store = demo_store()
        topic = self.topic(tracker)
        reference = tracker.get_slot("invoice_id")
        invoice = store.invoice(reference) or store.invoice_for_order(
            reference or tracker.get_slot("order_id")
        )
        if invoice is None:
            speaker.say("invoice.not_found")
            return [SlotSet("invoice_id", None)]
        speaker.say(f"{topic}.found", **invoice.values())
        return [SlotSet("invoice_id", invoice.id), SlotSet("order_id", invoice.order)]
