"""Claims in the handoff queue: an agent takes a chat (by hand, the best next one,
or automatically), proves the claim with its fencing token, and ends it: release,
transfer or resolve. Private notes go on the ticket."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.exceptions import NoScriptError

from bot.handoff import scripts as S
from bot.handoff.agents import Agents
from bot.handoff.checks import check_agent_id, check_text, check_ticket_id, check_token
from bot.handoff.errors import (
    AgentUnavailable,
    AtCapacity,
    HandoffError,
    InvalidInput,
    InvalidState,
    StaleToken,
    UnknownAgent,
    UnknownTicket,
    refusal,
)
from bot.handoff.models import Claim, Resolved
from bot.handoff.reading import Reading
from bot.handoff.runner import decode, log, ticket_of
from bot.handoff.scripts import FencedRun, Ids, Script
from bot.handoff.ticket import Ticket

CLAIM_ATTEMPTS = 8  # claim_next re-reads the candidates when all were taken meanwhile


class Claims(Agents, Reading):
    """Who holds which chat, proven by a fencing token."""

    def _claim(self, reply: list[Any]) -> Claim:
        run = int(reply[3])
        return Claim(
            ticket=ticket_of(reply[4]),
            token=int(reply[1]),
            lease_expires_at=int(reply[2]) / 1000,
            break_suggested=run >= self.config.break_after,
        )

    async def claim_next(self, agent_id: str, settled: float = 0.0) -> Claim | None:
        """Claim the best waiting chat for this agent (None when none fits).

        ``settled``: only chats queued at least this many seconds ago (automatic
        assignment waits until the customer has been told where they stand).
        """
        check_agent_id(agent_id)
        for attempt in range(CLAIM_ATTEMPTS):
            # all candidates taken meanwhile (busy queue): look further next time
            last = self.config.candidates * 2 ** min(attempt, 3) - 1
            top = await self.redis.zrange(self.keys.queue, 0, last)
            ids = decode(list(top))
            if settled > 0 and ids:
                since = await self.redis.zmscore(self.keys.queued_at, ids)
                cutoff = (self._now() - settled) * 1000
                ids = [
                    i
                    for i, at in zip(ids, since, strict=True)
                    if at is not None and at <= cutoff
                ]
                if not ids:
                    return None
            reply = await self._runner.run(
                S.CLAIM,
                [agent_id, "next", self.keys.ticket("")],
                agent=agent_id,
                each=[Ids(ticket=i) for i in ids],
            )
            if reply[0] == "ok":
                claim = self._claim(reply)
                log.info(
                    "Agent %s claimed %s (token %d)",
                    agent_id,
                    claim.ticket.id,
                    claim.token,
                )
                return claim
            if reply[0] == "none":
                return None
            if reply[0] != "retry":
                raise refusal(reply, agent_id=agent_id)
        return None

    async def claim(self, agent_id: str, ticket_id: str) -> Claim:
        """Claim this waiting chat for this agent."""
        check_agent_id(agent_id)
        check_ticket_id(ticket_id)
        reply = await self._runner.call(
            S.CLAIM,
            [agent_id, "one", self.keys.ticket("")],
            ticket=ticket_id,
            agent=agent_id,
            each=[Ids(ticket=ticket_id)],
        )
        claim = self._claim(reply)
        log.info("Agent %s claimed %s (token %d)", agent_id, ticket_id, claim.token)
        return claim

    async def claim_many(
        self, requests: Sequence[tuple[str, str]]
    ) -> list[Claim | HandoffError]:
        """Claim several named chats in one round trip: ``(agent_id, ticket_id)``
        pairs; each claim is atomic on its own, the result is a Claim or the refusal.

        For consoles or gateways that batch their agents' requests (pipelining).
        """
        for agent_id, ticket_id in requests:
            check_agent_id(agent_id)
            check_ticket_id(ticket_id)
        runner = self._runner
        script = runner.registered(S.CLAIM)
        results: list[Claim | HandoffError | None] = [None] * len(requests)
        todo = list(range(len(requests)))
        ticket_prefix = self.keys.ticket("")
        for _ in range(2):  # the second round only after the server lost the script
            stamp = runner.stamp()
            pipe = self.redis.pipeline(transaction=False)
            for i in todo:
                agent_id, ticket_id = requests[i]
                keys = runner.key_list(
                    S.CLAIM, agent=agent_id, each=[Ids(ticket=ticket_id)]
                )
                pipe.evalsha(
                    script.sha,
                    len(keys),
                    *keys,
                    runner.conf,
                    stamp,
                    agent_id,
                    "one",
                    ticket_prefix,
                )
            replies = await pipe.execute(raise_on_error=False)
            missing = []
            for i, raw in zip(todo, replies, strict=True):
                if isinstance(raw, NoScriptError):
                    missing.append(i)
                    continue
                if isinstance(raw, Exception):
                    raise raw
                reply = list(decode(raw))
                agent_id, ticket_id = requests[i]
                results[i] = (
                    self._claim(reply)
                    if reply[0] == "ok"
                    else refusal(reply, ticket_id=ticket_id, agent_id=agent_id)
                )
            if not missing:
                break
            await self.redis.script_load(script.script)
            todo = missing
        return [r if r is not None else HandoffError("not run") for r in results]

    async def auto_assign(self) -> list[Claim]:
        """Hand waiting chats to online agents who opted in, while both remain;
        a chat only once it has waited ``auto_assign_after`` seconds, so that the
        bot's "a colleague will take over" comes before "Alex has joined"."""
        if not self.config.auto_assign:
            return []
        claims: list[Claim] = []
        progress = True
        while progress:
            progress = False
            for view in await self.agents():
                if view.agent.auto_assign and view.free > 0:
                    try:
                        claim = await self.claim_next(
                            view.agent.id, settled=self.config.auto_assign_after
                        )
                    except (AgentUnavailable, AtCapacity):
                        continue
                    if claim is not None:
                        claims.append(claim)
                        progress = True
        return claims

    async def check_token(
        self, ticket_id: str, token: int, agent_id: str | None = None
    ) -> None:
        """Raise unless ``token`` (of ``agent_id``, if given) holds the chat now."""
        check_ticket_id(ticket_id)
        check_token(token)
        if agent_id is not None:
            check_agent_id(agent_id)
        await self._runner.call(
            S.CHECK,
            [ticket_id, agent_id or "", token],
            ticket=ticket_id,
            token=token,
            wanted="assigned",
        )

    async def reply_allowed(
        self, ticket_id: str, token: int, agent_id: str | None = None
    ) -> bool:
        """Whether an agent's reply carrying ``token`` may reach the customer."""
        try:
            await self.check_token(ticket_id, token, agent_id)
        except (StaleToken, InvalidState, UnknownTicket, InvalidInput):
            return False
        return True

    def fence(self, ticket_id: str, token: int, agent_id: str) -> FencedRun:
        """Runs a write made by ``scripts.fenced`` only while ``token`` of
        ``agent_id`` holds the chat (the claim checked here, then the write refused
        in its own slot once a note ended the claim: ``scripts.fenced``); raises
        StaleToken, AlreadyResolved or UnknownTicket otherwise, with nothing
        written. The write's KEYS start with the conversation's hash."""
        check_ticket_id(ticket_id)
        check_token(token)
        check_agent_id(agent_id)

        async def run(script: Any, keys: list[str], args: list[Any]) -> Any:
            await self.check_token(ticket_id, token, agent_id)
            reply = decode(await script(keys=keys, args=[token, *args]))
            if reply[0] != "ok":
                raise StaleToken(ticket_id, token, "the claim ended")
            return reply[1]

        return run

    async def _as_holder(
        self,
        script: Script,
        agent_id: str,
        ticket_id: str,
        token: int,
        text: str,
        what: str,
    ) -> list[Any]:
        """Run ``script`` (release, resolve) as the agent holding the chat with
        ``token``, with one free text (``what`` names it in errors): the arguments
        checked first, a refusal raised as its typed error."""
        check_agent_id(agent_id)
        check_ticket_id(ticket_id)
        check_token(token)
        check_text(text, what)
        return await self._runner.call(
            script,
            [ticket_id, agent_id, token, text],
            ticket=ticket_id,
            agent=agent_id,
            token=token,
            wanted="assigned",
        )

    async def release(
        self, agent_id: str, ticket_id: str, token: int, reason: str = ""
    ) -> Ticket:
        """Give the chat back to the queue (it keeps its place)."""
        reply = await self._as_holder(
            S.RELEASE, agent_id, ticket_id, token, reason, "reason"
        )
        log.info("Agent %s released %s", agent_id, ticket_id)
        return ticket_of(reply[1])

    async def transfer(
        self,
        agent_id: str,
        ticket_id: str,
        token: int,
        *,
        to_agent: str | None = None,
        to_skill: str | None = None,
        note: str = "",
    ) -> Ticket:
        """Hand the chat to another agent (new token) or back to the queue for a
        skill; the returned ticket carries the new holder and token."""
        check_agent_id(agent_id)
        check_ticket_id(ticket_id)
        check_token(token)
        if not to_agent and not to_skill:
            raise InvalidInput("transfer needs to_agent or to_skill")
        if to_agent is not None:
            check_agent_id(to_agent)
        if to_skill is not None and (not to_skill or "," in to_skill):
            raise InvalidInput(f"invalid skill {to_skill!r}")
        check_text(note, "note")
        reply = await self._runner.run(
            S.TRANSFER,
            [ticket_id, agent_id, token, to_agent or "", to_skill or ""],
            ticket=ticket_id,
            agent=agent_id,
            each=[Ids(agent=to_agent)] if to_agent else [],
        )
        if reply[0] == "unknown_target":
            raise UnknownAgent(str(to_agent))
        if reply[0] != "ok":
            about_target = reply[0] in ("agent_unavailable", "at_capacity", "skill")
            target = to_agent if to_agent and about_target else ""
            raise refusal(
                reply,
                ticket_id=ticket_id,
                agent_id=target or agent_id,
                token=token,
                wanted="assigned",
            )
        ticket = ticket_of(reply[4])
        log.info(
            "Agent %s transferred %s to %s", agent_id, ticket_id, to_agent or to_skill
        )
        if note:
            await self.add_note(agent_id, ticket_id, note)
            ticket = await self.ticket(ticket_id)
        return ticket

    async def add_note(self, agent_id: str, ticket_id: str, text: str) -> int:
        """Add a private note for agents; returns how many notes the ticket has."""
        check_agent_id(agent_id)
        check_ticket_id(ticket_id)
        check_text(text, "note", required=True)
        reply = await self._runner.call(
            S.NOTE, [ticket_id, agent_id, text], ticket=ticket_id, agent=agent_id
        )
        return int(reply[1])

    async def resolve(
        self, agent_id: str, ticket_id: str, token: int, resolution: str = ""
    ) -> Resolved:
        """Close the chat: resolved, the bot has the conversation again."""
        reply = await self._as_holder(
            S.RESOLVE, agent_id, ticket_id, token, resolution, "resolution"
        )
        run = int(reply[1])
        suggested = run >= self.config.break_after
        log.info("Agent %s resolved %s", agent_id, ticket_id)
        return Resolved(ticket_of(reply[2]), suggested, self.config.break_minutes)
