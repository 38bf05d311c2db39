"""Emotion exercises and skills in the console (issue 18), in Debian's chromium: a
trainee opens Exercises from the console's top bar, reads a shouted "third time"
message, and sees the score, the analyzer's reading and the cues; the skills page
then shows the exercise accuracy rising since last week; a supervisor sees the team
and the switch for real messages. Both pages pass the accessibility audit (axe-core,
WCAG 2.1 AA) as an agent and as a supervisor."""

from __future__ import annotations

import json
import re
import secrets
import time

import pytest
import redis.asyncio as aioredis
from playwright.async_api import Browser, expect

from bot.console.accounts import Accounts
from bot.console.exercises import examples
from bot.handoff import HandoffQueue
from bot.handoff.keys import Keys
from tests.browser.axe import violations
from tests.browser.test_console import agent_page

pytestmark = pytest.mark.stack
WEEK_S = 7 * 24 * 3600


async def test_a_trainee_reads_a_message_and_sees_the_trend(
    browser: Browser,
    gateway_url: str,
    queue: HandoffQueue,
    rds: aioredis.Redis,
) -> None:
    # the stack is shared with the API tests, which answer this exercise too: its
    # answers start empty here, so the first answer shows no agreement yet
    await rds.delete(Keys(queue.keys.prefix).exercise_answers("third_time_caps"))
    watched, name = await agent_page(browser, gateway_url, queue, rds, (1280, 720))
    page = watched.page
    await page.get_by_test_id("exercises-link").click()
    await expect(page).to_have_url(re.compile(r"/console/exercises$"))
    items = page.get_by_test_id("exercise-item")
    await expect(items).to_have_count(len(examples()))
    await expect(page.get_by_test_id("exercise-source")).to_contain_text(
        "Our own example messages"
    )
    assert await violations(page) == []

    await page.locator("[data-exercise=third_time_caps] button").click()
    await expect(page.get_by_test_id("exercise-text")).to_have_text(
        examples()["third_time_caps"].text
    )
    await page.get_by_test_id("answer-emotion").select_option("frustration")
    await page.get_by_test_id("answer-intensity").fill("0.9")
    await expect(page.get_by_test_id("intensity-value")).to_have_text("0.90")
    await page.get_by_test_id("answer-about").select_option("delivery")
    await page.get_by_test_id("answer-send").click()
    await expect(page.get_by_test_id("result-score")).to_have_text("Score 100 / 100")
    await expect(page.get_by_test_id("result-part")).to_have_count(3)
    await expect(page.get_by_test_id("result-analyzer")).to_contain_text(
        "Read it as frustration"
    )
    await expect(page.get_by_test_id("result-colleagues")).to_contain_text(
        "agreement is shown once 3 people answered"
    )
    await expect(page.get_by_test_id("result-cue").first).to_contain_text("Capitals")
    reasons = page.get_by_test_id("result-reason")
    await expect(reasons.filter(has_text="ALL CAPS")).to_have_count(1)
    await expect(reasons.filter(has_text=re.compile("third time"))).to_have_count(1)
    await expect(page.locator("[data-exercise=third_time_caps]")).to_have_class("done")
    assert await violations(page) == []

    # last week this trainee read one message poorly (what the answer route keeps)
    k, before = Keys(queue.keys.prefix), time.time() - WEEK_S
    record = {"agent": name, "emotion": "anger", "intensity": 0.1, "about": "other"}
    await rds.hset(
        k.exercise_answers("lost_button"),
        name,
        json.dumps({**record, "score": 0, "at": before}),
    )
    await rds.zadd(k.exercise_mine(name), {"lost_button": before})

    await page.get_by_test_id("skills-link").click()
    await expect(page).to_have_url(re.compile(r"/console/skills$"))
    await expect(page.get_by_test_id("agent-title")).to_have_text("Your skills")
    await expect(page.get_by_test_id("week-row")).to_have_count(2)
    await expect(page.get_by_test_id("week-row").nth(1)).to_contain_text("100")
    exercises = page.locator("[data-testid=trend][data-measure=exercises]")
    await expect(exercises).to_have_attribute("data-trend", "up")
    await expect(exercises).to_contain_text("mean 50, improving")
    await expect(exercises.locator("svg circle")).to_have_count(2)
    practice = page.locator("[data-testid=trend][data-measure=practice]")
    await expect(practice).to_contain_text("no scores yet")
    await expect(page.get_by_test_id("team")).to_be_hidden()
    assert await violations(page) == []
    watched.assert_clean()
    await page.context.close()


async def test_a_supervisor_sees_the_team_and_the_source_switch(
    browser: Browser,
    gateway_url: str,
    queue: HandoffQueue,
    rds: aioredis.Redis,
) -> None:
    watched, agent = await agent_page(browser, gateway_url, queue, rds, (1280, 720))
    await watched.page.context.close()  # an agent of the team, with no scores yet
    name, password = "sv-" + secrets.token_hex(4), secrets.token_urlsafe(12)
    await Accounts(rds, Keys(queue.keys.prefix), queue).add(
        name, password, role="supervisor", name=f"Lee {name[-4:]}"
    )
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await context.new_page()
    await page.goto(gateway_url + "/console/login")
    await page.get_by_test_id("login-user").fill(name)
    await page.get_by_test_id("login-password").fill(password)
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("live-status")).to_have_text("live")

    await page.goto(gateway_url + "/console/skills")
    await expect(page.get_by_test_id("team")).to_be_visible()
    row = page.get_by_test_id("team-row").filter(has_text=f"Sam {agent[-4:]}")
    await expect(row).to_have_count(1)
    await expect(page.get_by_test_id("weeks-empty")).to_be_visible()
    assert await violations(page) == []
    await row.get_by_role("link").click()
    await expect(page.get_by_test_id("agent-title")).to_have_text(
        f"Skills of Sam {agent[-4:]}"
    )

    await page.goto(gateway_url + "/console/exercises")
    await expect(page.get_by_test_id("real-toggle")).to_be_visible()
    await expect(page.get_by_test_id("real-toggle")).not_to_be_checked()
    assert await violations(page) == []
    await context.close()
