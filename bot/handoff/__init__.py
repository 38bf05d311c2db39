"""Human handoff: a Redis-backed queue of conversations waiting for a person.

``HandoffQueue`` (queue.py) owns every state change, as atomic Lua scripts
(scripts/) on the keys of keys.py; its parts (customers.py, agents.py, claims.py,
housekeeping.py, reading.py) share one runner (runner.py). Records: the ticket and its
parts in ticket.py, the waiting line in line.py, agents, results and events in
models.py; typed errors in errors.py, argument checks in checks.py, the tunables
(data/handoff.yml) in config.py. No web framework, no Rasa.
"""

from bot.handoff.config import BusinessHours, HandoffConfig, load_config
from bot.handoff.errors import (
    AgentUnavailable,
    AlreadyRated,
    AlreadyResolved,
    AtCapacity,
    HandoffError,
    InvalidInput,
    InvalidState,
    NotQueued,
    NotResolved,
    SkillMismatch,
    StaleToken,
    UnknownAgent,
    UnknownTicket,
)
from bot.handoff.flags import REASON_FLAGS, UrgencyFlag, urgency_flags
from bot.handoff.line import Line, Place, QueuePosition, expected_wait
from bot.handoff.models import (
    Agent,
    AgentView,
    Availability,
    Claim,
    EnqueueResult,
    Event,
    EventType,
    Heartbeat,
    Presence,
    Reaped,
    ReconcileReport,
    Resolved,
)
from bot.handoff.queue import HandoffQueue
from bot.handoff.ticket import (
    ContactMethod,
    Customer,
    EmotionSnapshot,
    FollowUp,
    HandoffRequest,
    Note,
    Rating,
    Ticket,
    TicketState,
)

__all__ = [
    "Agent",
    "AgentUnavailable",
    "AgentView",
    "AlreadyRated",
    "AlreadyResolved",
    "AtCapacity",
    "Availability",
    "BusinessHours",
    "Claim",
    "ContactMethod",
    "Customer",
    "EmotionSnapshot",
    "EnqueueResult",
    "Event",
    "EventType",
    "FollowUp",
    "HandoffConfig",
    "HandoffError",
    "HandoffQueue",
    "HandoffRequest",
    "Heartbeat",
    "InvalidInput",
    "InvalidState",
    "Line",
    "Note",
    "NotQueued",
    "NotResolved",
    "Place",
    "Presence",
    "QueuePosition",
    "Rating",
    "Reaped",
    "ReconcileReport",
    "Resolved",
    "SkillMismatch",
    "StaleToken",
    "Ticket",
    "TicketState",
    "UnknownAgent",
    "UnknownTicket",
    "REASON_FLAGS",
    "UrgencyFlag",
    "expected_wait",
    "load_config",
    "urgency_flags",
]
