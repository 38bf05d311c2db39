"""Hypothesis stateful test of the whole handoff state machine against a model.

Random sequences of enqueue, presence, heartbeat, clock steps, claims, releases,
transfers, resolves, ratings, reaps and index damage + reconcile run on a real Redis.
After every step the invariants hold: every chat is in exactly one state and in
exactly the indexes of that state, nothing is lost, nothing is in two places, agents
hold at most their capacity, and every outcome (or typed error) is the model's.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any

import redis.asyncio as aioredis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from bot.handoff import (
    Agent,
    AgentUnavailable,
    AlreadyRated,
    AlreadyResolved,
    AtCapacity,
    Claim,
    EmotionSnapshot,
    HandoffError,
    HandoffQueue,
    InvalidInput,
    InvalidState,
    NotQueued,
    NotResolved,
    Presence,
    Rating,
    StaleToken,
    UnknownTicket,
)
from tests.bot.handoff.conftest import CONFIG, Clock, delete_prefix, request

AGENTS = ("a0", "a1", "a2")
CONVERSATIONS = ("c0", "c1", "c2", "c3", "c4")
CAPACITY = 2
SETTINGS = replace(CONFIG, max_reoffers=2)
LEASE_MS = round(SETTINGS.lease * 1000)
TTL_MS = round(SETTINGS.presence_ttl * 1000)

conversations = st.sampled_from(CONVERSATIONS)
agents = st.sampled_from(AGENTS)


class HandoffMachine(RuleBasedStateMachine):
    """The queue next to a plain-Python model of what it should contain."""

    url = ""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.client = aioredis.Redis.from_url(self.url, decode_responses=True)
        self.prefix = "h" + secrets.token_hex(6)
        self.clock = Clock()
        self.queue = HandoffQueue(
            self.client, prefix=self.prefix, config=SETTINGS, clock=self.clock
        )
        self.tickets: dict[str, dict[str, Any]] = {}
        self.agents = {
            a: {"status": "offline", "seen": 0, "chats": set()} for a in AGENTS
        }
        self.old_tokens: dict[str, list[int]] = {c: [] for c in CONVERSATIONS}
        self.max_token = 0
        self.claims = 0
        for agent_id in AGENTS:
            self.run(
                self.queue.register_agent(
                    Agent(agent_id, capacity=CAPACITY, skills=frozenset({"general"}))
                )
            )

    def teardown(self) -> None:
        try:
            events = Counter(e.type for e in self.run(self.queue.events(count=10_000)))
            assert events["claimed"] == self.claims
        finally:
            self.run(delete_prefix(self.client, self.prefix))
            self.run(self.client.aclose())
            self.loop.close()

    # -- helpers ----------------------------------------------------------------

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return self.loop.run_until_complete(coro)

    def expect(self, coro: Coroutine[Any, Any, Any], error: type | None) -> Any:
        try:
            result = self.run(coro)
        except HandoffError as exc:
            assert error is not None, f"unexpected {exc!r}"
            assert type(exc) is error, f"got {exc!r}, expected {error.__name__}"
            return None
        assert error is None, f"expected {error.__name__}, got {result!r}"
        return result

    @property
    def now(self) -> int:
        return round(self.clock.now * 1000)

    def status(self, agent_id: str) -> str:
        agent = self.agents[agent_id]
        return agent["status"] if agent["seen"] >= self.now else "offline"

    def agent_error(self, agent_id: str) -> type | None:
        if self.status(agent_id) != "online":
            return AgentUnavailable
        if len(self.agents[agent_id]["chats"]) >= CAPACITY:
            return AtCapacity
        return None

    def token_for(self, conversation: str, kind: str) -> int:
        if kind == "current" and conversation in self.tickets:
            return int(self.tickets[conversation]["token"])
        if kind == "old" and self.old_tokens[conversation]:
            return self.old_tokens[conversation][0]
        return 10**9

    def holder_error(self, conversation: str, agent_id: str, token: int) -> type | None:
        """The refusal check_claim gives (None: agent and token hold the chat)."""
        if token < 1:
            return InvalidInput
        ticket = self.tickets.get(conversation)
        if ticket is None:
            return UnknownTicket
        if ticket["state"] == "resolved":
            return AlreadyResolved
        if ticket["state"] != "assigned" or ticket["token"] != token:
            return StaleToken
        if ticket["agent"] != agent_id or ticket["lease"] < self.now:
            return StaleToken
        return None

    def assigned(self, conversation: str, agent_id: str, token: int) -> None:
        assert token > self.max_token, "fencing tokens must grow"
        self.max_token = token
        ticket = self.tickets[conversation]
        if ticket["token"]:
            self.old_tokens[conversation].append(ticket["token"])
        ticket.update(state="assigned", agent=agent_id, token=token)
        ticket["lease"] = self.now + LEASE_MS
        self.agents[agent_id]["chats"].add(conversation)

    def requeued(self, conversation: str, *, reoffer: bool) -> None:
        ticket = self.tickets[conversation]
        self.agents[ticket["agent"]]["chats"].discard(conversation)
        ticket.update(state="queued", agent=None, lease=None)
        if reoffer:
            ticket["reoffers"] += 1
            if ticket["reoffers"] >= SETTINGS.max_reoffers:
                ticket["flagged"] = True

    def in_state(self, *states: str) -> list[str]:
        return sorted(c for c, t in self.tickets.items() if t["state"] in states)

    def draw_conversation(self, data: st.DataObject, *states: str) -> str:
        """Mostly a chat in one of ``states``; sometimes any (refusals get tested)."""
        fitting = self.in_state(*states)
        if fitting and data.draw(st.integers(0, 5), label="fits") > 0:
            return data.draw(st.sampled_from(fitting), label="conversation")
        return data.draw(conversations, label="conversation")

    def draw_holder(self, data: st.DataObject, conversation: str) -> tuple[str, int]:
        """Mostly the holder and current token; sometimes a wrong agent or token."""
        ticket = self.tickets.get(conversation)
        holder = ticket["agent"] if ticket and ticket["agent"] else None
        agent_id = data.draw(
            st.sampled_from([holder] * 4 + list(AGENTS)) if holder else agents,
            label="agent",
        )
        kind = data.draw(st.sampled_from(["current"] * 4 + ["old", "bogus"]))
        return agent_id, self.token_for(conversation, kind)

    # -- rules ------------------------------------------------------------------

    @initialize()
    def start(self) -> None:
        for agent_id in AGENTS:
            self.set_presence(agent_id, Presence.ONLINE)
        for conversation in CONVERSATIONS[:3]:
            self.enqueue(conversation, 0.5)

    @rule(conversation=conversations, intensity=st.floats(0, 1))
    def enqueue(self, conversation: str, intensity: float) -> None:
        result = self.run(self.queue.enqueue(request(conversation, intensity)))
        ticket = self.tickets.get(conversation)
        if ticket and ticket["state"] in ("queued", "assigned"):
            assert not result.created
            assert result.ticket.state == ticket["state"]
            return
        assert result.created
        if ticket and ticket["token"]:
            self.old_tokens[conversation].append(ticket["token"])
        self.tickets[conversation] = {
            "state": "queued",
            "agent": None,
            "token": 0,
            "lease": None,
            "reoffers": 0,
            "flagged": False,
            "rated": False,
        }

    @rule(data=st.data(), intensity=st.floats(0, 1))
    def rescore(self, data: st.DataObject, intensity: float) -> None:
        conversation = self.draw_conversation(data, "queued", "assigned")
        ticket = self.tickets.get(conversation)
        if ticket is None:
            error: type | None = UnknownTicket
        elif ticket["state"] not in ("queued", "assigned"):
            error = InvalidState
        else:
            error = None
        emotion = EmotionSnapshot("anger", intensity, 2)
        self.expect(self.queue.rescore(conversation, emotion), error)

    @rule(
        agent_id=agents,
        status=st.sampled_from(
            [Presence.ONLINE] * 3 + [Presence.AWAY, Presence.OFFLINE]
        ),
    )
    def set_presence(self, agent_id: str, status: Presence) -> None:
        self.run(self.queue.set_presence(agent_id, status))
        agent = self.agents[agent_id]
        agent["status"] = str(status)
        if status is Presence.OFFLINE:
            agent["seen"] = self.now
            for conversation in agent["chats"]:
                self.tickets[conversation]["lease"] = self.now - 1
        else:
            agent["seen"] = self.now + TTL_MS

    @rule(agent_id=agents)
    def heartbeat(self, agent_id: str) -> None:
        beat = self.run(self.queue.heartbeat(agent_id))
        agent = self.agents[agent_id]
        if agent["status"] == "offline":
            assert beat.renewed == () and beat.lost == ()
            return
        agent["seen"] = self.now + TTL_MS
        renewed, lost = set(), set()
        for conversation in agent["chats"]:
            ticket = self.tickets[conversation]
            if ticket["lease"] >= self.now:
                ticket["lease"] = self.now + LEASE_MS
                renewed.add(conversation)
            else:
                lost.add(conversation)
        assert (set(beat.renewed), set(beat.lost)) == (renewed, lost)

    @rule(seconds=st.sampled_from([1, 5, 10, 20, 29, 30, 31, 45]))
    def advance_clock(self, seconds: int) -> None:
        self.clock.advance(seconds)

    @precondition(lambda self: bool(self.in_state("queued")))
    @rule(data=st.data(), agent_id=agents)
    def claim(self, data: st.DataObject, agent_id: str) -> None:
        conversation = self.draw_conversation(data, "queued")
        error = self.agent_error(agent_id)
        ticket = self.tickets.get(conversation)
        if error is None and ticket is None:
            error = UnknownTicket
        elif error is None and ticket and ticket["state"] != "queued":
            error = NotQueued
        claim = self.expect(self.queue.claim(agent_id, conversation), error)
        if claim is not None:
            self.claims += 1
            self.assigned(conversation, agent_id, claim.token)

    @rule(agent_id=agents)
    def claim_next(self, agent_id: str) -> None:
        error = self.agent_error(agent_id)
        claim = self.expect(self.queue.claim_next(agent_id), error)
        if error is not None:
            return
        queued = set(self.in_state("queued"))
        if claim is None:
            assert not queued, f"nothing claimed while {queued} wait"
            return
        assert isinstance(claim, Claim) and claim.ticket.id in queued
        self.claims += 1
        self.assigned(claim.ticket.id, agent_id, claim.token)

    @precondition(lambda self: bool(self.in_state("assigned")))
    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        conversation = self.draw_conversation(data, "assigned")
        agent_id, token = self.draw_holder(data, conversation)
        error = self.holder_error(conversation, agent_id, token)
        done = self.expect(self.queue.release(agent_id, conversation, token), error)
        if error is None:
            assert done.state == "queued"
            self.requeued(conversation, reoffer=True)

    @precondition(lambda self: bool(self.in_state("assigned")))
    @rule(data=st.data())
    def resolve(self, data: st.DataObject) -> None:
        conversation = self.draw_conversation(data, "assigned", "resolved")
        agent_id, token = self.draw_holder(data, conversation)
        error = self.holder_error(conversation, agent_id, token)
        self.expect(self.queue.resolve(agent_id, conversation, token), error)
        if error is None:
            self.agents[agent_id]["chats"].discard(conversation)
            self.tickets[conversation].update(state="resolved", lease=None)

    @precondition(lambda self: bool(self.in_state("assigned")))
    @rule(data=st.data(), to=agents)
    def transfer_to_agent(self, data: st.DataObject, to: str) -> None:
        conversation = self.draw_conversation(data, "assigned")
        agent_id, token = self.draw_holder(data, conversation)
        error = self.holder_error(conversation, agent_id, token)
        if error is None and to == agent_id:
            error = InvalidInput
        if error is None:
            error = self.agent_error(to)
        moved = self.expect(
            self.queue.transfer(agent_id, conversation, token, to_agent=to), error
        )
        if error is None:
            self.agents[agent_id]["chats"].discard(conversation)
            self.assigned(conversation, to, moved.token)

    @precondition(lambda self: bool(self.in_state("assigned")))
    @rule(data=st.data())
    def transfer_to_skill(self, data: st.DataObject) -> None:
        conversation = self.draw_conversation(data, "assigned")
        agent_id, token = self.draw_holder(data, conversation)
        error = self.holder_error(conversation, agent_id, token)
        self.expect(
            self.queue.transfer(agent_id, conversation, token, to_skill="general"),
            error,
        )
        if error is None:
            self.requeued(conversation, reoffer=False)

    @precondition(lambda self: bool(self.in_state("assigned")))
    @rule(data=st.data())
    def reply_allowed(self, data: st.DataObject) -> None:
        conversation = self.draw_conversation(data, "assigned")
        _agent, token = self.draw_holder(data, conversation)
        ticket = self.tickets.get(conversation)
        holder = ticket["agent"] if ticket else None
        allowed = self.holder_error(conversation, holder or "", token) is None
        assert self.run(self.queue.reply_allowed(conversation, token)) is allowed

    @rule()
    def reap(self) -> None:
        expired = {
            c
            for c, t in self.tickets.items()
            if t["state"] == "assigned" and t["lease"] < self.now
        }
        reaped = self.run(self.queue.reap())
        assert {r.ticket_id for r in reaped} == expired
        for conversation in sorted(expired):
            self.requeued(conversation, reoffer=True)
        for item in reaped:
            assert item.reoffers == self.tickets[item.ticket_id]["reoffers"]
            assert item.flagged == self.tickets[item.ticket_id]["flagged"]

    @precondition(lambda self: bool(self.in_state("resolved")))
    @rule(data=st.data(), csat=st.integers(1, 5))
    def rate(self, data: st.DataObject, csat: int) -> None:
        conversation = self.draw_conversation(data, "resolved")
        ticket = self.tickets.get(conversation)
        if ticket is None:
            error: type | None = UnknownTicket
        elif ticket["state"] != "resolved":
            error = NotResolved
        elif ticket["rated"]:
            error = AlreadyRated
        else:
            error = None
        self.expect(self.queue.rate(conversation, Rating(csat, csat)), error)
        if error is None:
            self.tickets[conversation]["rated"] = True

    @rule(agent_id=agents)
    def damage_and_reconcile(self, agent_id: str) -> None:
        k = self.queue.keys
        self.run(self.client.delete(k.queue, k.queued_at, k.agent_chats(agent_id)))
        self.run(self.client.zadd(k.queue, {"ghost": 0}))
        self.run(self.client.sadd(k.agent_chats(agent_id), "ghost"))
        self.run(self.queue.reconcile())

    # -- invariants -------------------------------------------------------------

    @invariant()
    def redis_matches_the_model(self) -> None:
        k = self.queue.keys
        pipe = self.client.pipeline(transaction=True)
        for conversation in CONVERSATIONS:
            pipe.hmget(
                k.ticket(conversation), "state", "agent", "token", "reoffers", "flagged"
            )
        pipe.zrange(k.queue, 0, -1)
        pipe.zrange(k.queued_at, 0, -1)
        pipe.zrange(k.leases, 0, -1, withscores=True)
        pipe.smembers(k.flagged)
        pipe.hgetall(k.held)
        for agent_id in AGENTS:
            pipe.smembers(k.agent_chats(agent_id))
        replies = self.run(pipe.execute())
        rows = dict(zip(CONVERSATIONS, replies[: len(CONVERSATIONS)], strict=True))
        queue, queued_at, leases, flagged, held_counts, *chats = replies[
            len(CONVERSATIONS) :
        ]
        by_state: dict[str, set[str]] = {"queued": set(), "assigned": set()}
        for conversation, (state, agent, token, reoffers, flag) in rows.items():
            model = self.tickets.get(conversation)
            if model is None:
                assert state is None, f"{conversation} exists but was never queued"
                continue
            assert state == model["state"], (conversation, state, model)
            by_state.setdefault(state, set()).add(conversation)
            assert int(reoffers) == model["reoffers"]
            assert (flag == "1") == model["flagged"]
            if state == "assigned":
                assert agent == model["agent"] and int(token) == model["token"]
            if state == "queued":
                assert agent == ""
        # every chat in exactly the indexes of its state, nothing anywhere else
        assert set(queue) == by_state["queued"] and len(queue) == len(set(queue))
        assert set(queued_at) == by_state["queued"]
        assert {m: int(s) for m, s in leases} == {
            c: self.tickets[c]["lease"] for c in by_state["assigned"]
        }
        assert not set(queue) & {m for m, _ in leases}
        held: list[str] = []
        for agent_id, members in zip(AGENTS, chats, strict=True):
            assert members == self.agents[agent_id]["chats"], agent_id
            assert len(members) <= CAPACITY
            assert int(held_counts.get(agent_id, 0)) == len(members)
            held += members
        assert sorted(held) == sorted(by_state["assigned"])  # one holder each
        assert flagged == {
            c
            for c, t in self.tickets.items()
            if t["flagged"] and t["state"] in ("queued", "assigned")
        }


def test_handoff_state_machine(shared_url: str) -> None:
    HandoffMachine.url = shared_url
    run_state_machine_as_test(
        HandoffMachine,
        settings=settings(
            max_examples=60,
            stateful_step_count=50,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
