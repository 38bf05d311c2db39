"""Training in the console (issue 18), in Debian's chromium: a trainee opens Practice
from the console's top bar, a dismissive reply makes the simulated customer more
upset, acknowledging replies calm her step by step until she settles, and the report
shows each reply's scorecard, a strong reply and the score; the phrase guide filters
as one types. Both pages pass the accessibility audit (axe-core, WCAG 2.1 AA)."""

from __future__ import annotations

import re

import pytest
import redis.asyncio as aioredis
from playwright.async_api import Browser, Page, expect

from bot.console.scenarios import scenarios
from bot.handoff import HandoffQueue
from tests.browser.axe import violations
from tests.browser.test_console import (  # noqa: F401 (fixtures)
    agent_page,
    chromium,
)

pytestmark = pytest.mark.stack

DISMISSIVE = "Just wait, it will come."
KIND = (
    "I'm so sorry, Maya. I understand how worrying this is with the birthday on "
    "Saturday. I'm checking order 48213 with the carrier right now and I'll tell you "
    "today."
)


async def send(page: Page, text: str, turns: int) -> None:
    """Write a reply and wait for the customer's answer (``turns`` in all)."""
    await page.get_by_test_id("practice-input").fill(text)
    await page.get_by_test_id("practice-send").click()
    await expect(page.get_by_test_id("practice-turn")).to_have_count(turns)


async def test_a_trainee_calms_a_simulated_customer(
    chromium: Browser,  # noqa: F811
    gateway_url: str,
    queue: HandoffQueue,  # noqa: F811
    rds: aioredis.Redis,  # noqa: F811
) -> None:
    watched, _ = await agent_page(chromium, gateway_url, queue, rds, (1280, 720))
    page = watched.page
    await page.get_by_test_id("practice-link").click()
    await expect(page).to_have_url(re.compile(r"/console/practice$"))
    await expect(page.get_by_test_id("scenario")).to_have_count(len(scenarios()))
    await expect(page.get_by_test_id("history-empty")).to_be_visible()
    assert await violations(page) == []

    await page.locator("[data-scenario=late_parcel]").click()
    scenario = scenarios()["late_parcel"]
    first = page.get_by_test_id("practice-turn").first
    await expect(first).to_contain_text(scenario.opening)
    mood = page.get_by_test_id("practice-mood")
    await expect(mood).to_have_attribute("data-mood", "upset")
    await expect(page.get_by_test_id("practice-input")).to_be_focused()

    await send(page, DISMISSIVE, 3)
    answer = page.get_by_test_id("practice-turn").nth(2)
    await expect(answer).to_have_attribute("data-reaction", "worse")
    await expect(answer).to_contain_text("more upset")
    await expect(answer).to_contain_text(scenario.lines["worse"][0])
    await expect(mood).to_have_attribute("data-mood", "very upset")
    assert await violations(page) == []

    await send(page, KIND, 5)
    answer = page.get_by_test_id("practice-turn").nth(4)
    await expect(answer).to_have_attribute("data-reaction", "calmer")
    await expect(answer).to_contain_text(scenario.lines["calmer"][0])
    await expect(mood).to_have_attribute("data-mood", "upset")
    await expect(page.get_by_test_id("practice-report")).to_be_hidden()

    await send(page, KIND, 7)
    answer = page.get_by_test_id("practice-turn").nth(6)
    await expect(answer).to_contain_text(scenario.lines["calmer"][1])
    await expect(mood).to_have_attribute("data-mood", "uneasy")
    await send(page, KIND, 9)
    await expect(page.get_by_test_id("practice-turn").nth(8)).to_contain_text(
        scenario.settled
    )
    await expect(mood).to_have_attribute("data-mood", "settled")
    report = page.get_by_test_id("practice-report")
    await expect(report).to_be_visible()
    await expect(page.get_by_test_id("practice-input")).to_be_hidden()
    await expect(page.get_by_test_id("report-outcome")).to_have_text(
        "The customer calmed down."
    )
    await expect(page.get_by_test_id("report-score")).to_have_text("75 / 100")
    replies = page.get_by_test_id("report-reply")
    await expect(replies).to_have_count(4)
    await expect(replies.nth(0)).to_contain_text("Reply 1: 0 of 5 criteria")
    await expect(replies.nth(0)).to_contain_text("can sound dismissive")
    await expect(replies.nth(1)).to_contain_text("Reply 2: 5 of 5 criteria")
    unmet = replies.nth(0).locator("[data-testid=report-criterion].unmet")
    await expect(unmet).to_have_count(5)
    strong = page.get_by_test_id("report-strong")
    await expect(strong.first).to_contain_text("I'm checking with the carrier")
    await expect(strong.first).to_contain_text("48213")
    await expect(page.get_by_test_id("history-item")).to_have_count(1)
    await expect(page.get_by_test_id("history-item")).to_contain_text(
        "The customer calmed down. Score 75."
    )
    assert await violations(page) == []

    await page.get_by_test_id("practice-again").click()
    await expect(page.get_by_test_id("scenario").first).to_be_visible()
    watched.assert_clean()
    await page.context.close()


async def test_the_phrase_guide_filters_as_one_types(
    chromium: Browser,  # noqa: F811
    gateway_url: str,
    queue: HandoffQueue,  # noqa: F811
    rds: aioredis.Redis,  # noqa: F811
) -> None:
    watched, _ = await agent_page(chromium, gateway_url, queue, rds, (1280, 720))
    page = watched.page
    await page.get_by_test_id("guide-link").click()
    await expect(page).to_have_url(re.compile(r"/console/guide$"))
    terms = page.locator("[data-testid=guide-term]:visible")
    replies = page.locator("[data-testid=guide-reply]:visible")
    count = page.get_by_test_id("guide-count")
    await expect(count).to_have_text(
        re.compile(r"^\d{3} words and phrases, \d+ replies")
    )
    total_terms, total_replies = await terms.count(), await replies.count()
    assert total_terms > 200 and total_replies >= 35
    assert await violations(page) == []

    search = page.get_by_test_id("guide-search")
    await search.press_sequentially("furio")
    await expect(terms).to_have_text(["furious"])
    await expect(replies).to_have_count(0)
    await expect(count).to_have_text("1 word or phrase, 0 replies shown")
    feeling = page.locator("[data-testid=guide-feeling]:visible")
    await expect(feeling).to_have_count(1)
    await expect(feeling.locator("h3")).to_have_text("Anger")
    await expect(feeling.locator("[data-testid=guide-band]:visible h4")).to_have_text(
        ["Strong"]
    )

    await search.fill("double charge")
    await expect(terms).to_have_count(0)
    await expect(replies).to_have_count(1)
    await expect(replies).to_contain_text("I'm sorry about the double charge")
    await expect(page.locator("[data-testid=guide-topic]:visible h3")).to_have_text(
        ["Invoices and payments"]
    )

    await search.fill("worry and anxiety")  # a feeling's name shows all its words
    await expect(feeling.locator("h3")).to_have_text("Worry and anxiety")
    assert await terms.count() > 10

    await search.fill("zzqx")
    await expect(page.get_by_test_id("guide-none")).to_be_visible()
    await expect(count).to_have_text("0 words and phrases, 0 replies shown")
    assert await violations(page) == []

    await search.fill("")
    await expect(terms).to_have_count(total_terms)
    await expect(replies).to_have_count(total_replies)
    await expect(page.get_by_test_id("guide-none")).to_be_hidden()
    watched.assert_clean()
    await page.context.close()
