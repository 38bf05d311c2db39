"""Shared fixtures of the handoff tests: a real Redis, a fake clock, a fresh queue.

The shared Redis (127.0.0.1:6379) is used only in database 12 and only under a random
key prefix per test, whose keys are deleted afterwards. When it does not answer, a
private ``redis-server`` is started for the session instead (bot/ops/redis_server.py,
as for the tests that must kill one).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import redis
import redis.asyncio as aioredis

from bot.conversations import Conversations
from bot.handoff import (
    Agent,
    Customer,
    EmotionSnapshot,
    HandoffConfig,
    HandoffQueue,
    HandoffRequest,
    Presence,
    UrgencyFlag,
)
from bot.handoff.keys import Keys
from bot.ops.redis_server import RedisServer
from bot.transcript import Transcript
from bot.upstream import EmotionClient, RasaClient

NOWHERE = "http://127.0.0.1:9"  # a Rasa and action server that never answer
SHARED_URL = os.environ.get("HANDOFF_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")

# Hours always open, otherwise the numbers of data/handoff.yml.
CONFIG = HandoffConfig()


class Clock:
    """A clock the test moves by hand (UNIX seconds)."""

    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def delete_prefix(client: aioredis.Redis, prefix: str) -> None:
    """Delete every key of one test's prefix (and nothing else)."""
    keys = [
        k async for k in client.scan_iter(match=Keys(prefix).all_pattern, count=500)
    ]
    for start in range(0, len(keys), 500):
        await client.delete(*keys[start : start + 500])


@pytest.fixture(scope="session")
def shared_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shared test database, or a private server when none answers."""
    probe = redis.Redis.from_url(SHARED_URL, socket_connect_timeout=1)
    try:
        probe.ping()
        yield SHARED_URL
        return
    except (redis.ConnectionError, OSError):
        pass
    finally:
        probe.close()
    server = RedisServer(tmp_path_factory.mktemp("redis"), appendfsync=None)
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def private_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A private redis-server (append-only file, fsync always) for one test."""
    server = RedisServer(tmp_path / "redis", appendfsync="always")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def client(shared_url: str) -> AsyncIterator[aioredis.Redis]:
    """One async client (connection pool) for the session."""
    pool = aioredis.BlockingConnectionPool.from_url(
        shared_url, decode_responses=True, max_connections=32, timeout=20
    )
    connection = aioredis.Redis(connection_pool=pool)
    yield connection
    await connection.aclose()
    await pool.disconnect()


@pytest.fixture
async def prefix(client: aioredis.Redis) -> AsyncIterator[str]:
    """A random key prefix for one test; its keys are deleted afterwards."""
    name = "t" + secrets.token_hex(6)
    yield name
    await delete_prefix(client, name)


@pytest.fixture
def clock() -> Clock:
    """The fake clock of one test."""
    return Clock()


@pytest.fixture
def queue(client: aioredis.Redis, prefix: str, clock: Clock) -> HandoffQueue:
    """A queue on its own prefix, driven by the fake clock."""
    return HandoffQueue(client, prefix=prefix, config=CONFIG, clock=clock)


def make_queue(
    client: aioredis.Redis, prefix: str, clock: Clock, **changes: object
) -> HandoffQueue:
    """A queue with some config values changed."""
    return HandoffQueue(
        client, prefix=prefix, config=replace(CONFIG, **changes), clock=clock
    )


def request(
    conversation_id: str,
    intensity: float = 0.2,
    frustration: int = 0,
    flags: frozenset[UrgencyFlag] = frozenset(),
    **extra: Any,
) -> HandoffRequest:
    """A handoff request with the given emotion."""
    return HandoffRequest(
        conversation_id=conversation_id,
        channel="web",
        customer=Customer("cust-" + conversation_id, "Customer " + conversation_id),
        emotion=EmotionSnapshot("frustration", intensity, frustration),
        topic="refund_status",
        reasons=["frustration"],
        explanation=f"Frustration {frustration}/4.",
        tried=["order lookup", "refund policy"],
        slots={"order_id": "48213"},
        flags=flags,
        **extra,
    )


async def online_agent(
    queue: HandoffQueue,
    agent_id: str,
    capacity: int = 3,
    skills: frozenset[str] = frozenset(),
) -> None:
    """Register an agent and set them online."""
    await queue.register_agent(Agent(agent_id, agent_id.title(), capacity, skills))
    await queue.set_presence(agent_id, Presence.ONLINE)


def offline_conversations(queue: HandoffQueue, client: aioredis.Redis) -> Conversations:
    """The routing on the queue's Redis with no Rasa or action server behind it (the
    housekeeping and the reports never call them)."""
    return Conversations(
        redis=client,
        keys=Keys(queue.keys.prefix),
        queue=queue,
        transcript=Transcript(client, prefix=queue.keys.prefix),
        rasa=RasaClient(NOWHERE, 1),
        emotion=EmotionClient(NOWHERE),
    )


@asynccontextmanager
async def own_conversations(queue: HandoffQueue) -> AsyncIterator[Conversations]:
    """Conversations on ``queue`` whose messages never reach Rasa (a waiting
    customer's message never goes there)."""
    rasa, emotion = RasaClient(NOWHERE, 1), EmotionClient(NOWHERE, 0.5)
    try:
        yield Conversations(
            redis=queue.redis,
            keys=queue.keys,
            queue=queue,
            transcript=Transcript(queue.redis, prefix=queue.keys.prefix),
            rasa=rasa,
            emotion=emotion,
        )
    finally:
        await rasa.close()
        await emotion.close()


@pytest.fixture
async def conversations(queue: HandoffQueue) -> AsyncIterator[Conversations]:
    async with own_conversations(queue) as conv:
        yield conv
