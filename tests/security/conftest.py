"""Fixtures of the security suites: Redis of the test stack, a strict second gateway,
console accounts and clients, and small clients of the widget and Telegram.

The strict gateway runs on the same Redis, Rasa and action server as the test stack
but as production would: ``ENVIRONMENT=production``, an Origin allow-list and low
rate limits, so the limits can be reached with a handful of messages.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from bot.console.accounts import Accounts
from bot.handoff import HandoffQueue
from bot.handoff.keys import Keys
from bot.ops.ports import free_port
from bot.ops.stack import Stack
from bot.settings import Settings
from bot.telegram_webhook import SECRET_HEADER
from tests.bot.console.conftest import ConsoleClient, random_ip

STRICT_ORIGINS = "https://shop.example,https://*.brand.example"
STRICT_LIMITS = {"session": 5, "ip": 8, "tg": 4}


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=90) as client:
        yield client


@pytest.fixture(scope="session")
def strict_settings(stack_settings: Settings) -> Settings:
    """Settings of the strict gateway (its own port, production mode)."""
    return stack_settings.model_copy(
        update={
            "gateway_port": free_port(),
            "environment": "production",
            "allowed_origins": STRICT_ORIGINS,
            "rate_session_per_minute": STRICT_LIMITS["session"],
            "rate_ip_per_minute": STRICT_LIMITS["ip"],
            "rate_telegram_chat_per_minute": STRICT_LIMITS["tg"],
        }
    )


@pytest.fixture(scope="session")
def strict_gateway(stack: Stack, strict_settings: Settings) -> Iterator[str]:
    """A second gateway process configured as production (see the module doc)."""
    s = strict_settings
    with pytest.MonkeyPatch.context() as env:  # the child inherits the environment
        env.setenv("ALLOWED_ORIGINS", s.allowed_origins)
        env.setenv("RATE_SESSION_PER_MINUTE", str(s.rate_session_per_minute))
        env.setenv("RATE_IP_PER_MINUTE", str(s.rate_ip_per_minute))
        env.setenv(
            "RATE_TELEGRAM_CHAT_PER_MINUTE", str(s.rate_telegram_chat_per_minute)
        )
        service = stack.add_gateway(s, "gateway-strict")
    yield f"http://127.0.0.1:{s.gateway_port}"
    stack.remove(service)


# -- the widget ----------------------------------------------------------------------


# -- Telegram ------------------------------------------------------------------------

_update_ids = itertools.count(secrets.randbelow(10**6) * 1000 + 500_000_001)


def new_chat() -> int:
    """A private chat id nobody else uses."""
    return 10**9 + secrets.randbelow(10**9)


def tg_update(chat: int, text: str, first_name: str = "Ann") -> bytes:
    """A private text message as Telegram posts it (a command when it starts with /).

    ``json.dumps`` writes lone surrogates as ``\\ud800`` escapes (ensure_ascii).
    """
    update_id = next(_update_ids)
    message: dict[str, Any] = {
        "message_id": update_id % 100_000,
        "date": int(time.time()),
        "chat": {"id": chat, "type": "private", "first_name": first_name},
        "from": {"id": chat, "is_bot": False, "first_name": first_name},
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return json.dumps({"update_id": update_id, "message": message}).encode()


async def post_update(
    http: httpx.AsyncClient, base: str, settings: Settings, raw: bytes
) -> httpx.Response:
    """POST a raw update to a gateway's webhook with the right secret."""
    return await http.post(
        f"{base}/telegram/webhook",
        content=raw,
        headers={
            SECRET_HEADER: settings.telegram_secret_token,
            "content-type": "application/json",
        },
    )


# -- the console ---------------------------------------------------------------------


@pytest.fixture
def accounts(rds: aioredis.Redis, queue: HandoffQueue) -> Accounts:
    return Accounts(rds, Keys(queue.keys.prefix), queue)


@pytest.fixture
def console_login(accounts: Accounts, gateway_url: str) -> Iterator[Callable[..., Any]]:
    """Create an account (agent or supervisor) and sign a console client in."""
    made: list[ConsoleClient] = []

    async def login(role: str = "agent") -> ConsoleClient:
        name = f"{role}-{secrets.token_hex(4)}"
        password = secrets.token_urlsafe(12)
        await accounts.add(name, password, role=role)
        client = ConsoleClient(gateway_url, random_ip())
        made.append(client)
        await asyncio.to_thread(client.login, name, password)
        return client

    yield login
    for client in made:
        client.close()
