"""Retention: transcripts and tickets survive restarts and expire when configured.

``RETENTION_DAYS`` (bot/settings.py) sets how long a conversation's transcript, its
emotion marks and its record are kept after the last message; the private stack of
conftest.py runs with 30 days, not the default 90.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from pydantic import ValidationError

from bot.handoff import Customer as TicketCustomer
from bot.handoff import HandoffQueue, HandoffRequest, TicketState
from bot.settings import Settings
from bot.transcript import DEFAULT_RETENTION_S, Transcript
from tests.reliability.clients import Customer, retrying
from tests.reliability.conftest import FSYNC_WINDOW_S, RETENTION_DAYS, FaultStack

DAY = 24 * 3600


def test_retention_days_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RETENTION_DAYS", raising=False)
    assert Settings().retention_s == DEFAULT_RETENTION_S == 90 * DAY
    monkeypatch.setenv("RETENTION_DAYS", "7")
    assert Settings().retention_s == 7 * DAY
    for bad in ("0", "-3", "abc", "99999"):
        monkeypatch.setenv("RETENTION_DAYS", bad)
        with pytest.raises(ValidationError, match="retention_days"):
            Settings()


@pytest.fixture
async def client(fault_stack: FaultStack) -> AsyncIterator[aioredis.Redis]:
    connection = aioredis.Redis.from_url(
        fault_stack.settings.redis_url, decode_responses=True
    )
    yield connection
    await connection.aclose()


@pytest.mark.reliability
@pytest.mark.stack
async def test_the_gateway_and_action_server_keep_transcripts_retention_days(
    fault_stack: FaultStack, client: aioredis.Redis
) -> None:
    customer = Customer(fault_stack.gateways, name="ret")
    await customer.start()
    sent = await customer.ask("hello, where is my order?")
    assert sent.reply is not None and sent.reply["author"] == "bot"
    await customer.close()
    keys = Transcript(client, prefix=fault_stack.settings.redis_prefix).keys
    cid = customer.conversation
    for key in (keys.transcript(cid), keys.conversation(cid), keys.client_ids(cid)):
        ttl = await client.ttl(key)
        assert (RETENTION_DAYS - 1) * DAY < ttl <= RETENTION_DAYS * DAY, key
    # The action server marks the message with its emotion, under the same limit.
    for _ in range(50):
        if await client.exists(keys.emotion(cid)):
            break
        await asyncio.sleep(0.2)
    ttl = await client.ttl(keys.emotion(cid))
    assert (RETENTION_DAYS - 1) * DAY < ttl <= RETENTION_DAYS * DAY


@pytest.mark.reliability
@pytest.mark.stack
async def test_transcripts_and_tickets_survive_a_redis_kill(
    fault_stack: FaultStack, client: aioredis.Redis
) -> None:
    prefix = fault_stack.settings.redis_prefix
    transcript = Transcript(client, prefix=prefix)
    queue = HandoffQueue(client, prefix=prefix)
    customer = Customer(fault_stack.gateways, name="ret-kill")
    await customer.start()
    assert (await customer.ask("where is my order?")).reply is not None
    cid = customer.conversation
    await queue.enqueue(
        HandoffRequest(cid, "web", TicketCustomer(cid, "Ret"), reasons=["test"])
    )
    before = [e.id for e in await transcript.read(cid)]
    ttl_before = await client.ttl(transcript.keys.transcript(cid))
    # As `make run`: fsync every second, so the last ~2 s may be lost in a crash
    # (test_faults.py counts that); what is older than that must survive.
    await client.config_set("appendfsync", "everysec")
    await asyncio.sleep(FSYNC_WINDOW_S + 0.5)

    fault_stack.kill("redis")
    await asyncio.to_thread(fault_stack.restart, "redis")

    after = [e.id for e in await retrying(lambda: transcript.read(cid))]
    assert after == before and len(after) >= 2
    ticket = await queue.ticket(cid)
    assert ticket.state is TicketState.QUEUED and ticket.reasons == ["test"]
    ttl_after = await client.ttl(transcript.keys.transcript(cid))
    assert 0 < ttl_after <= ttl_before  # the expiry survived the restart
    # The customer carries on after the restart; the waiting note answers.
    sent = await customer.ask("are you there?")
    assert sent.reply is not None and sent.reply["author"] == "system"
    await customer.close()
