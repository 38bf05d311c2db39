"""Typing indicators both ways in Debian's chromium: the console and the shop's widget
in two pages. The agent types a reply and the customer's widget says "<agent> is
typing" in a polite live region, gone when the reply arrives; the customer types and
the agent's open chat says "The customer is typing…". Both pages stay at 0 axe
violations with the indicators showing."""

from __future__ import annotations

import re

import pytest
import redis.asyncio as aioredis
from playwright.async_api import Browser, expect

from bot.handoff import HandoffQueue
from tests.browser.axe import violations
from tests.browser.test_console import (  # noqa: F401 (fixtures)
    Watched,
    agent_page,
    chromium,
    drain,
)

pytestmark = pytest.mark.stack


async def test_each_side_sees_the_other_typing(
    chromium: Browser,  # noqa: F811
    gateway_url: str,
    queue: HandoffQueue,  # noqa: F811
    rds: aioredis.Redis,  # noqa: F811
) -> None:
    await drain(queue)
    # the customer asks for a person in the widget
    shop_context = await chromium.new_context(viewport={"width": 1280, "height": 800})
    shop = Watched(await shop_context.new_page())
    await shop.page.goto(gateway_url + "/")
    await shop.page.get_by_test_id("chat-launcher").click()
    widget_input = shop.page.get_by_test_id("chat-input")
    await widget_input.fill("I want to talk to a person please")
    await widget_input.press("Enter")
    await expect(
        shop.page.locator('[data-testid="chat-message"][data-kind="handoff"]')
    ).to_be_visible()

    # an agent claims it
    console, name = await agent_page(chromium, gateway_url, queue, rds)
    page = console.page
    await page.get_by_test_id("queue-item").first.get_by_test_id("claim").click()
    await expect(page.get_by_test_id("chat-state")).to_have_text("yours")
    agent_name = f"Sam {name[-4:]}"
    await expect(shop.page.get_by_test_id("chat-status")).to_contain_text(agent_name)

    # the agent types: the customer sees who, in a polite live region
    reply = page.get_by_test_id("reply-input")
    await reply.press_sequentially("Hello, I'm looking at it")
    indicator = shop.page.get_by_test_id("chat-typing")
    await expect(indicator).to_be_visible()
    await expect(indicator).to_have_text(re.compile(rf"^\s*{agent_name} is typing"))
    live = shop.page.locator(".acw-typing-live")
    await expect(live).to_have_attribute("aria-live", "polite")
    await expect(live.get_by_test_id("chat-typing")).to_be_visible()
    shop.assert_clean()  # before the audit: axe itself tries an inline style here
    found = await violations(shop.page)
    assert found == [], found
    shop.csp.clear()
    # the reply arrives and the indicator goes
    await page.get_by_test_id("reply-send").click()
    await expect(
        shop.page.locator('[data-testid="chat-message"][data-author="agent"]')
    ).to_contain_text("looking at it")
    await expect(indicator).to_be_hidden()

    # the customer types: the agent sees it in the open chat
    await widget_input.press_sequentially("it is order 48213")
    typing = page.get_by_test_id("chat-typing")
    await expect(typing).to_be_visible()
    await expect(typing).to_have_text(re.compile(r"^.+ is typing…$"))
    await expect(page.locator("#chat-typing")).to_have_attribute("aria-live", "polite")
    found = await violations(page)
    assert found == [], found
    await widget_input.press("Enter")
    await expect(
        page.get_by_test_id("transcript-message").filter(has_text="order 48213")
    ).to_have_count(1)
    await expect(typing).to_be_hidden()

    console.assert_clean()
    shop.assert_clean()
    await page.context.close()
    await shop_context.close()
    await drain(queue)
