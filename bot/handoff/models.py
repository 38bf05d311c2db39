"""Records of the handoff queue: tickets, agents, claims, ratings, events.

Plain dataclasses and ``StrEnum``s. A ``Ticket`` serialises to JSON (``to_json`` /
``from_json``) and to the flat string hash it is stored as (``to_fields`` /
``from_fields``); times are UNIX seconds (floats) in Python and milliseconds in Redis.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from bot.handoff.flags import UrgencyFlag


class TicketState(StrEnum):
    """Where a conversation is: bot -> queued -> assigned -> resolved -> bot."""

    BOT = "bot"
    QUEUED = "queued"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"


class Presence(StrEnum):
    """An agent's presence; offline also when the heartbeat TTL ran out."""

    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


class Availability(StrEnum):
    """Whether a person can be expected soon, for the bot's honest message."""

    OPEN = "open"
    NO_AGENT_ONLINE = "no_agent_online"
    CLOSED = "closed"


class ContactMethod(StrEnum):
    """How a customer wants to be followed up."""

    CALLBACK = "callback"
    EMAIL = "email"


class EventType(StrEnum):
    """Kinds of entries in the event stream."""

    ENQUEUED = "enqueued"
    RESCORED = "rescored"
    CLAIMED = "claimed"
    RELEASED = "released"
    TRANSFERRED = "transferred"
    RESOLVED = "resolved"
    REAPED = "reaped"
    FLAGGED = "flagged"
    RATED = "rated"
    NOTE = "note"
    FOLLOW_UP = "follow_up"
    PRESENCE = "presence"
    AGENT = "agent"
    RECONCILED = "reconciled"


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
    effort: int | None = None  # 1-5
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
        if bad(self.effort, 1, 5, True):
            found.append("effort must be 1-5")
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
            flags=frozenset(UrgencyFlag(f) for f in data["flags"]),
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
            flags=frozenset(UrgencyFlag(x) for x in f.get("flags", "").split(",") if x),
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


@dataclass(frozen=True)
class Agent:
    """A person who answers chats."""

    id: str
    name: str = ""
    capacity: int = 3  # concurrent chats
    skills: frozenset[str] = frozenset()
    auto_assign: bool = False  # auto_assign() may hand this agent chats


@dataclass(frozen=True)
class AgentView:
    """An agent as a console or supervisor sees them."""

    agent: Agent
    status: Presence
    chats: tuple[str, ...]  # ticket ids held now
    recent_intense: int  # intense chats claimed within the load window
    intense_run: int  # intense chats claimed in a row
    break_suggested: bool
    seen_until: float | None  # presence expiry (UNIX seconds)

    @property
    def free(self) -> int:
        """Chats the agent can still take (0 unless online)."""
        if self.status is not Presence.ONLINE:
            return 0
        return max(0, self.agent.capacity - len(self.chats))


def expected_wait(
    position: int, free_slots: int, capacity: int, handle_time: float
) -> float | None:
    """Seconds until a customer at ``position`` (1 = next) gets an agent.

    Free slots take the first customers at once; after that a slot frees every
    (handling time / online capacity) seconds. None when nobody is online.
    """
    if capacity <= 0:
        return None
    if position <= free_slots:
        return 0.0
    return (position - free_slots) * handle_time / capacity


@dataclass(frozen=True)
class QueuePosition:
    """Where a waiting customer stands.

    ``version``: the id of the newest entry of the event stream when this was read
    (every change of the queue appends one in the same script), so two reads can be
    told apart by which saw the later queue; "" when unknown.
    """

    state: TicketState
    position: int | None  # 1 = next; None unless queued
    waiting: int  # chats waiting in total
    agents_online: int
    expected_wait: float | None  # seconds; None when no estimate is possible
    version: str = ""

    @property
    def place(self) -> Place | None:
        """What a waiting customer is shown of this; None unless queued."""
        if self.position is None:
            return None
        return Place(self.position, self.expected_wait, self.agents_online)


@dataclass(frozen=True)
class Place:
    """What a waiting customer is shown of the line: their place (1 = next), the
    expected wait in seconds (None without an estimate) and the agents online."""

    position: int
    expected_wait: float | None
    agents_online: int


@dataclass(frozen=True)
class Line:
    """The whole waiting line at one moment, read in one step (``HandoffQueue.line``).

    ``version`` is the id of the newest event in the stream at that moment, as in
    ``QueuePosition``; ``ids`` the waiting chats, best first. Everyone's place comes
    from the one read: ``place`` is a dictionary lookup.
    """

    version: str
    ids: tuple[str, ...]
    agents_online: int
    capacity: int  # chats the online agents can hold together
    free_slots: int  # of those, not taken
    handle_time: float  # seconds, the median of recent chats (or the default)
    _rank: dict[str, int] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._rank.update((ticket_id, i) for i, ticket_id in enumerate(self.ids))

    @classmethod
    def empty(cls) -> Line:
        """The line before anything was read: nobody in it, the oldest version."""
        return cls("0-0", (), 0, 0, 0, 0.0)

    def __contains__(self, ticket_id: object) -> bool:
        return ticket_id in self._rank

    def __len__(self) -> int:
        return len(self.ids)

    def place(self, ticket_id: str) -> Place | None:
        """The chat's place in this line; None when it is not waiting."""
        rank = self._rank.get(ticket_id)
        if rank is None:
            return None
        position = rank + 1
        wait = expected_wait(position, self.free_slots, self.capacity, self.handle_time)
        return Place(position, wait, self.agents_online)


@dataclass(frozen=True)
class EnqueueResult:
    """What enqueue did, and what the bot can honestly tell the customer."""

    ticket: Ticket
    created: bool  # False: the conversation was already queued or assigned
    position: QueuePosition
    availability: Availability
    next_open: float | None  # when business hours start next (UNIX s), if closed

    @property
    def offer_follow_up(self) -> bool:
        """Whether the bot should offer a callback or e-mail instead of waiting."""
        return self.availability is not Availability.OPEN


@dataclass(frozen=True)
class Claim:
    """A chat an agent now holds, with the fencing token every reply must carry."""

    ticket: Ticket
    token: int
    lease_expires_at: float
    break_suggested: bool = False


@dataclass(frozen=True)
class Heartbeat:
    """What a heartbeat renewed."""

    agent_id: str
    status: Presence
    renewed: tuple[str, ...]  # tickets whose lease was extended
    lost: tuple[str, ...]  # tickets whose lease had already expired (being reaped)
    seen_until: float


@dataclass(frozen=True)
class Resolved:
    """A resolved chat, and whether its agent should take a short break."""

    ticket: Ticket
    break_suggested: bool
    break_minutes: int


@dataclass(frozen=True)
class Reaped:
    """A chat returned to the queue because its agent vanished."""

    ticket_id: str
    agent_id: str
    reoffers: int
    flagged: bool
    token: int = 0  # the fencing token of the claim that ended


@dataclass(frozen=True)
class ReconcileReport:
    """What reconcile found and fixed."""

    tickets: int  # ticket hashes scanned
    queued: int
    assigned: int
    added: int  # index entries that were missing
    removed: int  # index entries that pointed at nothing or the wrong state


@dataclass(frozen=True)
class Event:
    """One entry of the event stream."""

    id: str
    type: EventType
    ticket_id: str
    agent_id: str
    token: int
    state: str
    at: float
    data: dict[str, Any]
