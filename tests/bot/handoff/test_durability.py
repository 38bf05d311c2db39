"""Durability on a private redis-server: kill -9 during a burst, lost scripts."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.handoff import Claim, HandoffQueue, TicketState
from bot.ops.redis_server import RedisServer
from tests.bot.handoff.conftest import CONFIG, online_agent, request

WRITERS = 16
KILL_AFTER = 400  # acknowledged enqueues before the kill


async def test_every_acknowledged_enqueue_survives_kill_9(
    private_server: RedisServer,
) -> None:
    client = aioredis.Redis.from_url(
        private_server.url, decode_responses=True, socket_timeout=5
    )
    queue = HandoffQueue(client, prefix="crash", config=CONFIG)
    acknowledged: list[str] = []
    failed: list[str] = []

    async def writer(number: int) -> None:
        for i in range(100_000):
            conversation = f"w{number}-{i}"
            try:
                await queue.enqueue(request(conversation, intensity=(i % 10) / 10))
            except (RedisConnectionError, RedisTimeoutError, OSError):
                failed.append(conversation)  # not acknowledged: may or may not exist
                return
            acknowledged.append(conversation)

    writers = [asyncio.create_task(writer(n)) for n in range(WRITERS)]
    while len(acknowledged) < KILL_AFTER:
        await asyncio.sleep(0.002)
    private_server.kill()  # SIGKILL in the middle of the burst
    await asyncio.wait_for(asyncio.gather(*writers), 60)
    await client.aclose()
    assert len(failed) == WRITERS  # every writer was cut off mid-burst

    private_server.start()  # same port and directory: replays the append-only file
    client = aioredis.Redis.from_url(private_server.url, decode_responses=True)
    queue = HandoffQueue(client, prefix="crash", config=CONFIG)
    try:
        pipe = client.pipeline(transaction=False)
        for conversation in acknowledged:
            pipe.hget(queue.keys.ticket(conversation), "state")
            pipe.zscore(queue.keys.queue, conversation)
        replies = await pipe.execute()
        states, scores = replies[::2], replies[1::2]
        lost = [c for c, s in zip(acknowledged, states, strict=True) if s != "queued"]
        assert lost == [], f"{len(lost)} of {len(acknowledged)} acknowledged lost"
        assert all(score is not None for score in scores)
        report = await queue.reconcile()  # ticket hashes and the index agree
        assert report.added == 0 and report.removed == 0
        assert report.queued >= len(acknowledged)
    finally:
        await client.aclose()


async def test_scripts_are_loaded_again_after_the_server_forgets_them(
    private_server: RedisServer,
) -> None:
    client = aioredis.Redis.from_url(private_server.url, decode_responses=True)
    queue = HandoffQueue(client, prefix="flush", config=CONFIG)
    try:
        await online_agent(queue, "a1")
        await queue.enqueue(request("c1"))
        await queue.enqueue(request("c2"))
        await client.script_flush()
        claim = await queue.claim("a1", "c1")
        assert claim.ticket.state is TicketState.ASSIGNED
        await client.script_flush()
        [batch] = await queue.claim_many([("a1", "c2")])
        assert isinstance(batch, Claim)
    finally:
        await client.aclose()
