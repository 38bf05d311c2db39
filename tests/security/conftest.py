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
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import websockets

from bot.console.accounts import Accounts
from bot.handoff import HandoffQueue
from bot.settings import Settings
from bot.stack import Stack, free_port
from bot.telegram import SECRET_HEADER
from bot.transcript import Transcript
from tests.bot.console.conftest import ConsoleClient, random_ip

STRICT_ORIGINS = "https://shop.example,https://*.brand.example"
STRICT_LIMITS = {"session": 5, "ip": 8, "tg": 4}


@pytest.fixture
async def rds(stack_settings: Settings, stack: Stack) -> AsyncIterator[aioredis.Redis]:
    """Redis of the running test stack."""
    client = aioredis.Redis.from_url(stack_settings.redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
def transcript(rds: aioredis.Redis, stack_settings: Settings) -> Transcript:
    return Transcript(rds, prefix=stack_settings.redis_prefix)


@pytest.fixture
def queue(rds: aioredis.Redis, stack_settings: Settings) -> HandoffQueue:
    return HandoffQueue(rds, prefix=stack_settings.redis_prefix)


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


def ws_url(base: str) -> str:
    return base.replace("http", "ws", 1) + "/ws/chat"


class Widget:
    """A client of ``/ws/chat`` that keeps every frame it received."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.frames: list[dict[str, Any]] = []
        self.session = ""
        self.conversation = ""

    @classmethod
    async def open(
        cls,
        base: str,
        session: str | None = None,
        *,
        origin: str | None = None,
        ip: str | None = None,
        name: str | None = None,
    ) -> Widget:
        headers = {"X-Forwarded-For": ip} if ip else None
        ws = await websockets.connect(
            ws_url(base),
            origin=origin,  # type: ignore[arg-type]
            additional_headers=headers,
            max_size=2**22,
        )
        widget = cls(ws)
        hello: dict[str, Any] = {"type": "hello", "session": session}
        if name is not None:
            hello["name"] = name
        await ws.send(json.dumps(hello))
        welcome = await widget.next(lambda f: f["type"] == "welcome")
        widget.session = welcome["session"]
        widget.conversation = welcome["conversation"]
        return widget

    async def send_raw(self, text: str) -> None:
        await self.ws.send(text)

    async def say(self, text: str, client_id: str | None = None) -> str:
        """Send a message (lone surrogates as JSON escapes); returns its id."""
        client_id = client_id or uuid.uuid4().hex[:16]
        frame = {"type": "message", "id": client_id, "text": text}
        await self.ws.send(json.dumps(frame))
        return client_id

    async def next(
        self, match: Callable[[dict[str, Any]], bool], timeout: float = 60
    ) -> dict[str, Any]:
        """The first frame (received before or now) that ``match`` accepts."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for frame in self.frames[seen:]:
                seen += 1
                if match(frame):
                    return frame
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching frame in {self.frames[-10:]}")
            self.frames.append(json.loads(await asyncio.wait_for(self.ws.recv(), left)))

    async def outcome(self, client_id: str, timeout: float = 90) -> dict[str, Any]:
        """The error frame about ``client_id``, or the first answer after its echo."""
        echoed: list[str] = []

        def done(frame: dict[str, Any]) -> bool:
            if frame["type"] == "error" and frame.get("id") == client_id:
                return True
            entry = frame.get("entry") or {}
            if frame["type"] == "entry" and entry.get("client_id") == client_id:
                echoed.append(entry["id"])
                return False
            return (
                bool(echoed)
                and frame["type"] == "entry"
                and entry["author"]
                in (
                    "bot",
                    "system",
                )
            )

        return await self.next(done, timeout)

    async def alive(self) -> None:
        """The connection still answers a ping."""
        await self.ws.send('{"type": "ping"}')
        await self.next(lambda f: f["type"] == "pong", timeout=30)

    async def close(self) -> None:
        await self.ws.close()


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
    return Accounts(rds, queue)


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
