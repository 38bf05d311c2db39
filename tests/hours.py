"""Business hours that are closed whenever a test runs (for the "closed" paths)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.handoff.config import DAYS


def closed_for_days(path: Path, now: float | None = None) -> str:
    """Write a handoff config to ``path`` that is open for one minute, five days from
    today (Berlin time), whatever the time of the run; returns how a customer is told
    when the team is back. ``now``: the UNIX time of the clock the queue runs on (a
    test's fake clock: its day, not the real one, decides which day is five days
    ahead; else the two days drift apart and the day reads as a date)."""
    berlin = ZoneInfo("Europe/Berlin")
    today = (
        dt.datetime.now(berlin)
        if now is None
        else dt.datetime.fromtimestamp(now, berlin)
    )
    opens = today - dt.timedelta(days=2)
    path.write_text(
        "business_hours:\n  timezone: Europe/Berlin\n"
        f"  days:\n    {DAYS[opens.weekday()]}: ['07:30', '07:31']\n",
        encoding="utf-8",
    )
    return f"on {opens:%A} at 07:30 Berlin time"
