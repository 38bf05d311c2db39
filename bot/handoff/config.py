"""Configuration of the handoff queue (data/handoff.yml): priority weights, agent
timings, emotional-load balancing and business hours."""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.handoff.flags import UrgencyFlag

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "handoff.yml"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def written_in(template: str, moment: float, zone_name: str) -> str:
    """``moment`` (UNIX s) written by a language's ``template`` ("am {day}.{month}.
    um {time} Uhr ({zone})", languages.yml ``opens``) in the time zone ``zone_name``
    (UTC when it is unknown)."""
    try:
        zone: dt.tzinfo = ZoneInfo(zone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone, zone_name = dt.UTC, "UTC"
    local = dt.datetime.fromtimestamp(moment, zone)
    return template.format(
        day=f"{local.day:02d}",
        month=f"{local.month:02d}",
        time=f"{local:%H:%M}",
        zone=(zone_name or "UTC").rsplit("/", 1)[-1].replace("_", " "),
    )


@dataclass(frozen=True)
class BusinessHours:
    """Opening hours per weekday in one time zone, and closed dates."""

    timezone: str = "UTC"
    days: dict[int, tuple[dt.time, dt.time]] = field(default_factory=dict)
    closed_dates: frozenset[dt.date] = frozenset()
    always_open: bool = False

    def _zone(self) -> dt.tzinfo:
        try:
            return ZoneInfo(self.timezone)
        except ZoneInfoNotFoundError:
            log.warning("Time zone %s unknown; using UTC", self.timezone)
            return dt.UTC

    def _shift(self, day: dt.date) -> tuple[dt.time, dt.time] | None:
        """The span that starts on ``day``, unless that day is closed."""
        return None if day in self.closed_dates else self.days.get(day.weekday())

    def is_open(self, now: float) -> bool:
        """Whether ``now`` (UNIX seconds) is within business hours. A span whose
        closing time is not after its opening time runs past midnight (a night
        shift, ["22:00", "06:00"]; ["00:00", "00:00"] is the whole day)."""
        if self.always_open:
            return True
        local = dt.datetime.fromtimestamp(now, self._zone())
        t = local.time()
        today = self._shift(local.date())
        if today is not None:
            opens, closes = today
            if opens <= t and (t < closes or closes <= opens):
                return True
        yesterday = self._shift(local.date() - dt.timedelta(days=1))
        return (
            yesterday is not None and yesterday[1] <= yesterday[0] and t < yesterday[1]
        )

    def next_open(self, now: float) -> float | None:
        """When hours start next after ``now`` (``now`` itself when open)."""
        if self.is_open(now):
            return now
        zone = self._zone()
        local = dt.datetime.fromtimestamp(now, zone)
        for offset in range(0, 15):
            day = local.date() + dt.timedelta(days=offset)
            hours = self._shift(day)
            if hours is None:
                continue
            start = dt.datetime.combine(day, hours[0], tzinfo=zone)
            if start > local:
                return start.timestamp()
        return None

    def written(self, template: str, moment: float) -> str:
        """``moment`` written by another language's ``template``, in the hours'
        time zone (``written_in``)."""
        return written_in(template, moment, self.timezone)

    def describe(self, moment: float, now: float) -> str:
        """``moment`` as a customer reads it, from ``now``: "today at 08:00",
        "tomorrow at 08:00", "on Monday at 10:00", "on 2 January at 08:00", in the
        hours' own time zone, which is named unless it is UTC."""
        zone = self._zone()
        local = dt.datetime.fromtimestamp(moment, zone)
        days = (local.date() - dt.datetime.fromtimestamp(now, zone).date()).days
        if days <= 0:
            day = "today"
        elif days == 1:
            day = "tomorrow"
        elif days < 7:
            day = f"on {local:%A}"
        else:
            day = f"on {local.day} {local:%B}"
        city = str(zone).rsplit("/", 1)[-1].replace("_", " ")
        clock = f"{local:%H:%M}" + ("" if city == "UTC" else f" {city} time")
        return f"{day} at {clock}"


@dataclass(frozen=True)
class HandoffConfig:
    """Every tunable number of the queue; defaults match data/handoff.yml."""

    intensity_weight: float = 40.0
    frustration_weight: float = 40.0
    flag_weights: dict[UrgencyFlag, float] = field(
        default_factory=lambda: {
            UrgencyFlag.DISTRESS: 80.0,
            UrgencyFlag.LEGAL_THREAT: 40.0,
            UrgencyFlag.VIP: 30.0,
            UrgencyFlag.CHURN_THREAT: 15.0,
            UrgencyFlag.SAFETY: 80.0,
            UrgencyFlag.PERSONAL_SAFETY: 80.0,
            UrgencyFlag.BEREAVEMENT: 60.0,
            UrgencyFlag.FRAUD: 60.0,
            UrgencyFlag.HEALTH: 50.0,
            UrgencyFlag.HARDSHIP: 50.0,
            UrgencyFlag.VULNERABLE: 50.0,
        }
    )
    aging_per_minute: float = 4.0
    presence_ttl: float = 30.0
    lease: float = 30.0
    max_reoffers: int = 3
    default_capacity: int = 3
    specialist_skill: str = "deescalation"
    intense_intensity: float = 0.7
    intense_frustration: int = 3
    load_window: float = 3600.0
    max_recent_intense: int = 3
    break_after: int = 3
    break_minutes: int = 10
    candidates: int = 20
    queue_timeout: float = 900.0
    default_handle_time: float = 420.0
    auto_assign: bool = False
    auto_assign_after: float = 3.0
    hours: BusinessHours = field(
        default_factory=lambda: BusinessHours(always_open=True)
    )

    def weights(self) -> dict[str, Any]:
        """The priority weights as the Lua scripts read them."""
        return {
            "intensity": self.intensity_weight,
            "frustration": self.frustration_weight,
            "flags": {str(k): v for k, v in self.flag_weights.items()},
        }


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(str(text))


def _hours(raw: dict[str, Any] | None) -> BusinessHours:
    if not raw:
        return BusinessHours(always_open=True)
    days: dict[int, tuple[dt.time, dt.time]] = {}
    for name, span in (raw.get("days") or {}).items():
        if name not in DAYS or not isinstance(span, list) or len(span) != 2:
            raise ValueError(f"business_hours.days.{name}: need [opens, closes]")
        days[DAYS.index(name)] = (_time(span[0]), _time(span[1]))
    return BusinessHours(
        timezone=str(raw.get("timezone", "UTC")),
        days=days,
        closed_dates=frozenset(
            dt.date.fromisoformat(str(d)) for d in raw.get("closed_dates") or []
        ),
    )


def config_path() -> Path:
    """The file named by HANDOFF_CONFIG, else data/handoff.yml."""
    return Path(os.environ.get("HANDOFF_CONFIG") or DEFAULT_PATH)


# Where data/handoff.yml keeps each number of HandoffConfig (a missing one keeps
# its default; one that is there is read as the type of the default)
IN_FILE = {
    "intensity_weight": ("priority", "weights", "intensity"),
    "frustration_weight": ("priority", "weights", "frustration"),
    "aging_per_minute": ("priority", "aging_per_minute"),
    "presence_ttl": ("agents", "presence_ttl"),
    "lease": ("agents", "lease"),
    "max_reoffers": ("agents", "max_reoffers"),
    "default_capacity": ("agents", "default_capacity"),
    "specialist_skill": ("agents", "specialist_skill"),
    "intense_intensity": ("agents", "emotional_load", "intense_intensity"),
    "intense_frustration": ("agents", "emotional_load", "intense_frustration"),
    "load_window": ("agents", "emotional_load", "window"),
    "max_recent_intense": ("agents", "emotional_load", "max_recent"),
    "break_after": ("agents", "emotional_load", "break_after"),
    "break_minutes": ("agents", "emotional_load", "break_minutes"),
    "candidates": ("queue", "candidates"),
    "queue_timeout": ("queue", "timeout"),
    "default_handle_time": ("queue", "default_handle_time"),
    "auto_assign": ("queue", "auto_assign"),
    "auto_assign_after": ("queue", "auto_assign_after"),
}


def load_config(path: Path | str | None = None) -> HandoffConfig:
    """Read ``path`` (default: ``config_path()``); missing entries keep their
    defaults."""
    path = path or config_path()
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    base = HandoffConfig()
    values: dict[str, Any] = {}
    for name, (*sections, key) in IN_FILE.items():
        entries = raw
        for section in sections:
            entries = entries.get(section) or {}
        if key in entries:
            values[name] = type(getattr(base, name))(entries[key])
    prio = raw.get("priority") or {}
    flags = {UrgencyFlag(k): float(v) for k, v in (prio.get("flags") or {}).items()}
    config = replace(
        base,
        **values,
        flag_weights=flags or base.flag_weights,
        hours=_hours(raw.get("business_hours")),
    )
    if config.lease <= 0 or config.presence_ttl <= 0 or config.candidates < 1:
        raise ValueError("lease, presence_ttl and candidates must be positive")
    return config
