"""How every action speaks: one place that picks, fills and sends a reply."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import reply_book

RECENT_REPLIES = 4


def recent_bot_texts(tracker: Tracker, limit: int = RECENT_REPLIES) -> list[str]:
    """The texts of the bot's last ``limit`` messages, newest last."""
    texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "bot"]
    return texts[-limit:]


def customer_metadata(tracker: Tracker) -> dict[str, Any]:
    """Metadata the gateway attached to the latest message (channel, name, locale)."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return metadata if isinstance(metadata, dict) else {}


def say(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    key: str,
    buttons: list[dict[str, str]] | None = None,
    **values: Any,
) -> str:
    """Send the reply ``key`` filled with ``values``; returns the text sent."""
    text = reply_book().pick(key, avoid=recent_bot_texts(tracker), **values)
    if buttons:
        dispatcher.utter_message(text=text, buttons=buttons)
    else:
        dispatcher.utter_message(text=text)
    return text


def latest_intent(tracker: Tracker) -> str | None:
    """Name of the intent NLU gave the latest customer message."""
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    """The first value of ``entity`` in the latest customer message."""
    return next(tracker.get_latest_entity_values(entity), None)
