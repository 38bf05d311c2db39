"""A new delivery address written out ("It should go to 14 Mill Lane, Leeds
instead") right after the customer asked to change the address, or the bot said how:
what can be done with it for the chat's order (actions/answers.py calls it first)."""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.conversation import bot_texts, customer_texts
from actions.identity import may_see
from actions.mentions import mentioned
from actions.order_chat import chat_order
from actions.order_checks import change_key
from actions.replies import reply_book
from actions.speaker import Speaker

# How many of the customer's messages before the latest, and of the bot's replies,
# may show that the chat is about changing the delivery address (address_given).
ADDRESS_CONTEXT = 2
_ADDRESS_WORD = re.compile(r"\baddress\b|\badress\b|\baddres\b", re.IGNORECASE)


async def address_given(speaker: Speaker, tracker: Tracker) -> list[EventType] | None:
    """The new delivery address itself ("It should go to 14 Mill Lane, Leeds
    instead"), written out right after the customer asked to change the address or
    the bot said how: what can be done with it for the chat's order (editable while
    it is with us, redirected by the carrier once shipped, too late once
    delivered), or which order it is for; None when the message is no address or
    the chat is not about one."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if not mentioned("gives_address", text):
        return None
    recent = [
        *customer_texts(tracker)[-ADDRESS_CONTEXT - 1 : -1],
        *bot_texts(tracker)[-ADDRESS_CONTEXT:],
    ]
    if not any(_ADDRESS_WORD.search(t) for t in recent):
        return None
    order = await chat_order(tracker)
    if order is None or not may_see(tracker, order):
        speaker.say("change_address.given")
        return []
    key = f"change_address.given_{order.status}"
    if not reply_book().has(key):
        key = change_key(order, address=True)  # cancelled: nothing to send there
    speaker.say(key, **order.values())
    return [SlotSet("order_id", order.id)]
