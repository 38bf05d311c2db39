"""Shared fixtures: one real stack per test run (own ports, Redis db, key prefix),
and its Redis, queue and transcripts (tests/bot/handoff has a queue of its own)."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.handoff import HandoffQueue
from bot.ops.fake_telegram import FakeTelegramAPI
from bot.ops.preflight import ensure_redis
from bot.ops.private import always_open_handoff, private_settings, private_stack
from bot.ops.stack import Stack
from bot.ops.train import ensure_model
from bot.settings import ROOT, Settings
from bot.transcript import Transcript

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# Tests write only to this database, under their own key prefix.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")

# No business hours, read by the queue in this process and in the stack's services
# (bot/ops/services.py passes the environment on); tests of closed hours give their
# own (tests/actions/test_actions.py, test_queue.py).
os.environ["HANDOFF_CONFIG"] = str(always_open_handoff())


@pytest.fixture(scope="session")
def model() -> Path:
    """The trained model (trained once per run when the inputs changed)."""
    return ensure_model()


@pytest.fixture(scope="session")
def telegram_api() -> Iterator[FakeTelegramAPI]:
    """The fake Telegram Bot API on loopback (the only fake: an internet service)."""
    with FakeTelegramAPI() as api:
        yield api


@pytest.fixture(scope="session")
def stack_settings(telegram_api: FakeTelegramAPI) -> Settings:
    """Settings of the test stack: free ports, test database, random key prefix."""
    ensure_redis(TEST_REDIS_URL)
    return private_settings(
        TEST_REDIS_URL,
        "t",
        # development and this machine exempt, as every private stack: the browser
        # tests use http://127.0.0.1 (no Secure cookies), tests of production start
        # their own gateway (tests/security/conftest.py), and limits per address are
        # tested with X-Forwarded-For (tests/bot/console/conftest.py, random_ip).
        # Telegram on, pointed at the fake Bot API (tests/bot/test_telegram.py).
        telegram_token=f"{secrets.randbelow(10**9)}:test-{secrets.token_hex(8)}",
        telegram_secret_token=secrets.token_urlsafe(16),
        telegram_api_url=telegram_api.base_url,
    )


@pytest.fixture(scope="session")
def stack(stack_settings: Settings, model: Path) -> Iterator[Stack]:
    """The real action server, Rasa server and gateway, started once per test run."""
    with private_stack(stack_settings, model, ROOT / "var" / "test-logs") as running:
        yield running


@pytest.fixture(scope="session")
def gateway_url(stack: Stack) -> str:
    """Base URL of the test gateway."""
    return f"http://127.0.0.1:{stack.settings.gateway_port}"


@pytest.fixture
async def rds(stack_settings: Settings, stack: Stack) -> AsyncIterator[aioredis.Redis]:
    """Redis of the running test stack."""
    client = aioredis.Redis.from_url(stack_settings.redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
def queue(rds: aioredis.Redis, stack_settings: Settings) -> HandoffQueue:
    """The running test stack's handoff queue."""
    return HandoffQueue(rds, prefix=stack_settings.redis_prefix)


@pytest.fixture
def transcript(rds: aioredis.Redis, stack_settings: Settings) -> Transcript:
    """The running test stack's transcripts."""
    return Transcript(rds, prefix=stack_settings.redis_prefix)
