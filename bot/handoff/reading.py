"""Reading the handoff queue: tickets, earlier handoffs, the waiting list, timed-out
and flagged chats, follow-ups and the event stream. Reads change nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.handoff.checks import check_ticket_id
from bot.handoff.errors import UnknownTicket
from bot.handoff.models import Event, EventType
from bot.handoff.runner import QueuePart, decode, log, readable
from bot.handoff.ticket import Ticket, TicketState


class Reading(QueuePart):
    """What the console, the bot and the dashboard read."""

    async def _tickets(self, ids: Sequence[str]) -> list[Ticket]:
        if not ids:
            return []
        pipe = self.redis.pipeline(transaction=False)
        for ticket_id in ids:
            pipe.hgetall(self.keys.ticket(ticket_id))
        records = []
        for ticket_id, raw in zip(ids, await pipe.execute(), strict=True):
            fields = {decode(k): decode(v) for k, v in raw.items()}
            if fields:
                records.append((ticket_id, fields))
        return readable(records)

    async def ticket(self, ticket_id: str) -> Ticket:
        """The conversation's ticket (current or last handoff)."""
        check_ticket_id(ticket_id)
        found = await self._tickets([ticket_id])
        if not found:
            raise UnknownTicket(ticket_id)
        return found[0]

    async def tickets(self, ticket_ids: Sequence[str]) -> list[Ticket]:
        """Several tickets in one round trip (unknown ids are left out)."""
        for ticket_id in ticket_ids:
            check_ticket_id(ticket_id)
        return await self._tickets(ticket_ids)

    async def ticket_ids(self) -> list[str]:
        """Every conversation with a ticket (a scan: for reports and training)."""
        return [
            self.keys.ticket_id(key)
            async for key in self.redis.scan_iter(
                match=self.keys.ticket_pattern, count=500
            )
        ]

    async def resolved(self) -> list[Ticket]:
        """Every resolved ticket, the latest resolved first."""
        found = [
            t
            for t in await self._tickets(await self.ticket_ids())
            if t.state is TicketState.RESOLVED
        ]
        found.sort(key=lambda t: t.resolved_at or 0, reverse=True)
        return found

    async def state(self, conversation_id: str) -> TicketState:
        """Where the conversation is; ``bot`` when it was never handed off."""
        check_ticket_id(conversation_id)
        state = decode(
            await self.redis.hget(self.keys.ticket(conversation_id), "state")
        )
        return TicketState(state) if state else TicketState.BOT

    async def history(self, conversation_id: str) -> list[Ticket]:
        """Earlier, finished handoffs of the conversation, newest first."""
        check_ticket_id(conversation_id)
        key = self.keys.archive(conversation_id)
        records = []
        for doc in decode(list(await self.redis.lrange(key, 0, -1))):
            try:
                records.append((conversation_id, json.loads(doc)))
            except ValueError:
                log.warning("unreadable archived handoff of %s", conversation_id)
        return readable(records)

    async def waiting(self, limit: int | None = None) -> list[Ticket]:
        """Waiting chats, best first."""
        end = -1 if limit is None else max(0, limit - 1)
        if limit == 0:
            return []
        ids = decode(list(await self.redis.zrange(self.keys.queue, 0, end)))
        return await self._tickets(ids)

    async def timed_out(self, now: float | None = None) -> list[Ticket]:
        """Chats waiting longer than the queue timeout, longest first."""
        when = self._now() if now is None else now
        limit = round((when - self.config.queue_timeout) * 1000)
        found = await self.redis.zrangebyscore(self.keys.queued_at, "-inf", limit)
        ids = decode(list(found))
        return await self._tickets(ids)

    async def flagged(self) -> list[Ticket]:
        """Chats re-offered too often, for a supervisor."""
        ids = sorted(decode(list(await self.redis.smembers(self.keys.flagged))))
        return await self._tickets(ids)

    async def follow_ups(self) -> list[Ticket]:
        """Open chats whose customer asked for a callback or e-mail, oldest first."""
        ids = decode(list(await self.redis.zrange(self.keys.followups, 0, -1)))
        return await self._tickets(ids)

    async def events(
        self,
        after: str = "0-0",
        count: int = 100,
        block_ms: int | None = None,
        client: Any = None,
    ) -> list[Event]:
        """Events after stream id ``after`` (``block_ms``: wait that long for one;
        ``client``: another connection pool for such a blocking read)."""
        reply = await (client or self.redis).xread(
            {self.keys.events: after}, count=count, block=block_ms
        )
        events = []
        for _stream, entries in reply or []:
            for entry_id, raw in entries:
                f = {decode(k): decode(v) for k, v in raw.items()}
                events.append(
                    Event(
                        id=decode(entry_id),
                        type=EventType(f["type"]),
                        ticket_id=f.get("ticket", ""),
                        agent_id=f.get("agent", ""),
                        token=int(f.get("token") or 0),
                        state=f.get("state", ""),
                        at=int(f.get("at") or 0) / 1000,
                        data=json.loads(f.get("data") or "{}"),
                    )
                )
        return events
