"""Browser fixtures: Debian's chromium through Playwright, on the real test stack.

One browser per test module and a fresh context (own storage, own network switch) per
test. ``shop`` opens the demo shop page and records what must never happen there:
JavaScript dialogs (a sign of script injection), page errors and Content-Security-
Policy violations. ``desk`` reads the stack's own Redis data (the real handoff queue
and transcript) and can put an agent online; ``console`` is a person from our team
working through the agent console's HTTP API (``/console/api``), as the console page
does.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Locator,
    Page,
    async_playwright,
    expect,
)

from bot.handoff import Agent, Customer, HandoffQueue, HandoffRequest, Presence
from bot.settings import ROOT, Settings
from bot.transcript import Entry, Transcript

CHROMIUM = Path("/usr/bin/chromium")
ANSWER_TIMEOUT_MS = 60_000  # Rasa and the action server share two busy cores
expect.set_options(timeout=ANSWER_TIMEOUT_MS)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """Debian's chromium (never a downloaded browser), one per test module."""
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian chromium is missing at /usr/bin/chromium; install it with "
            "`bash scripts/browser.sh` (make test does this)"
        )
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"]
        )
        yield launched
        await launched.close()


class Shop:
    """The demo shop page with the chat widget, as a customer uses it."""

    def __init__(self, context: BrowserContext, page: Page, base_url: str) -> None:
        self.context = context
        self.page = page
        self.base_url = base_url
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.csp: list[str] = []
        self._watch(page)

    def _watch(self, page: Page) -> None:
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

    async def new_tab(self) -> None:
        """Close the page and continue in a new one (same browser storage)."""
        await self.page.close()
        self.page = await self.context.new_page()
        self._watch(self.page)

    async def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        await dialog.dismiss()

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.csp.append(message.text)

    @property
    def launcher(self) -> Locator:
        return self.page.get_by_test_id("chat-launcher")

    @property
    def window(self) -> Locator:
        return self.page.get_by_role("dialog", name="Acme Outdoor help")

    @property
    def input(self) -> Locator:
        return self.page.get_by_test_id("chat-input")

    @property
    def status(self) -> Locator:
        return self.page.get_by_test_id("chat-status")

    def messages(self, author: str | None = None) -> Locator:
        """Every message bubble, or those of one author."""
        selector = '[data-testid="chat-message"]'
        if author:
            selector += f'[data-author="{author}"]'
        return self.page.locator(selector)

    async def texts(self, author: str | None = None) -> list[str]:
        """The text of each message bubble (without the author label)."""
        return await self.messages(author).locator(".acw-text").all_text_contents()

    async def visit(self) -> None:
        """Open the shop page and wait for the widget's launcher."""
        await self.page.goto(self.base_url + "/")
        await expect(self.launcher).to_be_visible()

    async def open(self) -> None:
        """Open the chat window."""
        await self.launcher.click()
        await expect(self.window).to_be_visible()
        await expect(self.input).to_be_focused()

    async def say(self, text: str) -> None:
        """Type a message and press Enter."""
        await self.input.fill(text)
        await self.input.press("Enter")

    async def say_and_wait(self, text: str) -> list[str]:
        """Send a message; once delivered, the replies that follow it."""
        before = await self.messages().count()
        await self.say(text)
        mine = self.messages("customer").filter(has_text=text).last
        await expect(mine).to_have_attribute("data-status", "delivered")
        reply = self.messages().nth(before + 1)
        await expect(reply).to_be_visible()
        await expect(self.page.get_by_test_id("chat-typing")).to_be_hidden()
        texts = await self.messages().locator(".acw-text").all_text_contents()
        return texts[before + 1 :]

    async def stored(self) -> dict[str, Any]:
        """What the widget keeps in localStorage."""
        raw = await self.page.evaluate(
            "() => { for (const k of Object.keys(localStorage))"
            " if (k.startsWith('acme-chat:')) return localStorage.getItem(k);"
            " return null; }"
        )
        return json.loads(raw) if raw else {}

    async def conversation_id(self) -> str:
        """The conversation id inside the signed session token."""
        token = (await self.stored()).get("session") or ""
        assert re.fullmatch(r"web-[\w-]+\.[0-9a-f]+", token), token
        return token.split(".")[0]

    def assert_clean(self) -> None:
        """No dialog opened, no script error, no CSP violation."""
        assert self.dialogs == [], self.dialogs
        assert self.errors == [], self.errors
        assert self.csp == [], self.csp


@pytest.fixture
async def shop(browser: Browser, gateway_url: str) -> AsyncIterator[Shop]:
    """A fresh browser context (empty storage) on the demo shop page."""
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    yield Shop(context, page, gateway_url)
    await context.close()


@pytest.fixture
async def phone(browser: Browser, gateway_url: str) -> AsyncIterator[Shop]:
    """A phone-sized context (390 x 844, touch) on the demo shop page."""
    context = await browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
        reduced_motion="reduce",
    )
    page = await context.new_page()
    yield Shop(context, page, gateway_url)
    await context.close()


class Desk:
    """The agent side on the stack's Redis: the real handoff queue and transcript."""

    def __init__(self, settings: Settings) -> None:
        self.redis = aioredis.Redis.from_url(settings.redis_url, decode_responses=True)
        self.queue = HandoffQueue(self.redis, prefix=settings.redis_prefix)
        self.transcript = Transcript(self.redis, prefix=settings.redis_prefix)
        self.agents: list[str] = []

    async def agent_online(self, name: str) -> str:
        """Register an agent with a unique id and set them online; returns the id."""
        agent_id = "widget-" + secrets.token_hex(4)
        await self.queue.register_agent(Agent(agent_id, name, capacity=2))
        await self.queue.set_presence(agent_id, Presence.ONLINE)
        self.agents.append(agent_id)
        return agent_id

    async def busy_agent_online(self, name: str) -> str:
        """An online agent with one chat slot, already taken by someone else's chat."""
        agent_id = "widget-" + secrets.token_hex(4)
        await self.queue.register_agent(Agent(agent_id, name, capacity=1))
        await self.queue.set_presence(agent_id, Presence.ONLINE)
        self.agents.append(agent_id)
        other = "web-other-" + secrets.token_hex(6)
        await self.queue.enqueue(
            HandoffRequest(other, "web", Customer(other, "Someone else"))
        )
        await self.queue.claim(agent_id, other)
        return agent_id

    async def entries(self, conversation_id: str) -> list[Entry]:
        """The whole stored transcript of a conversation."""
        return await self.transcript.read(conversation_id)

    async def close(self) -> None:
        """Take this test's agents offline and close the connection."""
        for agent_id in self.agents:
            await self.queue.set_presence(agent_id, Presence.OFFLINE)
        await self.redis.aclose()


@pytest.fixture
async def desk(stack_settings: Settings, stack: object) -> AsyncIterator[Desk]:
    """The agent side of this test (its agents go offline afterwards)."""
    opened = Desk(stack_settings)
    yield opened
    await opened.close()


class Console:
    """One agent using the console's HTTP API, signed in with a real account."""

    def __init__(self, settings: Settings, gateway_url: str) -> None:
        self.settings = settings
        self.http = httpx.AsyncClient(base_url=gateway_url, timeout=60)
        self.csrf = ""
        self.user = ""

    def create_account(self, display_name: str) -> str:
        """A new agent account through ``python -m bot.admin``; returns the user."""
        user = "agent" + secrets.token_hex(4)
        password = secrets.token_urlsafe(18)
        env = {
            **os.environ,
            "REDIS_URL": self.settings.redis_url,
            "REDIS_PREFIX": self.settings.redis_prefix,
        }
        done = subprocess.run(
            [sys.executable, "-m", "bot.admin", "add-agent", user, "--password", "-"]
            + ["--display-name", display_name],
            input=password + "\n",
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        self.user, self._password = user, password
        return user

    async def sign_in(self) -> None:
        """Sign in as the login page does, and go online."""
        page = await self.http.get("/console/login")
        assert page.status_code == 200, page.text
        login_csrf = self.http.cookies.get("console_login") or ""
        response = await self.http.post(
            "/console/api/login",
            json={"user": self.user, "password": self._password},
            headers={"X-CSRF-Token": login_csrf},
        )
        assert response.status_code == 200, response.text
        me = await self.http.get("/console/api/me")
        assert me.status_code == 200, me.text
        self.csrf = me.json()["csrf"]
        await self.post("/presence", {"status": "online"})

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """A state change (with the CSRF token); asserts it succeeded."""
        response = await self.http.post(
            "/console/api" + path, json=body, headers={"X-CSRF-Token": self.csrf}
        )
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    async def claim(self, conversation_id: str) -> int:
        """Take the waiting chat; returns the claim's fencing token."""
        return int((await self.post(f"/chats/{conversation_id}/claim", {}))["token"])

    async def reply(self, conversation_id: str, token: int, text: str) -> None:
        """Send the customer a reply."""
        await self.post(
            f"/chats/{conversation_id}/messages", {"token": token, "text": text}
        )

    async def resolve(self, conversation_id: str, token: int) -> None:
        """Close the chat (the bot returns and asks for the ratings)."""
        await self.post(f"/chats/{conversation_id}/resolve", {"token": token})

    async def close(self) -> None:
        """Go away and drop the connection."""
        if self.csrf:
            await self.http.post(
                "/console/api/presence",
                json={"status": "away"},
                headers={"X-CSRF-Token": self.csrf},
            )
        await self.http.aclose()


@pytest.fixture
async def console(stack_settings: Settings, gateway_url: str) -> AsyncIterator[Console]:
    """An agent of our team on the console API (not signed in yet)."""
    agent = Console(stack_settings, gateway_url)
    yield agent
    await agent.close()
