"""Records of the handoff queue besides the ticket: agents, what the queue's
operations return (enqueue, claim, heartbeat, resolve, reap, reconcile), and the
entries of its event stream.

The ticket and its parts are in ticket.py, the waiting line in line.py. Plain
dataclasses and ``StrEnum``s; times are UNIX seconds (floats).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.handoff.line import QueuePosition
from bot.handoff.ticket import Ticket


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
