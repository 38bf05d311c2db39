"""The gateway's housekeeping on a real Redis with a fake clock: the reaper tells the
customer, a long wait gets one apology per wait."""

from __future__ import annotations

import redis.asyncio as aioredis

from bot.handoff import HandoffQueue, TicketState
from bot.maintenance import Maintenance
from bot.texts import say
from bot.transcript import Transcript
from tests.bot.handoff.conftest import (
    Clock,
    offline_conversations,
    online_agent,
    request,
)


def housekeeping(queue: HandoffQueue, client: aioredis.Redis) -> Maintenance:
    conversations = offline_conversations(queue, client)
    return Maintenance(conversations, client, conversations.keys)


async def texts(queue: HandoffQueue, client: aioredis.Redis, cid: str) -> list[str]:
    transcript = Transcript(client, prefix=queue.keys.prefix)
    return [e.text for e in await transcript.read(cid)]


async def test_a_vanished_agents_chat_returns_and_the_customer_is_told(
    queue: HandoffQueue, client: aioredis.Redis, clock: Clock
) -> None:
    await online_agent(queue, "kim")
    await queue.enqueue(request("web-reap"))
    await queue.claim("kim", "web-reap")
    job = housekeeping(queue, client)
    await job.run_once()
    assert await queue.state("web-reap") is TicketState.ASSIGNED
    clock.advance(queue.config.lease + queue.config.presence_ttl + 1)
    await job.run_once()
    assert await queue.state("web-reap") is TicketState.QUEUED
    assert await texts(queue, client, "web-reap") == [say("released")]


async def test_a_long_wait_gets_one_apology_per_wait(
    queue: HandoffQueue, client: aioredis.Redis, clock: Clock
) -> None:
    await queue.enqueue(request("web-wait"))
    job = housekeeping(queue, client)
    await job.run_once()
    assert await texts(queue, client, "web-wait") == []
    clock.advance(queue.config.queue_timeout + 1)
    await job.run_once()
    await job.run_once()
    assert await texts(queue, client, "web-wait") == [say("queue_timeout")]
