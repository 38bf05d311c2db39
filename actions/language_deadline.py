"""The day a customer writing in another language needs their order by, and whether
its expected day is in time ("j'en ai besoin dimanche", "mi serve entro giovedì"):
the language's ``deadline`` in data/replies/languages.yml (the weekdays, Monday
first; the word for tomorrow; the words that say it is needed by then; the sentence
for each side), compared like the English deadline (actions/order_checks.py)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SIDES = ("after", "same_day", "before")


@dataclass(frozen=True)
class Deadline:
    """One language's words for the day something is needed by."""

    days: tuple[re.Pattern[str], ...]  # Monday first
    tomorrow: re.Pattern[str]
    need: re.Pattern[str]  # "brauche", "entro", "avant": it is needed by then
    texts: Mapping[str, str]  # SIDES -> the sentence, with {deadline}

    @classmethod
    def of(cls, entry: Mapping[str, Any] | None) -> Deadline | None:
        """The ``deadline`` of a language's entry; None when it has none; a clear
        error when it lacks a weekday or a side's sentence."""
        if not entry:
            return None
        days = tuple(re.compile(rf"\b(?:{d})\b") for d in entry["days"])
        missing = [s for s in SIDES if s not in entry]
        if len(days) != 7 or missing:
            raise ValueError(f"a deadline needs 7 days and {SIDES}: {dict(entry)!r}")
        return cls(
            days=days,
            tomorrow=re.compile(rf"\b(?:{entry['tomorrow']})\b"),
            need=re.compile(rf"\b(?:{entry['need']})\b"),
            texts={s: str(entry[s]) for s in SIDES},
        )

    def day(self, lower: str, today: dt.date) -> dt.date | None:
        """The day ``lower`` says something is needed by, counted from ``today``
        (a weekday named is the next one after today); None when it names none or
        says nothing of needing it then."""
        if not self.need.search(lower):
            return None
        if self.tomorrow.search(lower):
            return today + dt.timedelta(days=1)
        for weekday, pattern in enumerate(self.days):
            if pattern.search(lower):
                ahead = (weekday - today.weekday()) % 7 or 7
                return today + dt.timedelta(days=ahead)
        return None

    def said(self, lower: str, found: Mapping[str, Any], date: str) -> str:
        """The sentence that compares the order's expected day (``found``: its
        template values, with ``due`` and ``as_of``) with the day ``lower`` needs it
        by, the day written with ``date`` ({day}, {month}); "" when the order is not
        on its way or being prepared, is late, or no day is named."""
        if found.get("status") not in ("shipped", "processing") or found.get("late"):
            return ""
        due, today = found.get("due"), found.get("as_of")
        if not due or not today:
            return ""
        needed = self.day(lower, dt.date.fromisoformat(str(today)))
        if needed is None:
            return ""
        expected = dt.date.fromisoformat(str(due))
        side = (
            "after"
            if expected > needed
            else "same_day"
            if expected == needed
            else "before"
        )
        written = date.format(day=f"{needed.day:02d}", month=f"{needed.month:02d}")
        return self.texts[side].format(deadline=written)
