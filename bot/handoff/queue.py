"""The human-handoff queue: the one place that changes a ticket's or an agent's state.

Every state change is one Lua script (``scripts.py``) on the keys of ``keys.py``, so
it is atomic, appends its event to the stream in the same step, and leaves everything
unchanged when it refuses (a typed error from ``errors.py``). This class only checks
arguments, reads what a script needs to name its keys, and turns replies into records.

The Redis client (``redis.asyncio.Redis``) is passed in; responses may be bytes or str.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from typing import Any

from redis.exceptions import NoScriptError

from bot.handoff import keys as K
from bot.handoff.config import HandoffConfig, load_config
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
from bot.handoff.keys import Keys, valid_id
from bot.handoff.models import (
    Agent,
    AgentView,
    Availability,
    Claim,
    EmotionSnapshot,
    EnqueueResult,
    Event,
    EventType,
    FollowUp,
    HandoffRequest,
    Heartbeat,
    Presence,
    QueuePosition,
    Rating,
    Reaped,
    ReconcileReport,
    Resolved,
    Ticket,
    TicketState,
    UrgencyFlag,
)
from bot.handoff.scripts import FencedRun, Scripts

log = logging.getLogger(__name__)

CLAIM_ATTEMPTS = 8  # claim_next re-reads the candidates when all were taken meanwhile
BATCH = 200  # tickets per script call in reap and reconcile
MAX_TEXT = 4000  # characters of a note, explanation or resolution


def _readable(records: Sequence[tuple[str, Any]]) -> list[Ticket]:
    """Tickets from stored fields, leaving out (and logging) records that cannot be
    read (written by hand or by another version), so one bad record does not break
    every list, count and export that reads it."""
    found = []
    for ticket_id, fields in records:
        try:
            found.append(Ticket.from_fields(fields))
        except (KeyError, ValueError, TypeError, AttributeError) as error:
            log.warning("unreadable handoff record of %s skipped: %r", ticket_id, error)
    return found


def _str(value: Any) -> Any:
    """Decode bytes (recursively in lists) so both client modes read the same."""
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, list):
        return [_str(v) for v in value]
    return value


def _ticket(doc: str) -> Ticket:
    """A ticket from a script's JSON object of its hash fields."""
    return Ticket.from_fields(json.loads(doc))


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


def _flags(values: Iterable[UrgencyFlag | str], allowed: Iterable[str]) -> list[str]:
    known = set(allowed)
    out = set()
    for value in values:
        try:
            flag = UrgencyFlag(value)
        except ValueError:
            raise InvalidInput(f"unknown urgency flag {value!r}") from None
        if str(flag) not in known:
            raise InvalidInput(f"urgency flag {value!r} has no weight in the config")
        out.add(str(flag))
    return sorted(out)


def _check_ticket_id(ticket_id: str) -> None:
    if not valid_id(ticket_id):
        raise InvalidInput(f"invalid conversation id {ticket_id!r}")


def _check_agent_id(agent_id: str) -> None:
    if not valid_id(agent_id, agent=True):
        raise InvalidInput(f"invalid agent id {agent_id!r}")


def _check_token(token: int) -> None:
    if not isinstance(token, int) or isinstance(token, bool) or token < 1:
        raise InvalidInput(f"invalid fencing token {token!r}")


def _check_text(text: str, what: str, *, required: bool = False) -> None:
    if not isinstance(text, str) or len(text) > MAX_TEXT or (required and not text):
        raise InvalidInput(f"{what} must be text of at most {MAX_TEXT} characters")


class HandoffQueue:
    """Tickets, agents, claims and events of one deployment (one key prefix)."""

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "es",
        config: HandoffConfig | None = None,
        clock: Callable[[], float] = time.time,
        retention_s: int = K.DEFAULT_RETENTION_S,
    ) -> None:
        """``retention_s``: how long resolved tickets and earlier handoffs are
        kept (RETENTION_DAYS, as long as the conversation's transcript)."""
        self.redis = client
        self.retention_s = retention_s
        self.keys = Keys(prefix)
        self.config = config or load_config()
        self._clock = clock
        self._scripts = Scripts(client)
        c = self.config
        self._conf = json.dumps(
            {
                "w": c.weights(),
                "aging": c.aging_per_minute,
                "lease": round(c.lease * 1000),
                "ttl": round(c.presence_ttl * 1000),
                "window": round(c.load_window * 1000),
                "ii": c.intense_intensity,
                "if_": c.intense_frustration,
                "max_recent": c.max_recent_intense,
                "spec": c.specialist_skill,
                "max_reoffers": c.max_reoffers,
                "maxlen": K.EVENTS_MAXLEN,
                "archive_max": K.ARCHIVE_MAX,
                "archive_ttl": retention_s,
                "resolved_ttl": retention_s,
                "stats_max": K.STATS_SAMPLES,
                "timeline_max": K.TIMELINE_MAX,
                "notes_max": K.NOTES_MAX,
            }
        )

    # -- plumbing ---------------------------------------------------------------

    def _now(self) -> float:
        return float(self._clock())

    def closed_until(self) -> str | None:
        """None within business hours; else when the team is back, as a customer
        reads it ("tomorrow at 08:00 Berlin time"), or "" when not within two weeks."""
        now, hours = self._now(), self.config.hours
        if hours.is_open(now):
            return None
        back = hours.next_open(now)
        return "" if back is None else hours.describe(back, now)

    def reopens(self) -> float | None:
        """When the team is back (UNIX s) while outside business hours; None within
        them or when not within two weeks."""
        now, hours = self._now(), self.config.hours
        return None if hours.is_open(now) else hours.next_open(now)

    async def _run(
        self, name: str, keys: list[str], args: list[Any], now: float | None = None
    ) -> list[Any]:
        stamp = round((self._now() if now is None else now) * 1000)
        reply = await self._scripts[name](keys=keys, args=[self._conf, stamp, *args])
        return list(_str(reply))

    def _refuse(
        self,
        reply: list[Any],
        *,
        ticket_id: str = "",
        agent_id: str = "",
        token: int = 0,
        wanted: str = "",
    ) -> HandoffError:
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

    def _position(
        self, state: TicketState, rank: int, waiting: int, estimate: list[Any]
    ) -> QueuePosition:
        """A QueuePosition from a script's rank and estimate (see scripts.py)."""
        online, capacity, free, median = estimate
        position = rank + 1 if rank >= 0 and state is TicketState.QUEUED else None
        wait = None
        if position is not None:
            handle = float(median) if median else self.config.default_handle_time
            wait = expected_wait(position, int(free), int(capacity), handle)
        return QueuePosition(state, position, waiting, int(online), wait)

    def _claim(self, reply: list[Any]) -> Claim:
        run = int(reply[3])
        return Claim(
            ticket=_ticket(reply[4]),
            token=int(reply[1]),
            lease_expires_at=int(reply[2]) / 1000,
            break_suggested=run >= self.config.break_after,
        )

    async def _tickets(self, ids: Sequence[str]) -> list[Ticket]:
        if not ids:
            return []
        pipe = self.redis.pipeline(transaction=False)
        for ticket_id in ids:
            pipe.hgetall(self.keys.ticket(ticket_id))
        records = []
        for ticket_id, raw in zip(ids, await pipe.execute(), strict=True):
            fields = {_str(k): _str(v) for k, v in raw.items()}
            if fields:
                records.append((ticket_id, fields))
        return _readable(records)

    # -- customer side ----------------------------------------------------------

    async def enqueue(self, request: HandoffRequest) -> EnqueueResult:
        """Queue a conversation for a person; a repeat returns the existing ticket."""
        _check_ticket_id(request.conversation_id)
        if not isinstance(request.channel, str) or not 0 < len(request.channel) <= 40:
            raise InvalidInput("channel must be 1-40 characters")
        if not valid_id(request.customer.id) or len(request.customer.name) > 200:
            raise InvalidInput("customer needs an id and a name of at most 200 chars")
        problems = request.emotion.problems()
        for snap in request.timeline:
            problems += snap.problems()
        if problems:
            raise InvalidInput("; ".join(problems))
        _check_text(request.explanation, "explanation")
        if len(request.topic) > 100 or len(request.skill) > 40:
            raise InvalidInput("topic or skill too long")
        flags = _flags(request.flags, map(str, self.config.flag_weights))
        try:
            json.dumps(request.slots)
        except (TypeError, ValueError):
            raise InvalidInput("slots must be JSON-serialisable") from None
        now = self._now()
        emotion = request.emotion
        if not emotion.at:
            emotion = EmotionSnapshot(
                emotion.label, emotion.intensity, emotion.frustration, now
            )
        ticket = Ticket(
            id=request.conversation_id,
            channel=request.channel,
            customer=request.customer,
            state=TicketState.QUEUED,
            emotion=emotion,
            timeline=[*request.timeline, emotion][-K.TIMELINE_MAX :],
            flags=frozenset(UrgencyFlag(f) for f in flags),
            topic=request.topic,
            reasons=[str(r) for r in request.reasons],
            explanation=request.explanation,
            tried=[str(t) for t in request.tried],
            slots=dict(request.slots),
            skill=request.skill,
            created_at=now,
            queued_at=now,
        )
        k = self.keys
        reply = await self._run(
            "enqueue",
            [
                k.ticket(ticket.id),
                k.archive(ticket.id),
                k.queue,
                k.queued_at,
                k.events,
                k.online,
                k.capacity,
                k.held,
                k.stats_handle,
            ],
            [ticket.id, json.dumps(ticket.to_fields())],
            now,
        )
        code, rank, waiting = reply[0], int(reply[1]), int(reply[2])
        stored = _ticket(reply[3])
        position = self._position(stored.state, rank, waiting, reply[4])
        if not self.config.hours.is_open(now):
            availability = Availability.CLOSED
        elif position.agents_online == 0:
            availability = Availability.NO_AGENT_ONLINE
        else:
            availability = Availability.OPEN
        next_open = (
            self.config.hours.next_open(now)
            if availability is Availability.CLOSED
            else None
        )
        created = code == "ok"
        log.info(
            "Handoff %s %s (priority %.1f, position %s, %s)",
            ticket.id,
            "queued" if created else "already " + stored.state,
            stored.priority,
            position.position,
            availability,
        )
        return EnqueueResult(stored, created, position, availability, next_open)

    async def rescore(
        self,
        conversation_id: str,
        emotion: EmotionSnapshot,
        flags: Iterable[UrgencyFlag | str] = (),
    ) -> Ticket:
        """Record a new message's emotion; a waiting chat is re-prioritised."""
        _check_ticket_id(conversation_id)
        if problems := emotion.problems():
            raise InvalidInput("; ".join(problems))
        new_flags = _flags(flags, map(str, self.config.flag_weights))
        now = self._now()
        snap = (
            emotion
            if emotion.at
            else EmotionSnapshot(
                emotion.label, emotion.intensity, emotion.frustration, now
            )
        )
        reply = await self._run(
            "rescore",
            [
                self.keys.ticket(conversation_id),
                self.keys.queue,
                self.keys.events,
            ],
            [conversation_id, json.dumps(snap.to_dict()), ",".join(new_flags)],
            now,
        )
        if reply[0] != "ok":
            raise self._refuse(
                reply, ticket_id=conversation_id, wanted="queued or assigned"
            )
        ticket = _ticket(reply[2])
        log.info("Handoff %s rescored to %.1f", conversation_id, ticket.priority)
        return ticket

    async def position(self, conversation_id: str) -> QueuePosition:
        """Where the conversation stands in the queue, with the expected wait."""
        _check_ticket_id(conversation_id)
        k = self.keys
        reply = await self._run(
            "estimate",
            [
                k.ticket(conversation_id),
                k.queue,
                k.online,
                k.capacity,
                k.held,
                k.stats_handle,
            ],
            [conversation_id],
        )
        if not reply[0]:
            raise UnknownTicket(conversation_id)
        return self._position(
            TicketState(reply[0]), int(reply[1]), int(reply[2]), reply[3]
        )

    async def request_follow_up(
        self, conversation_id: str, follow_up: FollowUp
    ) -> None:
        """Store the customer's wish to be called or e-mailed instead of waiting."""
        _check_ticket_id(conversation_id)
        if not follow_up.contact or len(follow_up.contact) > 200:
            raise InvalidInput("follow-up needs a contact of at most 200 characters")
        _check_text(follow_up.note, "follow-up note")
        now = self._now()
        record = FollowUp(
            follow_up.method,
            follow_up.contact,
            follow_up.preferred_time[:200],
            follow_up.note,
            follow_up.at or now,
        )
        k = self.keys
        reply = await self._run(
            "follow_up",
            [k.ticket(conversation_id), k.followups, k.events],
            [conversation_id, json.dumps(record.to_dict())],
            now,
        )
        if reply[0] != "ok":
            raise self._refuse(
                reply, ticket_id=conversation_id, wanted="queued or assigned"
            )

    async def rate(self, conversation_id: str, rating: Rating) -> None:
        """Store the customer's rating of a resolved chat (once)."""
        _check_ticket_id(conversation_id)
        if problems := rating.problems():
            raise InvalidInput("; ".join(problems))
        now = self._now()
        record = Rating(
            rating.csat,
            rating.understood,
            rating.effort,
            rating.recommend,
            rating.comment,
            rating.at or now,
        )
        reply = await self._run(
            "rate",
            [self.keys.ticket(conversation_id), self.keys.events],
            [conversation_id, json.dumps(asdict(record))],
            now,
        )
        if reply[0] != "ok":
            raise self._refuse(reply, ticket_id=conversation_id)

    # -- agents -----------------------------------------------------------------

    async def register_agent(self, agent: Agent) -> None:
        """Add an agent or update their name, capacity, skills and auto-assign."""
        _check_agent_id(agent.id)
        if not isinstance(agent.capacity, int) or not 0 <= agent.capacity <= 100:
            raise InvalidInput("capacity must be an integer 0-100")
        for skill in agent.skills:
            if not skill or "," in skill or len(skill) > 40:
                raise InvalidInput(f"invalid skill {skill!r}")
        k = self.keys
        await self._run(
            "register",
            [k.agent(agent.id), k.agents, k.capacity, k.events],
            [
                agent.id,
                agent.name[:200],
                agent.capacity,
                ",".join(sorted(agent.skills)),
                int(agent.auto_assign),
            ],
        )

    async def set_presence(self, agent_id: str, status: Presence | str) -> None:
        """Set an agent online, away (a break) or offline (their chats are reaped)."""
        _check_agent_id(agent_id)
        try:
            presence = Presence(status)
        except ValueError:
            raise InvalidInput(f"unknown presence {status!r}") from None
        k = self.keys
        reply = await self._run(
            "presence",
            [
                k.agent(agent_id),
                k.online,
                k.leases,
                k.agent_chats(agent_id),
                k.events,
            ],
            [agent_id, str(presence)],
        )
        if reply[0] != "ok":
            raise self._refuse(reply, agent_id=agent_id)
        log.info("Agent %s is %s", agent_id, presence)

    async def heartbeat(self, agent_id: str) -> Heartbeat:
        """Renew the agent's presence and the leases of the chats they hold."""
        _check_agent_id(agent_id)
        k = self.keys
        reply = await self._run(
            "heartbeat",
            [k.agent(agent_id), k.agent_chats(agent_id), k.leases, k.online],
            [agent_id],
        )
        if reply[0] != "ok":
            raise self._refuse(reply, agent_id=agent_id)
        if reply[4]:
            log.warning("Agent %s lost expired chats %s", agent_id, reply[4])
        return Heartbeat(
            agent_id=agent_id,
            status=Presence(reply[1]),
            renewed=tuple(reply[3]),
            lost=tuple(reply[4]),
            seen_until=int(reply[2]) / 1000,
        )

    async def agent(self, agent_id: str) -> AgentView:
        """One agent with presence, chats and emotional load."""
        _check_agent_id(agent_id)
        views = await self._views([agent_id])
        if not views:
            raise UnknownAgent(agent_id)
        return views[0]

    async def agents(self) -> list[AgentView]:
        """Every registered agent, sorted by id."""
        ids = sorted(_str(list(await self.redis.smembers(self.keys.agents))))
        return await self._views(ids)

    async def skill_online(self, skill: str) -> bool:
        """Whether an agent who is online or away right now has ``skill``.

        A ticket that needs a skill can only be claimed by an agent with it, so the
        bot asks for a skill (``lang:de``) only when such an agent is at work now;
        otherwise anyone may take the chat, and sees the language in its slots.

        Args:
            skill: a skill such as ``lang:de``.

        Returns:
            True when a registered agent with the skill is not offline.
        """
        ids = _str(list(await self.redis.smembers(self.keys.agents)))
        return any(
            view.status is not Presence.OFFLINE and skill in view.agent.skills
            for view in await self._views(ids)
        )

    async def _views(self, ids: Sequence[str]) -> list[AgentView]:
        now = self._now()
        since = round((now - self.config.load_window) * 1000)
        pipe = self.redis.pipeline(transaction=True)
        for agent_id in ids:
            pipe.hgetall(self.keys.agent(agent_id))
            pipe.smembers(self.keys.agent_chats(agent_id))
            pipe.zcount(self.keys.agent_intense(agent_id), since, "+inf")
        replies = await pipe.execute()
        views = []
        for i, agent_id in enumerate(ids):
            raw, chats, intense = replies[3 * i : 3 * i + 3]
            a = {_str(k): _str(v) for k, v in raw.items()}
            if not a:
                continue
            seen_until = int(a.get("seen_until") or 0) / 1000
            status = Presence(a.get("status", "offline"))
            if seen_until < now:
                status = Presence.OFFLINE
            run = int(a.get("intense_run") or 0)
            views.append(
                AgentView(
                    agent=Agent(
                        id=agent_id,
                        name=a.get("name", ""),
                        capacity=int(a.get("capacity") or 0),
                        skills=frozenset(filter(None, a.get("skills", "").split(","))),
                        auto_assign=a.get("auto_assign") == "1",
                    ),
                    status=status,
                    chats=tuple(sorted(_str(list(chats)))),
                    recent_intense=int(intense),
                    intense_run=run,
                    break_suggested=run >= self.config.break_after,
                    seen_until=seen_until or None,
                )
            )
        return views

    # -- claims -----------------------------------------------------------------

    def _claim_keys(self, agent_id: str) -> list[str]:
        k = self.keys
        return [
            k.queue,
            k.queued_at,
            k.leases,
            k.events,
            k.fence,
            k.agent(agent_id),
            k.agent_chats(agent_id),
            k.agent_intense(agent_id),
            k.held,
        ]

    async def claim_next(self, agent_id: str, settled: float = 0.0) -> Claim | None:
        """Claim the best waiting chat for this agent (None when none fits).

        ``settled``: only chats queued at least this many seconds ago (automatic
        assignment waits until the customer has been told where they stand).
        """
        _check_agent_id(agent_id)
        base = self._claim_keys(agent_id)
        for attempt in range(CLAIM_ATTEMPTS):
            # all candidates taken meanwhile (busy queue): look further next time
            last = self.config.candidates * 2 ** min(attempt, 3) - 1
            top = await self.redis.zrange(self.keys.queue, 0, last)
            ids = _str(list(top))
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
            reply = await self._run(
                "claim",
                base + [self.keys.ticket(i) for i in ids],
                [agent_id, "next", self.keys.ticket("")],
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
                raise self._refuse(reply, agent_id=agent_id)
        return None

    async def claim(self, agent_id: str, ticket_id: str) -> Claim:
        """Claim this waiting chat for this agent."""
        _check_agent_id(agent_id)
        _check_ticket_id(ticket_id)
        reply = await self._run(
            "claim",
            self._claim_keys(agent_id) + [self.keys.ticket(ticket_id)],
            [agent_id, "one", self.keys.ticket("")],
        )
        if reply[0] != "ok":
            raise self._refuse(reply, ticket_id=ticket_id, agent_id=agent_id)
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
            _check_agent_id(agent_id)
            _check_ticket_id(ticket_id)
        script = self._scripts["claim"]
        results: list[Claim | HandoffError | None] = [None] * len(requests)
        todo = list(range(len(requests)))
        ticket_prefix = self.keys.ticket("")
        for _ in range(2):  # the second round only after the server lost the script
            stamp = round(self._now() * 1000)
            pipe = self.redis.pipeline(transaction=False)
            for i in todo:
                agent_id, ticket_id = requests[i]
                keys = self._claim_keys(agent_id) + [self.keys.ticket(ticket_id)]
                pipe.evalsha(
                    script.sha,
                    len(keys),
                    *keys,
                    self._conf,
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
                reply = list(_str(raw))
                agent_id, ticket_id = requests[i]
                results[i] = (
                    self._claim(reply)
                    if reply[0] == "ok"
                    else self._refuse(reply, ticket_id=ticket_id, agent_id=agent_id)
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
        _check_ticket_id(ticket_id)
        _check_token(token)
        if agent_id is not None:
            _check_agent_id(agent_id)
        reply = await self._run(
            "check",
            [self.keys.ticket(ticket_id), self.keys.leases],
            [ticket_id, agent_id or "", token],
        )
        if reply[0] != "ok":
            raise self._refuse(
                reply, ticket_id=ticket_id, token=token, wanted="assigned"
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
        _check_ticket_id(ticket_id)
        _check_token(token)
        _check_agent_id(agent_id)

        async def run(script: Any, keys: list[str], args: list[Any]) -> Any:
            await self.check_token(ticket_id, token, agent_id)
            reply = _str(await script(keys=keys, args=[token, *args]))
            if reply[0] != "ok":
                raise StaleToken(ticket_id, token, "the claim ended")
            return reply[1]

        return run

    async def release(
        self, agent_id: str, ticket_id: str, token: int, reason: str = ""
    ) -> Ticket:
        """Give the chat back to the queue (it keeps its place)."""
        _check_agent_id(agent_id)
        _check_ticket_id(ticket_id)
        _check_token(token)
        _check_text(reason, "reason")
        k = self.keys
        reply = await self._run(
            "release",
            [
                k.ticket(ticket_id),
                k.agent(agent_id),
                k.queue,
                k.queued_at,
                k.leases,
                k.agent_chats(agent_id),
                k.flagged,
                k.events,
                k.held,
            ],
            [ticket_id, agent_id, token, reason],
        )
        if reply[0] != "ok":
            raise self._refuse(
                reply,
                ticket_id=ticket_id,
                agent_id=agent_id,
                token=token,
                wanted="assigned",
            )
        log.info("Agent %s released %s", agent_id, ticket_id)
        return _ticket(reply[1])

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
        _check_agent_id(agent_id)
        _check_ticket_id(ticket_id)
        _check_token(token)
        if not to_agent and not to_skill:
            raise InvalidInput("transfer needs to_agent or to_skill")
        if to_agent is not None:
            _check_agent_id(to_agent)
        if to_skill is not None and (not to_skill or "," in to_skill):
            raise InvalidInput(f"invalid skill {to_skill!r}")
        _check_text(note, "note")
        k = self.keys
        keys = [
            k.ticket(ticket_id),
            k.agent(agent_id),
            k.queue,
            k.queued_at,
            k.leases,
            k.agent_chats(agent_id),
            k.events,
            k.fence,
            k.held,
        ]
        if to_agent:
            keys += [
                k.agent(to_agent),
                k.agent_chats(to_agent),
                k.agent_intense(to_agent),
            ]
        reply = await self._run(
            "transfer",
            keys,
            [ticket_id, agent_id, token, to_agent or "", to_skill or ""],
        )
        if reply[0] == "unknown_target":
            raise UnknownAgent(str(to_agent))
        if reply[0] != "ok":
            about_target = reply[0] in ("agent_unavailable", "at_capacity", "skill")
            target = to_agent if to_agent and about_target else ""
            raise self._refuse(
                reply,
                ticket_id=ticket_id,
                agent_id=target or agent_id,
                token=token,
                wanted="assigned",
            )
        ticket = _ticket(reply[4])
        log.info(
            "Agent %s transferred %s to %s", agent_id, ticket_id, to_agent or to_skill
        )
        if note:
            await self.add_note(agent_id, ticket_id, note)
            ticket = await self.ticket(ticket_id)
        return ticket

    async def add_note(self, agent_id: str, ticket_id: str, text: str) -> int:
        """Add a private note for agents; returns how many notes the ticket has."""
        _check_agent_id(agent_id)
        _check_ticket_id(ticket_id)
        _check_text(text, "note", required=True)
        k = self.keys
        reply = await self._run(
            "note",
            [k.ticket(ticket_id), k.agent(agent_id), k.events],
            [ticket_id, agent_id, text],
        )
        if reply[0] != "ok":
            raise self._refuse(reply, ticket_id=ticket_id, agent_id=agent_id)
        return int(reply[1])

    async def resolve(
        self, agent_id: str, ticket_id: str, token: int, resolution: str = ""
    ) -> Resolved:
        """Close the chat: resolved, the bot has the conversation again."""
        _check_agent_id(agent_id)
        _check_ticket_id(ticket_id)
        _check_token(token)
        _check_text(resolution, "resolution")
        k = self.keys
        reply = await self._run(
            "resolve",
            [
                k.ticket(ticket_id),
                k.agent(agent_id),
                k.leases,
                k.agent_chats(agent_id),
                k.stats_handle,
                k.followups,
                k.flagged,
                k.events,
                k.held,
            ],
            [ticket_id, agent_id, token, resolution],
        )
        if reply[0] != "ok":
            raise self._refuse(
                reply,
                ticket_id=ticket_id,
                agent_id=agent_id,
                token=token,
                wanted="assigned",
            )
        run = int(reply[1])
        suggested = run >= self.config.break_after
        log.info("Agent %s resolved %s", agent_id, ticket_id)
        return Resolved(_ticket(reply[2]), suggested, self.config.break_minutes)

    # -- maintenance ------------------------------------------------------------

    async def reap(self) -> list[Reaped]:
        """Return chats whose lease expired (agent vanished) to the queue."""
        now = self._now()
        k = self.keys
        reaped: list[Reaped] = []
        for _ in range(1000):
            ids = _str(
                list(
                    await self.redis.zrangebyscore(
                        k.leases, "-inf", f"({round(now * 1000)}", start=0, num=BATCH
                    )
                )
            )
            if not ids:
                break
            pipe = self.redis.pipeline(transaction=False)
            for ticket_id in ids:
                pipe.hget(k.ticket(ticket_id), "agent")
            holders = [h or "" for h in _str(await pipe.execute())]
            keys = [k.leases, k.queue, k.queued_at, k.flagged, k.events, k.held]
            args: list[Any] = []
            for ticket_id, holder in zip(ids, holders, strict=True):
                keys += [k.ticket(ticket_id), k.agent_chats(holder or "-")]
                args += [ticket_id, holder]
            reply = await self._run("reap", keys, args, now)
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
        fixed = [k.queue, k.queued_at, k.leases, k.flagged, k.events]
        tickets = queued = assigned = added = removed = 0
        batch: list[str] = []

        async def flush(ids: list[str]) -> None:
            nonlocal queued, assigned, added, removed
            pipe = self.redis.pipeline(transaction=False)
            for ticket_id in ids:
                pipe.hget(k.ticket(ticket_id), "agent")
            holders = [h or "" for h in _str(await pipe.execute())]
            keys = [*fixed, k.held]
            args: list[Any] = []
            for ticket_id, holder in zip(ids, holders, strict=True):
                keys += [k.ticket(ticket_id), k.agent_chats(holder or "-")]
                args += [ticket_id, holder]
            reply = await self._run("reconcile_tickets", keys, args)
            queued += int(reply[1])
            assigned += int(reply[2])
            added += int(reply[3])
            removed += int(reply[4])

        async for key in self.redis.scan_iter(match=k.ticket_pattern, count=500):
            batch.append(k.ticket_id(_str(key)))
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
        members = _str([list(x) for x in await pipe.execute()])
        indexed = sorted(set().union(*members[:4]))
        for start in range(0, len(indexed), BATCH):
            ids = indexed[start : start + BATCH]
            reply = await self._run(
                "reconcile_index", fixed + [k.ticket(i) for i in ids], ids
            )
            removed += int(reply[1])
        for agent_id in members[4]:
            held = _str(list(await self.redis.smembers(k.agent_chats(agent_id))))
            for start in range(0, max(1, len(held)), BATCH):
                ids = held[start : start + BATCH]
                reply = await self._run(
                    "reconcile_chats",
                    [k.agent_chats(agent_id), k.events, k.held]
                    + [k.ticket(i) for i in ids],
                    [agent_id, *ids],
                )
                removed += int(reply[1])
        report = ReconcileReport(tickets, queued, assigned, added, removed)
        log.info("Reconciled handoff indexes: %s", report)
        return report

    # -- reading ----------------------------------------------------------------

    async def ticket(self, ticket_id: str) -> Ticket:
        """The conversation's ticket (current or last handoff)."""
        _check_ticket_id(ticket_id)
        found = await self._tickets([ticket_id])
        if not found:
            raise UnknownTicket(ticket_id)
        return found[0]

    async def tickets(self, ticket_ids: Sequence[str]) -> list[Ticket]:
        """Several tickets in one round trip (unknown ids are left out)."""
        for ticket_id in ticket_ids:
            _check_ticket_id(ticket_id)
        return await self._tickets(ticket_ids)

    async def state(self, conversation_id: str) -> TicketState:
        """Where the conversation is; ``bot`` when it was never handed off."""
        _check_ticket_id(conversation_id)
        state = _str(await self.redis.hget(self.keys.ticket(conversation_id), "state"))
        return TicketState(state) if state else TicketState.BOT

    async def history(self, conversation_id: str) -> list[Ticket]:
        """Earlier, finished handoffs of the conversation, newest first."""
        _check_ticket_id(conversation_id)
        key = self.keys.archive(conversation_id)
        records = []
        for doc in _str(list(await self.redis.lrange(key, 0, -1))):
            try:
                records.append((conversation_id, json.loads(doc)))
            except ValueError:
                log.warning("unreadable archived handoff of %s", conversation_id)
        return _readable(records)

    async def waiting(self, limit: int | None = None) -> list[Ticket]:
        """Waiting chats, best first."""
        end = -1 if limit is None else max(0, limit - 1)
        if limit == 0:
            return []
        ids = _str(list(await self.redis.zrange(self.keys.queue, 0, end)))
        return await self._tickets(ids)

    async def timed_out(self, now: float | None = None) -> list[Ticket]:
        """Chats waiting longer than the queue timeout, longest first."""
        when = self._now() if now is None else now
        limit = round((when - self.config.queue_timeout) * 1000)
        found = await self.redis.zrangebyscore(self.keys.queued_at, "-inf", limit)
        ids = _str(list(found))
        return await self._tickets(ids)

    async def flagged(self) -> list[Ticket]:
        """Chats re-offered too often, for a supervisor."""
        ids = sorted(_str(list(await self.redis.smembers(self.keys.flagged))))
        return await self._tickets(ids)

    async def follow_ups(self) -> list[Ticket]:
        """Open chats whose customer asked for a callback or e-mail, oldest first."""
        ids = _str(list(await self.redis.zrange(self.keys.followups, 0, -1)))
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
                f = {_str(k): _str(v) for k, v in raw.items()}
                events.append(
                    Event(
                        id=_str(entry_id),
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
