"""The customer side of the handoff queue: queue a chat, re-score it, where it
stands, a follow-up instead of waiting, the rating afterwards, business hours."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from bot.handoff import keys as K
from bot.handoff import scripts as S
from bot.handoff.checks import check_text, check_ticket_id, checked_flags
from bot.handoff.errors import InvalidInput, UnknownTicket
from bot.handoff.flags import UrgencyFlag
from bot.handoff.keys import valid_id
from bot.handoff.line import Line, QueuePosition, expected_wait
from bot.handoff.models import Availability, EnqueueResult
from bot.handoff.runner import QueuePart, log, ticket_of
from bot.handoff.ticket import (
    EmotionSnapshot,
    FollowUp,
    HandoffRequest,
    Rating,
    Ticket,
    TicketState,
)

__all__ = ["CustomerSide"]


class CustomerSide(QueuePart):
    """What happens on the customer's behalf."""

    def closed_until(self) -> str | None:
        """None within business hours; else when the team is back, as a customer
        reads it ("tomorrow at 08:00 Berlin time"), or "" when not within two weeks.

        Kept for the rest of the second: every waiting widget asks when the line
        moves (bot/widget_push.py), and the answer costs about 17 µs.
        """
        now, hours = self._now(), self.config.hours
        second = int(now)
        cached = getattr(self, "_closed_until", None)
        if cached is not None and cached[0] == second:
            return cached[1]
        if hours.is_open(now):
            answer = None
        else:
            back = hours.next_open(now)
            answer = "" if back is None else hours.describe(back, now)
        self._closed_until: tuple[int, str | None] = (second, answer)
        return answer

    def reopens(self) -> float | None:
        """When the team is back (UNIX s) while outside business hours; None within
        them or when not within two weeks."""
        now, hours = self._now(), self.config.hours
        return None if hours.is_open(now) else hours.next_open(now)

    def _position(
        self,
        state: TicketState,
        rank: int,
        waiting: int,
        estimate: list[Any],
        version: str = "",
    ) -> QueuePosition:
        """A QueuePosition from a script's rank and estimate (see scripts)."""
        online, capacity, free, median = estimate
        position = rank + 1 if rank >= 0 and state is TicketState.QUEUED else None
        wait = None
        if position is not None:
            handle = float(median) if median else self.config.default_handle_time
            wait = expected_wait(position, int(free), int(capacity), handle)
        return QueuePosition(state, position, waiting, int(online), wait, version)

    async def enqueue(self, request: HandoffRequest) -> EnqueueResult:
        """Queue a conversation for a person; a repeat returns the existing ticket."""
        check_ticket_id(request.conversation_id)
        if not isinstance(request.channel, str) or not 0 < len(request.channel) <= 40:
            raise InvalidInput("channel must be 1-40 characters")
        if not valid_id(request.customer.id) or len(request.customer.name) > 200:
            raise InvalidInput("customer needs an id and a name of at most 200 chars")
        problems = request.emotion.problems()
        for snap in request.timeline:
            problems += snap.problems()
        if problems:
            raise InvalidInput("; ".join(problems))
        check_text(request.explanation, "explanation")
        if len(request.topic) > 100 or len(request.skill) > 40:
            raise InvalidInput("topic or skill too long")
        flags = checked_flags(request.flags, map(str, self.config.flag_weights))
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
        reply = await self._runner.run(
            S.ENQUEUE,
            [ticket.id, json.dumps(ticket.to_fields())],
            ticket=ticket.id,
            now=now,
        )
        code, rank, waiting = reply[0], int(reply[1]), int(reply[2])
        stored = ticket_of(reply[3])
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
        check_ticket_id(conversation_id)
        if problems := emotion.problems():
            raise InvalidInput("; ".join(problems))
        new_flags = checked_flags(flags, map(str, self.config.flag_weights))
        now = self._now()
        snap = (
            emotion
            if emotion.at
            else EmotionSnapshot(
                emotion.label, emotion.intensity, emotion.frustration, now
            )
        )
        reply = await self._runner.call(
            S.RESCORE,
            [conversation_id, json.dumps(snap.to_dict()), ",".join(new_flags)],
            ticket=conversation_id,
            wanted="queued or assigned",
            now=now,
        )
        ticket = ticket_of(reply[2])
        log.info("Handoff %s rescored to %.1f", conversation_id, ticket.priority)
        return ticket

    async def position(self, conversation_id: str) -> QueuePosition:
        """Where the conversation stands in the queue, with the expected wait."""
        check_ticket_id(conversation_id)
        reply = await self._runner.run(
            S.ESTIMATE, [conversation_id], ticket=conversation_id
        )
        if not reply[0]:
            raise UnknownTicket(conversation_id)
        return self._position(
            TicketState(reply[0]), int(reply[1]), int(reply[2]), reply[3], reply[4]
        )

    async def line(self) -> Line:
        """The whole waiting line in one read: who waits, in order, and what the
        wait estimate needs; everyone's place comes from it (``Line.place``)."""
        version, ids, estimate = await self._runner.run(S.LINE, [])
        online, capacity, free, median = estimate
        handle = float(median) if median else self.config.default_handle_time
        return Line(
            str(version), tuple(ids), int(online), int(capacity), int(free), handle
        )

    async def request_follow_up(
        self, conversation_id: str, follow_up: FollowUp
    ) -> None:
        """Store the customer's wish to be called or e-mailed instead of waiting."""
        check_ticket_id(conversation_id)
        if not follow_up.contact or len(follow_up.contact) > 200:
            raise InvalidInput("follow-up needs a contact of at most 200 characters")
        check_text(follow_up.note, "follow-up note")
        now = self._now()
        record = FollowUp(
            follow_up.method,
            follow_up.contact,
            follow_up.preferred_time[:200],
            follow_up.note,
            follow_up.at or now,
        )
        await self._runner.call(
            S.FOLLOW_UP,
            [conversation_id, json.dumps(record.to_dict())],
            ticket=conversation_id,
            wanted="queued or assigned",
            now=now,
        )

    async def rate(self, conversation_id: str, rating: Rating) -> None:
        """Store the customer's rating of a resolved chat (once)."""
        check_ticket_id(conversation_id)
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
        await self._runner.call(
            S.RATE,
            [conversation_id, json.dumps(asdict(record))],
            ticket=conversation_id,
            now=now,
        )
