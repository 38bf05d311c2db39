"""Which reply key answers an intent, given what the customer told us (a place we
deliver to or not, a way to pay, an account type, a "no" that stops a form), and
the placeholder values any answer may use (``answer_key``, ``answer_values``)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.closings import closing_key, done_asking, only_closes
from actions.conversation import customer_name, customer_texts, latest_entity
from actions.delivery import delivery_reach, destination_words
from actions.mentions import mentions
from actions.order_chat import praised, praised_person
from actions.payments import method_named
from actions.replies import reply_book

# Intents whose answer has a variant when the customer named an account type / a place.
TYPED_ACCOUNT_INTENTS = {
    "create_account",
    "switch_account",
    "delete_account",
    "edit_account",
}
PLACE_INTENTS = {"delivery_options", "delivery_period"}


def answer_key(intent: str, tracker: Tracker) -> str:
    """The reply key that answers ``intent`` given what the customer told us."""
    if intent == "deny" and stopped_asking(tracker):
        return "no_number"
    if intent in ("affirm", "deny", "thank_you") and done_asking(
        str((tracker.latest_message or {}).get("text") or "")
    ):
        return "goodbye"  # "that is all I needed": whatever the last reply asked
    if intent == "affirm" and only_closes(tracker):
        return closing_key(tracker)
    if intent in ("affirm", "deny"):
        return f"{intent}_nothing_pending"
    book = reply_book()
    if intent == "greet" and _spoke_before(tracker):
        return "greet_again"
    if intent in TYPED_ACCOUNT_INTENTS and latest_entity(tracker, "account_type"):
        return f"{intent}_typed"
    if intent in PLACE_INTENTS and (place := _place(tracker)):
        # a country we deliver to or not: yes or no first (data/store/delivery.yml)
        reach, _ = delivery_reach(place)
        if reach and book.has(f"{intent}_place_{reach}"):
            return f"{intent}_place_{reach}"
        return f"{intent}_place" if book.has(f"{intent}_place") else intent
    text = str((tracker.latest_message or {}).get("text") or "")
    return book.specific_key(intent, text) or intent


def stopped_asking(tracker: Tracker) -> bool:
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
        # the country as we write it ("Norway", "the UK"), else as they did
        "delivery_place": delivery_reach(_place(tracker) or "")[1],
        "payment_method": method_named(text),
        "thing": praised(text),
        "person": praised_person(text),
        "wish": wished(text),
    }


def _place(tracker: Tracker) -> str | None:
    text = str((tracker.latest_message or {}).get("text") or "")
    named = (
        latest_entity(tracker, "delivery_city")
        or latest_entity(tracker, "delivery_country")
        or destination_words(text)  # "ship to norway?": NLU missed the lower case
    )
    if named:
        return named
    # "How long does delivery (there) take?" right after "Do you ship to Norway?":
    # that place
    before = customer_texts(tracker)[-2:-1]
    return destination_words(before[0]) if before else None


def wished(text: str) -> str:
    """What the customer wished us ("weekend" in "have a nice weekend"), or "day"."""
    found = mentions()["wishes"].search(text.lower())
    return found.group("wish") if found else "day"
