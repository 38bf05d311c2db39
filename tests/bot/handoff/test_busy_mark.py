"""A message's "busy" mark on a real Redis: renewed while the gateway answers it
(it may wait its turn for Rasa longer than the mark lives: bot/upstream_line.py),
a "done" mark is never shortened by a renewal, and the renewal ends once the
message is answered, even when the cancel lands in a Redis command (redis-py 8.1
swallows such a cancel: this test hung on the cancel alone, once in a few runs)."""

from __future__ import annotations

import asyncio
import contextlib
import time

import redis.asyncio as aioredis

from bot.handoff import HandoffQueue
from tests.bot.handoff.conftest import offline_conversations
from tests.polling import until


async def test_a_waiting_message_keeps_its_busy_mark_and_done_stays_done(
    queue: HandoffQueue, client: aioredis.Redis
) -> None:
    conversations = offline_conversations(queue, client)
    conversations.busy_ttl_s = 3  # renewed every second
    key = conversations.keys.work("web-busy", "1-0")
    await client.set(key, "busy", ex=3)
    answered = asyncio.Event()
    renewing = asyncio.create_task(
        conversations._keep_busy("web-busy", "1-0", answered)
    )
    try:
        started = time.monotonic()
        # Redis's own clock expires the mark 3 s after it was set: renewed, it is
        # still there well after that
        await until(lambda: time.monotonic() - started > 4.5, 10)
        assert await client.get(key) == "busy"
        await client.set(key, "done", ex=86400)
        marked = time.monotonic()
        await until(lambda: time.monotonic() - marked > 1.5, 10)  # a renewal later
        assert await client.get(key) == "done"
        assert await client.ttl(key) > 3600
    finally:
        answered.set()  # ends it even when a cancel would be swallowed
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            async with asyncio.timeout(10):
                await renewing
        await client.delete(key)


async def test_the_renewal_ends_when_the_message_is_answered_without_a_cancel(
    queue: HandoffQueue, client: aioredis.Redis
) -> None:
    conversations = offline_conversations(queue, client)
    answered = asyncio.Event()
    renewing = asyncio.create_task(
        conversations._keep_busy("web-busy2", "1-0", answered)
    )
    await asyncio.sleep(0)  # it runs up to its wait
    assert not renewing.done()
    answered.set()
    async with asyncio.timeout(5):
        await renewing  # ends on its own, no cancel needed
