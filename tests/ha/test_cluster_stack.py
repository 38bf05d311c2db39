"""The whole stack on a Redis Cluster (3 masters, 3 replicas), two of each process
(action servers, Rasa servers with our stores, gateways): a widget chat, a whole
conversation with a handoff whose turns alternate between the gateways, and a Rasa
server killed (the gateways skip it)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bot.handoff import HandoffQueue, TicketState
from bot.handoff.keys import Keys
from bot.ops.ports import port_is_free
from bot.ops.redisha import ClusterSetup, wait_for
from bot.ops.services import signal_group
from bot.ops.stack import Stack
from bot.ops.widget import Widget
from bot.redisurl import async_client
from bot.transcript import Author, Entry, Transcript
from tests.bot.handoff.conftest import online_agent
from tests.ha.replicas import (
    agent_at_work,
    agent_side,
    gateways,
    replica_stack,
    turns_at_once,
    whole_conversation,
)


@pytest.fixture(scope="module")
def cluster_stack(cluster_setup: ClusterSetup, model: Path) -> Iterator[Stack]:
    """A stack of its own whose REDIS_URL is the cluster, two of each process."""
    with replica_stack(cluster_setup.url, "cluster", model) as running:
        yield running


async def test_a_widget_chat_runs_on_the_cluster(
    cluster_stack: Stack, cluster_setup: ClusterSetup
) -> None:
    settings = cluster_stack.settings
    keys = Keys(settings.redis_prefix)
    base = f"http://127.0.0.1:{settings.gateway_port}"
    client = async_client(settings.redis_url, decode_responses=True)
    widget = await Widget.open(base)
    try:
        cid = widget.conversation
        await widget.say("where is my order?")
        answer = await widget.entry(author="bot")
        assert "order number" in answer["text"].lower()
        # Rasa keeps the tracker in the conversation's slot, beside its transcript.
        home = cluster_setup.node_of(keys.transcript(cid))
        assert cluster_setup.node_of(keys.rasa_tracker(cid)) == home
        node = redis.Redis(port=home)
        assert node.exists(keys.transcript(cid), keys.rasa_tracker(cid)) == 2
        assert node.ttl(keys.rasa_tracker(cid)) > 0

        # The action server hands over on the cluster; an agent's reply reaches the
        # widget through the live channel.
        await widget.say("I need to talk to a human agent please")
        await widget.entry(author="bot")
        queue = HandoffQueue(client, prefix=settings.redis_prefix)
        assert await queue.state(cid) is TicketState.QUEUED
        await online_agent(queue, "a1")
        claim = await queue.claim("a1", cid)
        transcript = Transcript(client, prefix=settings.redis_prefix)
        await transcript.append(
            cid,
            Entry(Author.AGENT, "Hi, I'm Alex.", agent_id="a1"),
            fence=queue.fence(cid, claim.token, "a1"),
        )
        reply = await widget.entry(author="agent")
        assert reply["text"] == "Hi, I'm Alex."
        await queue.resolve("a1", cid, claim.token)
    finally:
        await widget.close()
        await client.aclose()


async def test_two_turns_at_once_through_two_gateways_keep_their_order(
    cluster_stack: Stack,
) -> None:
    async with agent_side(cluster_stack.settings) as conv:
        await turns_at_once(cluster_stack, conv)


async def test_a_conversation_alternates_gateways_and_a_dead_rasa_is_skipped(
    cluster_stack: Stack,
) -> None:
    async with agent_at_work(cluster_stack.settings) as (conv, agent):
        await whole_conversation(cluster_stack, conv, agent)

    # Rasa 2 killed (and left dead: the module's other test passes either way):
    # both gateways, each of which tries Rasa 2 first every other turn, answer
    # through Rasa 1.
    rasa2 = cluster_stack.service("rasa2")
    assert rasa2.process is not None
    signal_group(rasa2.process, signal.SIGKILL)  # the manager and its worker
    rasa2.process.wait(30)
    wait_for(lambda: port_is_free(rasa2.port), "Rasa 2's port to close")
    for base in gateways(cluster_stack):
        for _ in range(2):
            widget = await Widget.open(base)
            try:
                said = await widget.outcome(await widget.say("where is my order?"))
                assert said.get("entry", {}).get("author") == "bot", said
            finally:
                await widget.close()
    for name in ("gateway", "gateway2"):
        log = cluster_stack.service(name).log_path
        assert log is not None and "refused the connection" in log.read_text()
