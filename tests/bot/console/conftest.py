"""Console fixtures: accounts on the test stack's Redis, signed-in HTTP clients, chats.

Accounts are created with the accounts module on the stack's own database and key
prefix (as ``python -m bot.admin add-agent`` does). Every ``ConsoleClient`` comes from
its own made-up client address (X-Forwarded-For, which uvicorn trusts from loopback),
so one test's failed sign-ins never lock another test out.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from bot.console.accounts import Accounts
from bot.handoff import (
    Customer,
    EmotionSnapshot,
    HandoffQueue,
    HandoffRequest,
    TicketState,
)
from bot.handoff.keys import Keys
from bot.settings import Settings
from bot.transcript import Author, Entry, Transcript

# The gateway inherits this process's environment: a Prometheus token for /metrics.
METRICS_TOKEN = os.environ.setdefault("METRICS_TOKEN", secrets.token_urlsafe(16))
CSRF_META = re.compile(r'name="login-csrf" content="([^"]+)"')
ANGRY = "WHERE IS MY ORDER??? THREE WEEKS!!! you people are useless"


def random_ip() -> str:
    """A made-up client address (only ever a header value, never contacted)."""
    parts = [secrets.randbelow(255) for _ in range(2)] + [secrets.randbelow(254) + 1]
    return "10." + ".".join(str(p) for p in parts)


class ConsoleClient:
    """The console's HTTP API as one browser uses it."""

    def __init__(self, base_url: str, ip: str | None = None) -> None:
        self.ip = ip or random_ip()
        self.http = httpx.Client(
            base_url=base_url, timeout=60, headers={"X-Forwarded-For": self.ip}
        )
        self.csrf = ""
        self.name = ""

    def close(self) -> None:
        self.http.close()

    def login_page_token(self) -> str:
        page = self.http.get("/console/login")
        assert page.status_code == 200
        found = CSRF_META.search(page.text)
        assert found, "the login page carries its CSRF token"
        return found.group(1)

    def try_login(self, user: str, password: str) -> httpx.Response:
        token = self.login_page_token()
        return self.http.post(
            "/console/api/login",
            json={"user": user, "password": password},
            headers={"X-CSRF-Token": token},
        )

    def login(self, user: str, password: str) -> ConsoleClient:
        response = self.try_login(user, password)
        assert response.status_code == 200, response.text
        me = self.http.get("/console/api/me")
        assert me.status_code == 200, me.text
        self.csrf = me.json()["csrf"]
        self.name = user
        return self

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        headers = {"X-CSRF-Token": self.csrf, **kw.pop("headers", {})}
        return self.http.post(path, json=body or {}, headers=headers, **kw)

    def online(self) -> None:
        response = self.post("/console/api/presence", {"status": "online"})
        assert response.status_code == 200, response.text


@pytest.fixture
def accounts(rds: aioredis.Redis, queue: HandoffQueue) -> Accounts:
    return Accounts(rds, Keys(queue.keys.prefix), queue)


Maker = Callable[..., Any]


@pytest.fixture
def make_account(accounts: Accounts, stack: Any) -> Maker:
    """Create an account with a random name; returns (name, password)."""

    async def make(role: str = "agent", **kw: Any) -> tuple[str, str]:
        name = f"{role}-{secrets.token_hex(4)}"
        password = secrets.token_urlsafe(12)
        await accounts.add(name, password, role=role, **kw)
        return name, password

    return make


@pytest.fixture
def clients(gateway_url: str) -> Iterator[Callable[..., ConsoleClient]]:
    """Console clients, closed after the test."""
    made: list[ConsoleClient] = []

    def new(ip: str | None = None) -> ConsoleClient:
        client = ConsoleClient(gateway_url, ip)
        made.append(client)
        return client

    yield new
    for client in made:
        client.close()


@pytest.fixture
def queued_chat(
    queue: HandoffQueue, rds: aioredis.Redis, stack_settings: Settings
) -> Maker:
    """Put a chat in the real handoff queue with a customer message in its transcript
    (what the action server does on escalation); returns its conversation id."""
    transcript = Transcript(rds, prefix=stack_settings.redis_prefix)

    async def make(
        name: str = "Ann",
        text: str = "my parcel is three weeks late",
        intensity: float = 0.5,
        label: str = "frustration",
        channel: str = "web",
    ) -> str:
        cid = "c" + secrets.token_hex(8)
        entry, _ = await transcript.append(
            cid, Entry(Author.CUSTOMER, text, channel=channel)
        )
        await transcript.describe(cid, channel=channel, customer_name=name)
        await queue.enqueue(
            HandoffRequest(
                conversation_id=cid,
                channel=channel,
                customer=Customer(cid, name),
                emotion=EmotionSnapshot(label, intensity, 2),
                topic="track_order",
                reasons=["high_frustration"],
                explanation="Escalate to a person. Frustration 2/4.",
                tried=["asked for the order number"],
                slots={"order_id": "48213"},
            )
        )
        assert await queue.state(cid) is TicketState.QUEUED
        return cid

    return make


def escalate(gateway_url: str, text: str = ANGRY, name: str = "") -> tuple[str, str]:
    """A real customer conversation escalated by Rasa and the action server; returns
    (session token, conversation id)."""
    with httpx.Client(base_url=gateway_url, timeout=90) as http:
        token = http.post("/api/sessions").json()["session"]
        body: dict[str, Any] = {"text": text}
        if name:
            body["customer_name"] = name
        response = http.post("/api/messages", headers={"X-Session": token}, json=body)
        assert response.status_code == 200, response.text
    return token, token.split(".")[0]
