"""A stack of one's own for a test run or a benchmark: free ports, a random key
prefix and fresh secrets on a given Redis, its keys deleted afterwards; the
handoff settings without business hours that both use (``always_open_handoff``);
and the gateway's routing on such a stack (``routing_on``)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import redis
import yaml

from bot.conversations import Conversations
from bot.handoff import HandoffQueue
from bot.handoff.keys import Keys
from bot.ops.ports import free_ports
from bot.ops.stack import Stack
from bot.redisurl import async_client
from bot.settings import ROOT, Settings
from bot.transcript import Transcript
from bot.upstream import EmotionClient, RasaClient


def always_open_handoff() -> Path:
    """data/handoff.yml without its business hours, written to var/: point
    HANDOFF_CONFIG at it (the stack's services inherit the environment) so a run in
    the evening does not hear "outside opening hours" where it expects the queue."""
    raw = yaml.safe_load((ROOT / "data" / "handoff.yml").read_text(encoding="utf-8"))
    raw.pop("business_hours", None)
    path = ROOT / "var" / "test-handoff.yml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def private_settings(redis_url: str, prefix: str, **overrides: Any) -> Settings:
    """Settings of a private stack on ``redis_url``.

    Args:
        redis_url: the Redis it shares with others (keys apart by the prefix).
        prefix: the start of its key prefix; random hex digits follow.
        overrides: settings that differ from these (they win).

    Returns:
        Free ports, a random Rasa token and secret key, ``development`` (every
        client is this machine, over plain http) and this machine exempt from the
        limits per client address.
    """
    replicas = int(overrides.get("stack_replicas", 1))  # each on port + 0, 1, ...
    taken: set[int] = set()
    ports = {}
    for name in ("rasa_port", "actions_port", "gateway_port"):
        first = free_ports(replicas)
        while taken & set(range(first, first + replicas)):
            first = free_ports(replicas)
        taken |= set(range(first, first + replicas))
        ports[name] = first
    values: dict[str, Any] = {
        "redis_url": redis_url,
        "redis_prefix": prefix + secrets.token_hex(4),
        **ports,
        "rasa_token": secrets.token_urlsafe(16),
        "secret_key": secrets.token_urlsafe(16),
        "environment": "development",  # loopback only
        "rate_ip_exempt": "127.0.0.1,::1",
    }
    return Settings(**(values | overrides))


def delete_keys(redis_url: str, prefix: str) -> None:
    """Delete every key of a private stack: Rasa's (``<prefix>tracker...``,
    ``<prefix>lock...``) and ours (``{<prefix>}:...``)."""
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"*{prefix}*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
    finally:
        client.close()


@contextmanager
def private_stack(settings: Settings, model: Path, log_dir: Path) -> Iterator[Stack]:
    """The stack of ``settings`` started, stopped afterwards, its keys deleted."""
    stack = Stack(settings, model, log_dir=log_dir)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
        delete_keys(settings.redis_url, settings.redis_prefix)


@asynccontextmanager
async def routing_on(
    settings: Settings, rasa: RasaClient, **redis_options: Any
) -> AsyncIterator[Conversations]:
    """The gateway's routing on a private stack's Redis (a single server, Sentinel or
    Cluster; ``redis_options`` go to the client), with ``rasa`` as its Rasa client
    (closed with it), and the stack's action server."""
    client = async_client(settings.redis_url, decode_responses=True, **redis_options)
    emotion = EmotionClient(settings.actions_url)
    try:
        yield Conversations(
            redis=client,
            keys=Keys(settings.redis_prefix),
            queue=HandoffQueue(client, prefix=settings.redis_prefix),
            transcript=Transcript(client, prefix=settings.redis_prefix),
            rasa=rasa,
            emotion=emotion,
        )
    finally:
        await rasa.close()
        await emotion.close()
        await client.aclose()
