"""The reply library learns: agent replies from highly rated chats, approved by a
supervisor, join the suggestions.

An agent (who handled the chat) or a supervisor proposes one of the agent replies of a
resolved chat that the customer rated 4 or 5 on both scales. The reply is generalised
(the customer's first name, the order and invoice numbers and the agent's name become
placeholders) and stored as a proposal, tagged with the chat's emotion and topic. A
supervisor approves it (it is suggested from then on) or rejects it. Both lists are
Redis hashes of JSON records (``{es}:assist:proposed``, ``{es}:assist:approved``).
After the retention period (RETENTION_DAYS) a proposal nobody decided on is deleted,
and an approved reply forgets the conversation it came from (a Telegram chat id).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, replace
from typing import Any

from bot.console.assist import Library, Reply, first_name
from bot.handoff import Ticket, TicketState
from bot.handoff.keys import DEFAULT_RETENTION_S
from bot.rediskeys import AppKeys

MIN_RATING = 4
MAX_APPROVED = 500


class ProposalError(ValueError):
    """A reply that cannot be proposed (the message says why)."""


def generalise(text: str, values: dict[str, str]) -> str:
    """The reply with chat-specific values turned into placeholders."""
    out = text.replace("{", "{{").replace("}", "}}")
    for field in ("order_id", "invoice_id", "name", "agent"):
        value = values.get(field, "")
        if len(value) >= 2:
            pattern = re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)")
            out = pattern.sub("{" + field + "}", out)
    return out


@dataclass(frozen=True)
class Proposal:
    """A reply proposed for the library."""

    id: str
    text: str
    emotion: str
    topic: str
    conversation: str
    proposed_by: str
    csat: int
    understood: int
    at: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dict(self.__dict__)

    def reply(self, lib: Library) -> Reply:
        """The proposal as a library reply."""
        group = lib.group_of(self.topic)
        return Reply(
            id="learned-" + self.id,
            text=self.text,
            situation=self.topic.replace("_", " "),
            emotions=frozenset({self.emotion}),
            topics=frozenset({group or "any"}),
        )


def check_rated(ticket: Ticket) -> tuple[int, int]:
    """The chat's ratings, or ProposalError unless both are 4 or 5."""
    rating = ticket.rating
    if ticket.state is not TicketState.RESOLVED or rating is None:
        raise ProposalError("only replies from resolved, rated chats can be proposed")
    if rating.csat < MIN_RATING or rating.understood < MIN_RATING:
        raise ProposalError("only replies from chats rated 4 or 5 can be proposed")
    return rating.csat, rating.understood


class Proposals:
    """Proposed and approved replies of one deployment."""

    def __init__(
        self, client: Any, keys: AppKeys, *, retention_s: int = DEFAULT_RETENTION_S
    ) -> None:
        self.redis = client
        self.keys = keys
        self.retention_s = retention_s

    async def propose(
        self, ticket: Ticket, text: str, agent_name: str, proposed_by: str
    ) -> Proposal:
        """Store a generalised agent reply of a highly rated chat."""
        csat, understood = check_rated(ticket)
        values = {
            "name": first_name(ticket.customer.name),
            "order_id": str(ticket.slots.get("order_id") or ""),
            "invoice_id": str(ticket.slots.get("invoice_id") or ""),
            "agent": agent_name,
        }
        general = generalise(text, values)
        pid = hashlib.sha256(general.encode()).hexdigest()[:12]
        proposal = Proposal(
            pid,
            general,
            ticket.emotion.label,
            ticket.topic,
            ticket.id,
            proposed_by,
            csat,
            understood,
            time.time(),
        )
        if await self.redis.hexists(self.keys.assist_approved, pid):
            raise ProposalError("this reply is already in the library")
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(self.keys.assist_proposed, pid, json.dumps(proposal.to_dict()))
        pipe.expire(self.keys.assist_proposed, self.retention_s)
        await pipe.execute()
        return proposal

    async def _all(self, key: str) -> list[Proposal]:
        raw = await self.redis.hgetall(key)
        found = [Proposal(**json.loads(v)) for v in raw.values()]
        found = await self._retain(key, found)
        return sorted(found, key=lambda p: p.at, reverse=True)

    async def _retain(self, key: str, found: list[Proposal]) -> list[Proposal]:
        """Past the retention period a waiting proposal is deleted; an approved one
        stays in the library but forgets the chat it came from."""
        cutoff = time.time() - self.retention_s
        old = [p for p in found if p.at < cutoff]
        if not old:
            return found
        if key != self.keys.assist_approved:
            await self.redis.hdel(key, *[p.id for p in old])
            return [p for p in found if p.at >= cutoff]
        unlinked = {p.id: replace(p, conversation="") for p in old if p.conversation}
        if unlinked:
            await self.redis.hset(
                key,
                mapping={pid: json.dumps(p.to_dict()) for pid, p in unlinked.items()},
            )
        return [unlinked.get(p.id, p) for p in found]

    async def proposed(self) -> list[Proposal]:
        """Waiting for a supervisor, newest first."""
        return await self._all(self.keys.assist_proposed)

    async def approved(self) -> list[Proposal]:
        """Approved replies, newest first."""
        return await self._all(self.keys.assist_approved)

    async def decide(self, pid: str, approve: bool) -> Proposal:
        """Approve (into the library) or reject a proposal."""
        raw = await self.redis.hget(self.keys.assist_proposed, pid)
        if raw is None:
            raise LookupError(pid)
        proposal = Proposal(**json.loads(raw))
        if proposal.at < time.time() - self.retention_s:
            await self.redis.hdel(self.keys.assist_proposed, pid)
            raise LookupError(pid)
        pipe = self.redis.pipeline(transaction=True)
        pipe.hdel(self.keys.assist_proposed, pid)
        if approve:
            pipe.hset(self.keys.assist_approved, pid, raw)
        await pipe.execute()
        if approve and await self.redis.hlen(self.keys.assist_approved) > MAX_APPROVED:
            oldest = (await self.approved())[MAX_APPROVED:]
            await self.redis.hdel(self.keys.assist_approved, *[p.id for p in oldest])
        return proposal
