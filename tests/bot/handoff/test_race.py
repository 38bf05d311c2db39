"""Concurrent claimers on a real Redis: exactly one winner, every time."""

from __future__ import annotations

import asyncio
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
    pool = aioredis.ConnectionPool.from_url(
        shared_url, decode_responses=True, max_connections=CLAIMERS
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
    winners: list[Claim] = []
    for round_ in range(ROUNDS):
        ticket_id = f"race-{round_}"
        await queue.enqueue(request(ticket_id))
        if round_ % 200 == 0:  # keep presence fresh on the real clock
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
        assert all(e.state == "assigned" for e in losers)
        winners.append(claims[0])
        if round_ % 10 == 9:  # keep every agent below capacity
            await asyncio.gather(
                *(
                    queue.resolve(str(c.ticket.agent_id), c.ticket.id, c.token)
                    for c in winners[-10:]
                )
            )
    tokens = [c.token for c in winners]
    assert tokens == sorted(tokens) and len(set(tokens)) == ROUNDS
    stored = await queue.tickets([c.ticket.id for c in winners])
    assert [(t.agent_id, t.token) for t in stored] == [
        (c.ticket.agent_id, c.token) for c in winners
    ]
    claimed = Counter(
        e.ticket_id
        for e in await queue.events(count=100_000)
        if e.type is EventType.CLAIMED
    )
    assert len(claimed) == ROUNDS and set(claimed.values()) == {1}


async def test_claim_many_pipelines_contested_claims(
    racing_queue: HandoffQueue,
) -> None:
    queue = racing_queue
    tickets = [f"batch-{i}" for i in range(20)]
    for ticket_id in tickets:
        await queue.enqueue(request(ticket_id))
    pairs = [(f"agent{a}", t) for t in tickets for a in range(CLAIMERS)]
    halves = await asyncio.gather(
        queue.claim_many(pairs[::2]), queue.claim_many(pairs[1::2])
    )
    results = [r for half in halves for r in half]
    claims = [r for r in results if isinstance(r, Claim)]
    assert sorted(c.ticket.id for c in claims) == sorted(tickets)
    assert all(isinstance(r, Claim | NotQueued) for r in results)


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
