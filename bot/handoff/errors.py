"""Typed errors of the handoff queue, and the one a script's refusal stands for
(``refusal``). A method that raises one has changed nothing."""

from __future__ import annotations

from typing import Any


class HandoffError(Exception):
    """Base class of every handoff error."""


class InvalidInput(HandoffError, ValueError):
    """An argument is malformed or out of range (bad id, rating 7, unknown flag...)."""


class UnknownTicket(HandoffError, LookupError):
    """No ticket exists for this conversation id."""

    def __init__(self, ticket_id: str) -> None:
        super().__init__(f"no handoff ticket for conversation {ticket_id!r}")
        self.ticket_id = ticket_id


class UnknownAgent(HandoffError, LookupError):
    """No agent is registered under this id."""

    def __init__(self, agent_id: str) -> None:
        super().__init__(f"no agent registered as {agent_id!r}")
        self.agent_id = agent_id


class InvalidState(HandoffError):
    """The ticket is not in a state that allows this operation."""

    def __init__(self, ticket_id: str, state: str, wanted: str) -> None:
        super().__init__(f"ticket {ticket_id!r} is {state}, needs to be {wanted}")
        self.ticket_id = ticket_id
        self.state = state
        self.wanted = wanted


class NotQueued(InvalidState):
    """Claim of a chat that is not waiting (already claimed, resolved...)."""


class AlreadyResolved(InvalidState):
    """Resolve (or another agent action) on a chat that is already resolved."""


class NotResolved(InvalidState):
    """Rating of a chat that is not resolved yet."""


class AlreadyRated(HandoffError):
    """This handoff already has a rating."""

    def __init__(self, ticket_id: str) -> None:
        super().__init__(f"ticket {ticket_id!r} is already rated")
        self.ticket_id = ticket_id


class StaleToken(HandoffError):
    """The fencing token is not the ticket's current claim (or its lease expired)."""

    def __init__(self, ticket_id: str, token: int, reason: str = "") -> None:
        detail = f": {reason}" if reason else ""
        super().__init__(f"token {token} for ticket {ticket_id!r} is stale{detail}")
        self.ticket_id = ticket_id
        self.token = token
        self.reason = reason


class AgentUnavailable(HandoffError):
    """The agent is away or offline, so cannot take chats."""

    def __init__(self, agent_id: str, status: str) -> None:
        super().__init__(f"agent {agent_id!r} is {status}")
        self.agent_id = agent_id
        self.status = status


class AtCapacity(HandoffError):
    """The agent already holds as many chats as their capacity."""

    def __init__(self, agent_id: str, capacity: int) -> None:
        super().__init__(f"agent {agent_id!r} is at capacity ({capacity} chats)")
        self.agent_id = agent_id
        self.capacity = capacity


class SkillMismatch(HandoffError):
    """The chat needs a skill the agent does not have."""

    def __init__(self, agent_id: str, skill: str) -> None:
        super().__init__(f"agent {agent_id!r} lacks the skill {skill!r}")
        self.agent_id = agent_id
        self.skill = skill


def refusal(
    reply: list[Any],
    *,
    ticket_id: str = "",
    agent_id: str = "",
    token: int = 0,
    wanted: str = "",
) -> HandoffError:
    """The typed error of a script's refusal ``{code, detail}``."""
    code = reply[0]
    detail = str(reply[1]) if len(reply) > 1 else ""
    match code:
        case "unknown_ticket":
            return UnknownTicket(ticket_id)
        case "unknown_agent":
            return UnknownAgent(agent_id)
        case "agent_unavailable":
            return AgentUnavailable(agent_id, detail)
        case "at_capacity":
            return AtCapacity(agent_id, int(detail))
        case "skill":
            return SkillMismatch(agent_id, detail)
        case "not_queued":
            return NotQueued(ticket_id, detail, "queued")
        case "resolved":
            return AlreadyResolved(ticket_id, "resolved", wanted)
        case "stale":
            return StaleToken(ticket_id, token, detail)
        case "not_resolved":
            return NotResolved(ticket_id, detail, "resolved")
        case "rated":
            return AlreadyRated(ticket_id)
        case "state":
            return InvalidState(ticket_id, detail, wanted)
        case "same_agent":
            return InvalidInput("transfer to the same agent")
    return HandoffError(f"unexpected reply {reply!r}")
