"""What a transcript entry looks like on Telegram: plain text (no parse mode, so nothing
anyone typed becomes markup) in parts of at most 4096 UTF-16 units, cut at a
paragraph, line, sentence or word; quick-reply buttons as a reply keyboard; a
``rating_request`` as inline buttons 1-5 for satisfaction, then (bot/telegram.py) for
"did you feel understood?". Sending it, once and in order, is bot/telegram_outbox.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.transcript import Author, Entry, Kind

MAX_MESSAGE_UNITS = 4096  # Telegram's limit, in UTF-16 code units
KEYBOARD_TITLE_CHARS = 64

ASK_UNDERSTOOD = "understood"  # Entry.data["ask"] of the second rating question
RATE_CSAT_TEXT = (
    "Before you go: how satisfied are you with the help you got? "
    "Tap 1 (not at all) to 5 (very satisfied)."
)
RATING_DATA = re.compile(r"^rate:([cu]):([1-5])$")


@dataclass(frozen=True)
class Outgoing:
    """One Telegram message to send."""

    text: str
    markup: Any = None  # a reply markup, or None
    keyboard: bool | None = None  # reply keyboard shown (True) / removed (False)


def utf16_units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _fitting(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` UTF-16 units."""
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return i
    return len(text)


_SENTENCE_END = re.compile(r"[.!?\u2026\u3002][\"')\]\u201d\u2019]*\s")


def _cut(window: str) -> int:
    """Where to end a part in ``window``: paragraph, line, sentence, word or all."""
    floor = len(window) // 4  # never a tiny part when a better cut is far back
    for separator in ("\n\n", "\n"):
        at = window.rfind(separator)
        if at > floor:
            return at + len(separator)
    ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    if ends and ends[-1] > floor:
        return ends[-1]
    at = max(window.rfind(" "), window.rfind("\t"))
    if at > floor:
        return at + 1
    return len(window)


def split_text(text: str, limit: int = MAX_MESSAGE_UNITS) -> list[str]:
    """``text`` in parts of at most ``limit`` UTF-16 units, cut at a boundary."""
    parts = []
    rest = text.strip()
    while utf16_units(rest) > limit:
        window = rest[: _fitting(rest, limit)]
        cut = _cut(window)
        part = rest[:cut].rstrip()
        if not part:  # only whitespace before the cut: cut hard instead
            cut = len(window)
            part = rest[:cut]
        parts.append(part)
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def rating_keyboard(scale: str) -> InlineKeyboardMarkup:
    """Inline buttons 1-5 for one rating (``c`` satisfaction, ``u`` understood)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(str(n), callback_data=f"rate:{scale}:{n}")
                for n in range(1, 6)
            ]
        ]
    )


def _reply_keyboard(buttons: list[dict[str, str]]) -> ReplyKeyboardMarkup | None:
    titles = [b.get("title", "").strip()[:KEYBOARD_TITLE_CHARS] for b in buttons]
    row = [KeyboardButton(t) for t in titles if t]
    if not row:
        return None
    return ReplyKeyboardMarkup([row], resize_keyboard=True, one_time_keyboard=True)


def render(entry: Entry, keyboard_shown: bool = False) -> list[Outgoing]:
    """The Telegram messages for one transcript entry (none for customer entries)."""
    if entry.author is Author.CUSTOMER or not entry.text.strip():
        return []
    if entry.kind is Kind.RATING_REQUEST:
        return [Outgoing(RATE_CSAT_TEXT, rating_keyboard("c"))]
    if entry.data.get("ask") == ASK_UNDERSTOOD:
        return [Outgoing(entry.text, rating_keyboard("u"))]
    text = entry.text
    if entry.author is Author.AGENT and entry.agent_name:
        text = f"{entry.agent_name}: {text}"
    out = [Outgoing(part) for part in split_text(text)]
    keyboard = _reply_keyboard(entry.buttons) if entry.buttons else None
    if keyboard is not None:
        out[-1] = Outgoing(out[-1].text, keyboard, True)
    elif keyboard_shown:
        out[0] = Outgoing(out[0].text, ReplyKeyboardRemove(), False)
    return out
