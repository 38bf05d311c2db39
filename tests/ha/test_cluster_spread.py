"""1,000 conversations spread over the Cluster's shards: each conversation's keys
share a hash tag of their own (bot/rediskeys.py), so no shard holds more than
half of them. The conversations are made by the gateway's own code: a widget
session (bot/sessions.py, whose id is the conversation's), the customer's first
message in the transcript and who the conversation is with (bot/transcript.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter

import redis

from bot.ops.redisha import ClusterSetup
from bot.ratelimit import RateLimiter
from bot.redisurl import async_client
from bot.sessions import Sessions
from bot.settings import Settings
from bot.transcript import Author, Entry, Transcript

CONVERSATIONS = 1000


def masters(setup: ClusterSetup) -> set[int]:
    """The ports of the masters now (another test may have failed one over)."""
    for port in setup.ports + setup.replica_ports:
        with contextlib.suppress(redis.RedisError):
            slots = redis.Redis(port=port).execute_command("CLUSTER SLOTS")
            return {int(master[1]) for _first, _last, master, *_ in slots}
    raise AssertionError("no cluster node answers")


async def test_a_thousand_conversations_spread_over_the_shards(
    cluster_setup: ClusterSetup, ha_prefix: str
) -> None:
    settings = Settings(
        redis_url=cluster_setup.url,
        redis_prefix=ha_prefix,
        secret_key="spread-test-" + "k" * 32,
    )
    client = async_client(settings.redis_url, decode_responses=True)
    sessions = Sessions(client, RateLimiter(client, settings))
    transcript = Transcript(client, prefix=ha_prefix)
    try:
        await client.ping()  # the cluster's layout read once, before 100 at a time

        async def conversation(n: int) -> str:
            token = await sessions.start("")  # a widget's hello (no address)
            cid = token.partition(".")[0]
            await transcript.append(
                cid, Entry(Author.CUSTOMER, f"hello {n}", channel="web")
            )
            await transcript.describe(cid, channel="web", customer_name=f"c{n}")
            return cid

        made: list[str] = []
        for start in range(0, CONVERSATIONS, 100):  # 100 at a time
            made += await asyncio.gather(
                *(conversation(n) for n in range(start, start + 100))
            )
        assert len(set(made)) == CONVERSATIONS

        per_shard: Counter[int] = Counter()
        tags: dict[str, set[int]] = {}
        for port in masters(cluster_setup):
            node = redis.Redis(port=port, decode_responses=True)
            for key in node.scan_iter(match="{" + ha_prefix + ":*", count=1000):
                per_shard[port] += 1
                tags.setdefault(key.partition("}")[0], set()).add(port)
        total = sum(per_shard.values())
        # a session, a transcript, its message ids and who it is with, each
        assert total >= 3 * CONVERSATIONS, per_shard
        assert len(tags) == CONVERSATIONS
        # every conversation's keys on one shard; no shard with half of them
        assert all(len(ports) == 1 for ports in tags.values())
        assert len(per_shard) == len(masters(cluster_setup)) == 3, per_shard
        assert max(per_shard.values()) <= total / 2, per_shard
    finally:
        await client.aclose()
        for port in masters(cluster_setup):  # the test's keys, on every shard
            node = redis.Redis(port=port)
            for key in node.scan_iter(match="{" + ha_prefix + "*", count=1000):
                node.delete(key)
