"""Races the fault suite ran into, pinned down one by one on the private stack."""

from __future__ import annotations

import pytest

from bot.conversations import Conversations, Inbound
from bot.handoff import Customer as TicketCustomer
from bot.handoff import HandoffRequest, TicketState
from bot.transcript import Author, Entry
from tests.reliability.clients import Agent

pytestmark = [pytest.mark.reliability, pytest.mark.stack]


async def test_a_message_while_the_agent_resolves_is_not_an_error(
    agent_side: Conversations, agent: Agent
) -> None:
    # The customer writes; the agent answers from the transcript at once and
    # resolves while the gateway is still scoring the message for the queue.
    conv = agent_side
    cid = "web-race-" + agent.agent_id
    await conv.queue.enqueue(
        HandoffRequest(cid, "web", TicketCustomer(cid, "Race"), reasons=["test"])
    )
    await agent.claim(cid)
    entry, _ = await conv.transcript.append(
        cid, Entry(Author.CUSTOMER, "thanks, that was all", channel="web")
    )
    await agent.resolve(cid)
    assert await conv.queue.state(cid) is TicketState.RESOLVED
    inbound = Inbound(cid, "web", "thanks, that was all")
    # What customer_message was doing when the resolve landed (state read before).
    replies = await conv._to_person(inbound, entry, TicketState.ASSIGNED)
    assert replies == []  # stored, seen by the agent; no error, no bot message
