"""What Rasa gets of a customer message and what comes back of its answers.

Rasa reads a message that starts with ``/`` as an intent (with entities) at confidence
1.0, past NLU and the fallback. Customers of every channel may only send the exact
payloads of the buttons the bot offered in its last turn; any other leading ``/`` is
dropped before the text goes to Rasa (the transcript keeps what they wrote).
"""

from __future__ import annotations

from typing import Any

from bot.transcript import Author, Entry

INTENT_PREFIX = "/"  # Rasa's RegexMessageHandler: "/intent{...}" skips NLU
OFFERED_LOOKBACK = 20  # recent entries searched for the buttons the bot offered


def offered_payloads(recent: list[Entry], entry_id: str) -> set[str]:
    """Payloads of the buttons of the bot's last turn before entry ``entry_id``."""
    ids = [e.id for e in recent]
    before = recent[: ids.index(entry_id)] if entry_id in ids else recent
    payloads: set[str] = set()
    for earlier in reversed(before):
        if earlier.author is Author.CUSTOMER:
            break
        if earlier.author is Author.BOT:
            payloads.update(b["payload"] for b in earlier.buttons if b.get("payload"))
    return payloads


def rasa_buttons(raw: Any) -> list[dict[str, str]]:
    """Rasa's quick-reply buttons, as title/payload strings only."""
    if not isinstance(raw, list):
        return []
    return [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in raw
        if isinstance(b, dict)
    ]
