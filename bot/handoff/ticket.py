"""The ticket: one conversation's handoff record, and the parts it is made of.

A ``Ticket`` holds who is waiting (``Customer``), how they feel (``EmotionSnapshot``
and its timeline), why a person is needed (``HandoffRequest``), the agents' ``Note``s,
a ``FollowUp`` request and the customer's ``Rating``. It serialises to JSON
(``to_json`` / ``from_json``) and to the flat string hash it is stored as
(``to_fields`` / ``from_fields``); times are UNIX seconds (floats) in Python and
milliseconds in Redis.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from bot.handoff.flags import UrgencyFlag, stored_flags


class TicketState(StrEnum):
    """Where a conversation is: bot -> queued -> assigned -> resolved -> bot."""

    BOT = "bot"
    QUEUED = "queued"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"


class ContactMethod(StrEnum):
    """How a customer wants to be followed up."""

    CALLBACK = "callback"
    EMAIL = "email"


@dataclass(frozen=True)
class Customer:
    """Who is waiting."""

    id: str
    name: str = ""


@dataclass(frozen=True)
class EmotionSnapshot:
    """The emotion analysis of one customer message."""

    label: str = "neutral"
    intensity: float = 0.0  # 0-1
    frustration: int = 0  # 0-4
    at: float = 0.0  # UNIX seconds; 0 means "when stored"

    def problems(self) -> list[str]:
        """What is out of range (empty when valid)."""
        found = []
        if not self.label or len(self.label) > 40:
            found.append("emotion label must be 1-40 characters")
        if not (
            isinstance(self.intensity, int | float)
            and math.isfinite(self.intensity)
            and 0.0 <= self.intensity <= 1.0
        ):
            found.append("emotion intensity must be within 0-1")
        if not (
            isinstance(self.frustration, int)
            and not isinstance(self.frustration, bool)
            and 0 <= self.frustration <= 4
        ):
            found.append("frustration must be an integer 0-4")
        return found

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "label": self.label,
            "intensity": round(float(self.intensity), 4),
            "frustration": int(self.frustration),
            "at": round(float(self.at), 3),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EmotionSnapshot:
        """Inverse of ``to_dict``."""
        return cls(
            label=str(data.get("label", "neutral")),
            intensity=float(data.get("intensity", 0.0)),
            frustration=int(data.get("frustration", 0)),
            at=float(data.get("at", 0.0)),
        )


@dataclass(frozen=True)
class Note:
    """A private note an agent left on a ticket (never shown to the customer)."""

    agent_id: str
    text: str
    at: float


@dataclass(frozen=True)
class FollowUp:
    """A customer's request to be contacted later instead of waiting."""

    method: ContactMethod
    contact: str  # phone number or e-mail address
    preferred_time: str = ""  # free text ("after 5pm")
    note: str = ""
    at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {**asdict(self), "method": str(self.method)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FollowUp:
        """Inverse of ``to_dict``."""
        return cls(
            method=ContactMethod(data["method"]),
            contact=str(data["contact"]),
            preferred_time=str(data.get("preferred_time", "")),
            note=str(data.get("note", "")),
            at=float(data.get("at", 0.0)),
        )


@dataclass(frozen=True)
class Rating:
    """What the customer said after the chat."""

    csat: int  # 1-5
    understood: int  # 1-5: "did you feel understood?"
    effort: int | None = None  # 1-7: customer effort (CES), 7 the easiest
    recommend: int | None = None  # 0-10
    comment: str = ""
    at: float = 0.0

    def problems(self) -> list[str]:
        """What is out of range (empty when valid)."""

        def bad(value: object, low: int, high: int, optional: bool) -> bool:
            if value is None:
                return not optional
            return (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not low <= value <= high
            )

        found = []
        if bad(self.csat, 1, 5, False):
            found.append("csat must be 1-5")
        if bad(self.understood, 1, 5, False):
            found.append("understood must be 1-5")
        if bad(self.effort, 1, 7, True):
            found.append("effort must be 1-7")
        if bad(self.recommend, 0, 10, True):
            found.append("recommend must be 0-10")
        if len(self.comment) > 2000:
            found.append("comment must be at most 2000 characters")
        return found

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rating:
        """Inverse of ``dataclasses.asdict``."""
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass
class HandoffRequest:
    """What the bot knows when it hands a conversation to a person."""

    conversation_id: str
    channel: str
    customer: Customer
    emotion: EmotionSnapshot = field(default_factory=EmotionSnapshot)
    topic: str = ""  # the intent the customer came with
    reasons: list[str] = field(default_factory=list)  # escalation reason codes
    explanation: str = ""  # for the agent: why a person is needed
    tried: list[str] = field(default_factory=list)  # what the bot already tried
    slots: dict[str, Any] = field(default_factory=dict)
    flags: frozenset[UrgencyFlag] = frozenset()
    skill: str = ""  # a skill the agent must have (empty: anyone)
    timeline: list[EmotionSnapshot] = field(default_factory=list)  # earlier messages


def _opt_ms(value: float | None) -> str:
    return "" if value is None else str(round(value * 1000))


def _opt_s(value: str | None) -> float | None:
    return int(value) / 1000 if value else None


def _json_list(value: str | None) -> list[Any]:
    if not value:
        return []
    loaded = json.loads(value)
    return loaded if isinstance(loaded, list) else []  # Lua's cjson writes [] as {}


@dataclass
class Ticket:
    """One conversation's handoff: everything the agent needs, and where it is."""

    id: str  # the conversation id
    channel: str
    customer: Customer
    state: TicketState
    emotion: EmotionSnapshot
    timeline: list[EmotionSnapshot]
    flags: frozenset[UrgencyFlag]
    topic: str = ""
    reasons: list[str] = field(default_factory=list)
    explanation: str = ""
    tried: list[str] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    priority: float = 0.0  # base priority (without aging)
    skill: str = ""  # required skill
    agent_id: str | None = None
    token: int = 0  # fencing token of the current (or last) claim
    created_at: float | None = None
    queued_at: float | None = None
    assigned_at: float | None = None
    resolved_at: float | None = None
    reoffers: int = 0  # times returned to the queue (released or reaped)
    flagged: bool = False  # re-offered too often: a supervisor should look
    transfers: int = 0
    episode: int = 1  # handoff number within the conversation
    last_agent: str = ""  # not offered this agent again by claim_next
    resolution: str = ""
    notes: list[Note] = field(default_factory=list)
    follow_up: FollowUp | None = None
    rating: Rating | None = None

    def priority_at(self, now: float, aging_per_minute: float) -> float:
        """Effective priority at ``now``: base plus aging for the time waited."""
        waited = max(0.0, now - self.queued_at) if self.queued_at else 0.0
        return self.priority + aging_per_minute * waited / 60.0

    def waited(self) -> float | None:
        """Seconds from joining the queue to an agent's claim; None when not claimed
        (or the times disagree)."""
        if self.assigned_at and self.queued_at and self.assigned_at >= self.queued_at:
            return self.assigned_at - self.queued_at
        return None

    def is_intense(self, intensity: float, frustration: int) -> bool:
        """Whether this chat counts as intense for an agent's emotional load."""
        return (
            self.emotion.intensity >= intensity
            or self.emotion.frustration >= frustration
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "id": self.id,
            "channel": self.channel,
            "customer": asdict(self.customer),
            "state": str(self.state),
            "emotion": self.emotion.to_dict(),
            "timeline": [s.to_dict() for s in self.timeline],
            "flags": sorted(str(f) for f in self.flags),
            "topic": self.topic,
            "reasons": list(self.reasons),
            "explanation": self.explanation,
            "tried": list(self.tried),
            "slots": dict(self.slots),
            "priority": self.priority,
            "skill": self.skill,
            "agent_id": self.agent_id,
            "token": self.token,
            "created_at": self.created_at,
            "queued_at": self.queued_at,
            "assigned_at": self.assigned_at,
            "resolved_at": self.resolved_at,
            "reoffers": self.reoffers,
            "flagged": self.flagged,
            "transfers": self.transfers,
            "episode": self.episode,
            "last_agent": self.last_agent,
            "resolution": self.resolution,
            "notes": [asdict(n) for n in self.notes],
            "follow_up": self.follow_up.to_dict() if self.follow_up else None,
            "rating": asdict(self.rating) if self.rating else None,
        }

    def to_json(self) -> str:
        """The ticket as one JSON object."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Ticket:
        """Inverse of ``to_dict``."""
        return cls(
            id=data["id"],
            channel=data["channel"],
            customer=Customer(**data["customer"]),
            state=TicketState(data["state"]),
            emotion=EmotionSnapshot.from_dict(data["emotion"]),
            timeline=[EmotionSnapshot.from_dict(s) for s in data["timeline"]],
            flags=stored_flags(data["flags"]),
            topic=data["topic"],
            reasons=list(data["reasons"]),
            explanation=data["explanation"],
            tried=list(data["tried"]),
            slots=dict(data["slots"]),
            priority=float(data["priority"]),
            skill=data["skill"],
            agent_id=data["agent_id"],
            token=int(data["token"]),
            created_at=data["created_at"],
            queued_at=data["queued_at"],
            assigned_at=data["assigned_at"],
            resolved_at=data["resolved_at"],
            reoffers=int(data["reoffers"]),
            flagged=bool(data["flagged"]),
            transfers=int(data["transfers"]),
            episode=int(data["episode"]),
            last_agent=data["last_agent"],
            resolution=data["resolution"],
            notes=[Note(**n) for n in data["notes"]],
            follow_up=FollowUp.from_dict(data["follow_up"])
            if data["follow_up"]
            else None,
            rating=Rating.from_dict(data["rating"]) if data["rating"] else None,
        )

    @classmethod
    def from_json(cls, text: str) -> Ticket:
        """Inverse of ``to_json``."""
        return cls.from_dict(json.loads(text))

    def to_fields(self) -> dict[str, str]:
        """The Redis hash this ticket is stored as (every value a string)."""
        return {
            "id": self.id,
            "channel": self.channel,
            "customer_id": self.customer.id,
            "customer_name": self.customer.name,
            "state": str(self.state),
            "label": self.emotion.label,
            "intensity": repr(float(self.emotion.intensity)),
            "frustration": str(int(self.emotion.frustration)),
            "emotion_at": _opt_ms(self.emotion.at),
            "timeline": json.dumps([s.to_dict() for s in self.timeline]),
            "flags": ",".join(sorted(str(f) for f in self.flags)),
            "topic": self.topic,
            "reasons": json.dumps(self.reasons, ensure_ascii=False),
            "explanation": self.explanation,
            "tried": json.dumps(self.tried, ensure_ascii=False),
            "slots": json.dumps(self.slots, ensure_ascii=False, default=str),
            "priority": repr(float(self.priority)),
            "skill": self.skill,
            "agent": self.agent_id or "",
            "token": str(self.token),
            "created_at": _opt_ms(self.created_at),
            "queued_at": _opt_ms(self.queued_at),
            "assigned_at": _opt_ms(self.assigned_at),
            "resolved_at": _opt_ms(self.resolved_at),
            "reoffers": str(self.reoffers),
            "flagged": "1" if self.flagged else "0",
            "transfers": str(self.transfers),
            "episode": str(self.episode),
            "last_agent": self.last_agent,
            "resolution": self.resolution,
            "notes": json.dumps([asdict(n) for n in self.notes], ensure_ascii=False),
            "follow_up": json.dumps(self.follow_up.to_dict()) if self.follow_up else "",
            "rating": json.dumps(asdict(self.rating)) if self.rating else "",
        }

    @classmethod
    def from_fields(cls, f: dict[str, str]) -> Ticket:
        """Inverse of ``to_fields`` (missing fields take their defaults)."""
        notes = [
            Note(agent_id=n["agent_id"], text=n["text"], at=float(n["at"]))
            for n in _json_list(f.get("notes"))
        ]
        slots = json.loads(f["slots"]) if f.get("slots") else {}
        return cls(
            id=f["id"],
            channel=f.get("channel", ""),
            customer=Customer(f.get("customer_id", ""), f.get("customer_name", "")),
            state=TicketState(f.get("state", TicketState.BOT)),
            emotion=EmotionSnapshot(
                label=f.get("label", "neutral"),
                intensity=float(f.get("intensity") or 0.0),
                frustration=int(f.get("frustration") or 0),
                at=_opt_s(f.get("emotion_at")) or 0.0,
            ),
            timeline=[
                EmotionSnapshot.from_dict(s) for s in _json_list(f.get("timeline"))
            ],
            flags=stored_flags(x for x in f.get("flags", "").split(",") if x),
            topic=f.get("topic", ""),
            reasons=[str(r) for r in _json_list(f.get("reasons"))],
            explanation=f.get("explanation", ""),
            tried=[str(t) for t in _json_list(f.get("tried"))],
            slots=slots if isinstance(slots, dict) else {},
            priority=float(f.get("priority") or 0.0),
            skill=f.get("skill", ""),
            agent_id=f.get("agent") or None,
            token=int(f.get("token") or 0),
            created_at=_opt_s(f.get("created_at")),
            queued_at=_opt_s(f.get("queued_at")),
            assigned_at=_opt_s(f.get("assigned_at")),
            resolved_at=_opt_s(f.get("resolved_at")),
            reoffers=int(f.get("reoffers") or 0),
            flagged=f.get("flagged") == "1",
            transfers=int(f.get("transfers") or 0),
            episode=int(f.get("episode") or 1),
            last_agent=f.get("last_agent", ""),
            resolution=f.get("resolution", ""),
            notes=notes,
            follow_up=FollowUp.from_dict(json.loads(f["follow_up"]))
            if f.get("follow_up")
            else None,
            rating=Rating.from_dict(json.loads(f["rating"]))
            if f.get("rating")
            else None,
        )
