"""The whole stack (action server, Rasa with our stores, gateway) on a Redis Cluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bot.handoff import HandoffQueue, TicketState
from bot.handoff.keys import Keys
from bot.ops.private import private_settings
from bot.ops.stack import Stack
from bot.ops.widget import Widget
from bot.redisurl import async_client
from bot.settings import ROOT
from bot.transcript import Author, Entry, Transcript
from tests.bot.handoff.conftest import online_agent
from tests.redisha import ClusterSetup


@pytest.fixture(scope="module")
def cluster_stack(cluster_setup: ClusterSetup, model: Path) -> Iterator[Stack]:
    """A stack of its own whose REDIS_URL is the cluster."""
    settings = private_settings(cluster_setup.url, "c", rasa_workers=1)
    running = Stack(settings, model, log_dir=ROOT / "var" / "test-logs" / "cluster")
    running.start()
    yield running
    running.stop()


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
