"""Business hours that are closed whenever a test runs (for the "closed" paths)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.handoff.config import DAYS


def closed_for_days(path: Path) -> str:
    """Write a handoff config to ``path`` that is open for one minute, five days from
    today (Berlin time), whatever the time of the run; returns how a customer is told
    when the team is back."""
    opens = dt.datetime.now(ZoneInfo("Europe/Berlin")) - dt.timedelta(days=2)
    path.write_text(
        "business_hours:\n  timezone: Europe/Berlin\n"
        f"  days:\n    {DAYS[opens.weekday()]}: ['07:30', '07:31']\n",
        encoding="utf-8",
    )
    return f"on {opens:%A} at 07:30 Berlin time"
