"""What a transcript entry looks like on Telegram: plain text (no parse mode, so nothing
anyone typed becomes markup) in parts of at most 4096 UTF-16 units, cut at a
paragraph, line, sentence or word; quick-reply buttons as a reply keyboard; a
survey (``rating_request``, bot/surveys.py) as its first question with inline number
buttons, then (bot/telegram_survey.py) each next question the same way, and the
comment with a button to skip it. Sending it, once and in order, is
bot/telegram_outbox.py.
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

ASK = "ask"  # Entry.data["ask"]: the next survey question, with its "question"
# a question's id on a button ("rate:<survey number>:<code>:<value>", 64 bytes at most)
QUESTION_CODES = {"csat": "c", "understood": "u", "effort": "e", "recommend": "n"}
QUESTION_IDS = {code: qid for qid, code in QUESTION_CODES.items()}
RATING_DATA = re.compile(r"^rate:(\d{1,9}):([cuen]):(\d{1,2})$")
SKIP_DATA = re.compile(r"^rate:(\d{1,9}):skip$")  # the comment skipped
BUTTONS_PER_ROW = 6


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


def rating_keyboard(survey: int, question: dict[str, Any]) -> InlineKeyboardMarkup:
    """Inline number buttons for one survey question (its scale, rows of six)."""
    code = QUESTION_CODES[str(question["id"])]
    values = list(range(int(question["min"]), int(question["max"]) + 1))
    rows = [
        values[i : i + BUTTONS_PER_ROW] for i in range(0, len(values), BUTTONS_PER_ROW)
    ]
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(str(n), callback_data=f"rate:{survey}:{code}:{n}")
                for n in row
            ]
            for row in rows
        ]
    )


def skip_keyboard(survey: int, question: dict[str, Any]) -> InlineKeyboardMarkup:
    """One inline button that skips the comment (the customer may write it)."""
    title = str(question.get("skip") or "Skip")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(title, callback_data=f"rate:{survey}:skip")]]
    )


def question_text(question: dict[str, Any]) -> str:
    """A survey question with what its ends mean ("1 = Very unhappy, 5 = ...")."""
    ends = question.get("ends")
    if not ends:
        return str(question["text"])
    low, high = question["min"], question["max"]
    return f"{question['text']} ({low} = {ends[0]}, {high} = {ends[1]})"


def first_question(entry: Entry) -> dict[str, Any] | None:
    """The first question of a survey Telegram can ask (a number to tap)."""
    return next(
        (
            q
            for q in entry.data.get("questions", [])
            if isinstance(q, dict) and q.get("id") in QUESTION_CODES
        ),
        None,
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
    survey = entry.data.get("survey")
    if entry.kind is Kind.RATING_REQUEST and isinstance(survey, int):
        first = first_question(entry)
        if first is not None:
            text = f"{entry.text}\n\n{question_text(first)}"
            return [Outgoing(text, rating_keyboard(survey, first))]
    question = entry.data.get(ASK)
    if isinstance(question, dict) and isinstance(survey, int):
        if question.get("id") not in QUESTION_CODES:  # the comment: words or skip
            return [Outgoing(entry.text, skip_keyboard(survey, question))]
        return [Outgoing(entry.text, rating_keyboard(survey, question))]
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
