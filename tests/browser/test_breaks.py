"""Burnout care in the console (issue 18), in Debian's chromium: after three intense
chats in a row the console suggests a break in a banner; taking it pauses new chats
(the agent goes away, keeping the chats they hold) and counts the break down; the
page's clock is Playwright's, moved on by hand, so no test waits ten minutes."""

from __future__ import annotations

import re
import secrets

import pytest
import redis.asyncio as aioredis
from playwright.async_api import Browser, expect

from bot.handoff import Customer, EmotionSnapshot, HandoffQueue, HandoffRequest
from tests.browser.axe import violations
from tests.browser.test_console import (
    agent_page,
)

pytestmark = pytest.mark.stack


async def test_a_run_of_intense_chats_leads_to_a_break_with_a_timer(
    browser: Browser,
    gateway_url: str,
    queue: HandoffQueue,  # noqa: F811
    rds: aioredis.Redis,  # noqa: F811
) -> None:
    watched, agent = await agent_page(browser, gateway_url, queue, rds, (1280, 720))
    page = watched.page
    await page.clock.install()
    banner = page.get_by_test_id("break-banner")
    await expect(banner).to_be_hidden()
    held = []
    for n in range(3):
        cid = f"intense-{n}-" + secrets.token_hex(4)
        await queue.enqueue(
            HandoffRequest(
                cid,
                "web",
                Customer(cid, f"Cross {n}"),
                EmotionSnapshot("anger", 0.9, 3),
            )
        )
        held.append((cid, (await queue.claim(agent, cid)).token))
    await page.reload()
    await expect(page.get_by_test_id("break-suggestion")).to_have_text(
        "You've taken 3 intense chats in a row. A 10-minute break helps you stay "
        "patient with the next customer."
    )
    assert await violations(page) == []
    await page.get_by_test_id("break-start").click()
    # an answer about the presence sent before the click (a poll in flight) still
    # says "online": it must not end the break before it begins (a CI run saw it)
    await page.evaluate(
        """() => document.dispatchEvent(new CustomEvent("console:me", {detail: {
            presence: {status: "online", break_suggested: true, intense_run: 3},
            break_minutes: 10}}))"""
    )
    toggle = page.get_by_test_id("presence-toggle")
    await expect(toggle).to_have_attribute("data-status", "away")
    timer = page.get_by_test_id("break-timer")
    await expect(timer).to_have_text(
        re.compile(r"^On a break: (10:00|9:[0-5]\d) left\. New chats are paused")
    )
    # ...nor when it arrives after the answer that the agent is away (a CI run saw
    # the timer vanish so): the page's own toggle, away, is the latest word
    await page.evaluate(
        """() => document.dispatchEvent(new CustomEvent("console:me", {detail: {
            presence: {status: "online", break_suggested: true, intense_run: 3},
            break_minutes: 10}}))"""
    )
    await expect(timer).to_have_text(
        re.compile(r"^On a break: (10:00|9:[0-5]\d) left\. New chats are paused")
    )
    await expect(page.get_by_test_id("my-chat")).to_have_count(3)  # still theirs
    await page.clock.fast_forward("05:00")
    await expect(timer).to_contain_text(re.compile(r"On a break: [45]:\d\d left"))
    await page.reload()  # the break survives a reload
    await expect(timer).to_contain_text(re.compile(r"On a break: [45]:\d\d left"))
    await page.clock.fast_forward("05:01")
    await expect(timer).to_have_text(
        "Your break is over. Go online when you are ready."
    )
    await page.get_by_test_id("break-end").click()
    await expect(toggle).to_have_attribute("data-status", "online")
    await expect(banner).to_be_hidden()  # the run of intense chats starts anew
    for cid, token in held:
        await queue.resolve(agent, cid, token)
    watched.assert_clean()
    await page.context.close()
