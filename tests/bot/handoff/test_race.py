"""Concurrent claimers on a real Redis: exactly one winner, every time."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.handoff import Agent, Claim, EventType, HandoffQueue, NotQueued, Presence
from tests.bot.handoff.conftest import CONFIG, request

CLAIMERS = 50
ROUNDS = 1000


@pytest.fixture
async def racing_queue(shared_url: str, prefix: str) -> AsyncIterator[HandoffQueue]:
    """A queue on a pool of several connections, on the real clock, with agents."""
    pool = aioredis.BlockingConnectionPool.from_url(
        shared_url, decode_responses=True, max_connections=16, timeout=30
    )
    client = aioredis.Redis(connection_pool=pool)
    queue = HandoffQueue(client, prefix=prefix, config=CONFIG)
    for i in range(CLAIMERS):
        await queue.register_agent(Agent(f"agent{i}", capacity=100))
        await queue.set_presence(f"agent{i}", Presence.ONLINE)
    yield queue
    await client.aclose()
    await pool.disconnect()


async def test_fifty_claimers_race_for_one_chat_a_thousand_times(
    racing_queue: HandoffQueue,
) -> None:
    queue = racing_queue
    started = time.monotonic()
    winners: list[Claim] = []
    for round_ in range(ROUNDS):
        ticket_id = f"race-{round_}"
        await queue.enqueue(request(ticket_id))
        if round_ % 100 == 0:  # keep presence fresh on the real clock
            await asyncio.gather(*(queue.heartbeat(f"agent{i}") for i in range(50)))
        results = await asyncio.gather(
            *(queue.claim(f"agent{i}", ticket_id) for i in range(CLAIMERS)),
            return_exceptions=True,
        )
        claims = [r for r in results if isinstance(r, Claim)]
        losers = [r for r in results if isinstance(r, NotQueued)]
        assert len(claims) == 1, f"round {round_}: {len(claims)} winners"
        assert len(losers) == CLAIMERS - 1, [
            r for r in results if not isinstance(r, Claim | NotQueued)
        ]
        [claim] = claims
        assert all(e.state == "assigned" for e in losers)
        stored = await queue.ticket(ticket_id)
        assert stored.agent_id == claim.ticket.agent_id
        assert stored.token == claim.token
        winners.append(claim)
        await queue.resolve(str(claim.ticket.agent_id), ticket_id, claim.token)
    elapsed = time.monotonic() - started
    tokens = [c.token for c in winners]
    assert tokens == sorted(tokens) and len(set(tokens)) == ROUNDS
    claimed = Counter(
        e.ticket_id
        for e in await queue.events(count=100_000)
        if e.type is EventType.CLAIMED
    )
    assert len(claimed) == ROUNDS and set(claimed.values()) == {1}
    assert elapsed < 60, f"{ROUNDS} rounds took {elapsed:.1f} s"


async def test_claim_next_race_hands_out_every_chat_once(
    racing_queue: HandoffQueue,
) -> None:
    queue = racing_queue
    chats = 400
    for i in range(chats):
        await queue.enqueue(request(f"next-{i}", intensity=(i % 10) / 10))

    async def worker(agent_id: str) -> list[str]:
        got = []
        while (claim := await queue.claim_next(agent_id)) is not None:
            got.append(claim.ticket.id)
        return got

    results = await asyncio.gather(*(worker(f"agent{i}") for i in range(CLAIMERS)))
    handed = [ticket for got in results for ticket in got]
    assert len(handed) == chats and len(set(handed)) == chats
    assert await queue.waiting() == []
    views = await queue.agents()
    assert sum(len(v.chats) for v in views) == chats
