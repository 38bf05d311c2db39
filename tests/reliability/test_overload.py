"""A slow Rasa is no reason to hand a customer to a person; a dead one is.

Real Rasa, Redis and action server (the reliability suite's stack), made slow or
hung for real with SIGSTOP, and the gateway's own routing (``Conversations``) with
its Rasa client: the line in front of Rasa (bot/upstream_line.py) lets only one
request in flight here, so the others wait in the gateway.

- Slow: Rasa is stopped, runs until it answered one more message, is stopped
  again, ...: every stop is shorter than the timeout, the waits add up to more
  than it. Every message is answered by the bot (before the line, the requests
  waiting inside a stopped Rasa timed out and their customers got the apology).
- Hung: Rasa stays stopped. Every message gets the apology and a place in the
  queue within a bounded time (the stall rule: nothing answered for the timeout),
  not one timeout after another.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.conversations import Conversations, Inbound, Outcome
from bot.handoff import TicketState
from bot.ops.private import routing_on
from bot.transcript import Author
from bot.upstream import RasaClient
from tests.polling import until
from tests.reliability.clients import Agent
from tests.reliability.conftest import FaultStack, descendants

TIMEOUT_S = 4.0  # one request to Rasa, once it has its turn
STOP_S = 2.5  # each stop of the slow Rasa: shorter than the timeout


def rasa_pids(fault_stack: FaultStack) -> list[int]:
    """Rasa's manager and its workers."""
    process = fault_stack.stack.service("rasa").process
    assert process is not None and process.poll() is None, "rasa is not running"
    return [process.pid, *descendants(process.pid)]


@contextlib.contextmanager
def stopped(pids: list[int]) -> Iterator[None]:
    """Rasa's processes stopped (SIGSTOP) until the block ends; continued always."""
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


@pytest.fixture
async def routing(fault_stack: FaultStack) -> AsyncIterator[Conversations]:
    """The gateway's routing on the stack, with one request in flight to Rasa."""
    s = fault_stack.settings
    rasa = RasaClient(s.rasa_url, TIMEOUT_S, s.rasa_api_token(), in_flight=1)
    async with routing_on(s, rasa) as conversations:
        yield conversations


def messages(count: int) -> list[Inbound]:
    """First messages of new conversations, one each."""
    run = secrets.token_hex(3)
    return [
        Inbound(f"ovl-{run}-{i}", "web", "where is my order?", client_id=f"m{i}")
        for i in range(count)
    ]


def apologised(outcome: Outcome) -> bool:
    """Whether the answer was the apology for a bot that is unavailable."""
    return any(r.data.get("reason") == "bot_unavailable" for r in outcome.replies)


async def test_a_slow_rasa_answers_every_message_itself(
    fault_stack: FaultStack, routing: Conversations
) -> None:
    pids = rasa_pids(fault_stack)
    inbound = messages(3)
    with stopped(pids):
        tasks = [asyncio.create_task(routing.customer_message(m)) for m in inbound]
        line = routing.rasa.line
        await until(lambda: line.in_flight == 1 and line.waiting == 2, 30)
        started = time.monotonic()
        # the stop itself: Rasa is slow for STOP_S, not a wait for a condition
        await until(lambda: time.monotonic() - started >= STOP_S, 30)
    for answered in range(1, len(inbound)):
        await until(lambda n=answered: sum(t.done() for t in tasks) >= n, 30)
        if answered < len(inbound) - 1:
            with stopped(pids):
                paused = time.monotonic()
                await until(lambda p=paused: time.monotonic() - p >= STOP_S, 30)
    outcomes = await asyncio.gather(*tasks)
    waited = time.monotonic() - started
    for outcome in outcomes:
        assert not apologised(outcome), outcome.replies
        assert outcome.replies and outcome.replies[0].author is Author.BOT
        assert outcome.state is TicketState.BOT
    # the last message took longer than Rasa's timeout in all, and was answered;
    # it waited in the line through a stop at least (the rest of its time it was
    # in the line or inside the stopped Rasa, depending on how fast Rasa ran)
    assert waited > TIMEOUT_S
    assert routing.rasa.line.longest_wait_s > STOP_S
    assert routing.rasa.line.gave_up == 0


async def test_a_hung_rasa_gets_every_customer_the_apology_in_bounded_time(
    fault_stack: FaultStack, routing: Conversations
) -> None:
    pids = rasa_pids(fault_stack)
    inbound = messages(5)
    with stopped(pids):
        started = time.monotonic()
        outcomes = await asyncio.gather(*(routing.customer_message(m) for m in inbound))
        took = time.monotonic() - started
    for m, outcome in zip(inbound, outcomes, strict=True):
        assert apologised(outcome), outcome.replies
        assert await routing.queue.state(m.conversation_id) is TicketState.QUEUED
    # the request in flight times out; the line gives up when nothing was
    # answered for as long: about one timeout for all, not one after another
    assert took < TIMEOUT_S + 4, took
    assert routing.rasa.line.gave_up == len(inbound) - 1
    agent = Agent(routing)  # the stack is shared: no tickets left waiting
    await agent.start()
    for m in inbound:
        await agent.claim(m.conversation_id)
        await agent.resolve(m.conversation_id)
    await agent.stop()
