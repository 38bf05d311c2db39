"""Housekeeping of the handoff queue: chats whose agent vanished go back to the
queue (``reap``), and the indexes are rebuilt from the tickets (``reconcile``)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.handoff import scripts as S
from bot.handoff.models import Reaped, ReconcileReport
from bot.handoff.runner import QueuePart, decode, log
from bot.handoff.scripts import Ids

BATCH = 200  # tickets per script call in reap and reconcile


class Housekeeping(QueuePart):
    """Repairs that any gateway may run at any time (each step is atomic)."""

    async def _holders(self, ids: Sequence[str]) -> tuple[list[str], list[Ids]]:
        """ARGV and KEYS items of reap and reconcile: each ticket with the agent its
        hash names now ('' for none; its chats key then of agent ``-``), as the
        caller read them (the scripts re-validate both)."""
        pipe = self.redis.pipeline(transaction=False)
        for ticket_id in ids:
            pipe.hget(self.keys.ticket(ticket_id), "agent")
        holders = [h or "" for h in decode(await pipe.execute())]
        args: list[str] = []
        items: list[Ids] = []
        for ticket_id, holder in zip(ids, holders, strict=True):
            args += [ticket_id, holder]
            items.append(Ids(ticket_id, holder or "-"))
        return args, items

    async def reap(self) -> list[Reaped]:
        """Return chats whose lease expired (agent vanished) to the queue."""
        now = self._now()
        k = self.keys
        reaped: list[Reaped] = []
        for _ in range(1000):
            ids = decode(
                list(
                    await self.redis.zrangebyscore(
                        k.leases, "-inf", f"({round(now * 1000)}", start=0, num=BATCH
                    )
                )
            )
            if not ids:
                break
            args, items = await self._holders(ids)
            reply = await self._runner.run(S.REAP, args, each=items, now=now)
            for ticket_id, agent_id, reoffers, flagged, token in reply[1]:
                reaped.append(
                    Reaped(
                        ticket_id,
                        agent_id,
                        int(reoffers),
                        bool(flagged),
                        int(token or 0),
                    )
                )
                log.warning(
                    "Reaped %s from vanished agent %s (re-offer %s%s)",
                    ticket_id,
                    agent_id,
                    reoffers,
                    ", flagged" if flagged else "",
                )
            if len(ids) < BATCH:
                break
        return reaped

    async def reconcile(self) -> ReconcileReport:
        """Rebuild the queue, lease and agent indexes from the ticket hashes."""
        k = self.keys
        tickets = queued = assigned = added = removed = 0
        batch: list[str] = []

        async def flush(ids: list[str]) -> None:
            nonlocal queued, assigned, added, removed
            args, items = await self._holders(ids)
            reply = await self._runner.run(S.RECONCILE_TICKETS, args, each=items)
            queued += int(reply[1])
            assigned += int(reply[2])
            added += int(reply[3])
            removed += int(reply[4])

        async for key in self.redis.scan_iter(match=k.ticket_pattern, count=500):
            batch.append(k.ticket_id(decode(key)))
            tickets += 1
            if len(batch) >= BATCH:
                await flush(batch)
                batch = []
        if batch:
            await flush(batch)

        pipe = self.redis.pipeline(transaction=False)
        pipe.zrange(k.queue, 0, -1)
        pipe.zrange(k.queued_at, 0, -1)
        pipe.zrange(k.leases, 0, -1)
        pipe.smembers(k.flagged)
        pipe.smembers(k.agents)
        members = decode([list(x) for x in await pipe.execute()])
        indexed = sorted(set().union(*members[:4]))
        for start in range(0, len(indexed), BATCH):
            ids = indexed[start : start + BATCH]
            reply = await self._runner.run(
                S.RECONCILE_INDEX, ids, each=[Ids(ticket=i) for i in ids]
            )
            removed += int(reply[1])
        for agent_id in members[4]:
            held = decode(list(await self.redis.smembers(k.agent_chats(agent_id))))
            for start in range(0, max(1, len(held)), BATCH):
                ids = held[start : start + BATCH]
                reply = await self._runner.run(
                    S.RECONCILE_CHATS,
                    [agent_id, *ids],
                    agent=agent_id,
                    each=[Ids(ticket=i) for i in ids],
                )
                removed += int(reply[1])
        report = ReconcileReport(tickets, queued, assigned, added, removed)
        log.info("Reconciled handoff indexes: %s", report)
        return report
