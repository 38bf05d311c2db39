"""The console page is several scripts (console.js first, then queue.js, chat.js,
assist.js, typing.js, ...), and the browser may answer a fetch between two deferred
scripts. Here queue.js is held back until the page's first API call was answered (or,
when the page makes none before it, briefly): the page must start only once all its
parts ran, with no script error, and show the queue."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
import redis.asyncio as aioredis
from playwright.async_api import Browser, Request, Route, expect

from bot.handoff import HandoffQueue
from tests.browser.test_console import (  # noqa: F401 (fixtures)
    agent_page,
    chromium,
    drain,
)

pytestmark = pytest.mark.stack

HOLD_AT_MOST_S = 3.0  # only a bound: the page must work however long it is held


async def test_the_console_starts_only_when_all_its_parts_have_run(
    chromium: Browser,  # noqa: F811
    gateway_url: str,
    queue: HandoffQueue,  # noqa: F811
    rds: aioredis.Redis,  # noqa: F811
) -> None:
    await drain(queue)
    console, _ = await agent_page(chromium, gateway_url, queue, rds)
    page = console.page
    answered = asyncio.Event()

    def seen(request: Request) -> None:
        if request.url.endswith("/console/api/me"):
            answered.set()

    async def hold(route: Route) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(HOLD_AT_MOST_S):
                await answered.wait()
        await route.continue_()

    page.on("requestfinished", seen)
    await page.route("**/console/static/queue.js", hold)
    await page.reload()
    await expect(page.get_by_test_id("live-status")).to_have_text("live")
    await expect(page.get_by_test_id("me-name")).not_to_be_empty()
    await expect(page.get_by_test_id("queue-list")).to_have_attribute(
        "aria-busy", "false"
    )
    console.assert_clean()
    await page.context.close()
