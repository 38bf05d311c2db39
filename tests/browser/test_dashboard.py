"""The supervisor dashboard of a new deployment, in Debian's chromium: nothing has
happened yet, and every chart and table says so in a sentence (no axes from -0.04 to
0.04 around nothing). A second gateway on the test stack's Rasa and Redis, under a key
prefix of its own, is that new deployment.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from playwright.async_api import Browser, expect

from bot.console.accounts import Accounts
from bot.handoff import HandoffQueue
from bot.handoff.keys import Keys
from bot.ops.ports import free_port
from bot.ops.stack import Stack
from bot.settings import ROOT, Settings
from tests.bot.handoff.conftest import Clock
from tests.bot.test_report_highlights import TEMPLATE, make
from tests.browser.axe import violations
from tests.browser.test_console import Watched

pytestmark = pytest.mark.stack
W10 = datetime(2031, 3, 3, tzinfo=UTC).timestamp()  # Monday of 2031-W10


@pytest.fixture(scope="module")
def fresh_settings(stack_settings: Settings) -> Settings:
    """A deployment nobody has used: its own port and key prefix."""
    return stack_settings.model_copy(
        update={
            "gateway_port": free_port(),
            "redis_prefix": "fresh" + secrets.token_hex(4),
        }
    )


@pytest.fixture(scope="module")
def fresh_gateway(stack: Stack, fresh_settings: Settings) -> Iterator[str]:
    """A second gateway on that prefix (the stack's Rasa, action server, Redis)."""
    service = stack.add_gateway(fresh_settings, "gateway-fresh")
    yield f"http://127.0.0.1:{fresh_settings.gateway_port}"
    stack.remove(service)


@pytest.fixture
async def fresh_redis(fresh_settings: Settings) -> AsyncIterator[aioredis.Redis]:
    """Redis of the fresh deployment; its keys are removed afterwards."""
    client = aioredis.Redis.from_url(fresh_settings.redis_url, decode_responses=True)
    yield client
    prefix = fresh_settings.redis_prefix
    keys = [k async for k in client.scan_iter(match=f"*{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_a_new_deployments_dashboard_says_there_is_nothing_yet(
    browser: Browser,
    fresh_gateway: str,
    fresh_settings: Settings,
    fresh_redis: aioredis.Redis,
) -> None:
    prefix = fresh_settings.redis_prefix
    queue = HandoffQueue(fresh_redis, prefix=prefix)
    name = "sup-" + secrets.token_hex(4)
    await Accounts(fresh_redis, Keys(prefix), queue).add(
        name, "supervisor password", role="supervisor"
    )
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = Watched(await context.new_page())
    # a ?next= elsewhere than the console's own pages is not followed
    await page.page.goto(fresh_gateway + "/console/login?next=https://example.org/")
    await page.page.get_by_test_id("login-user").fill(name)
    await page.page.get_by_test_id("login-password").fill("supervisor password")
    await page.page.get_by_test_id("login-submit").click()
    await expect(page.page.get_by_test_id("live-status")).to_have_text("live")
    await page.page.goto(fresh_gateway + "/console/dashboard")
    dash = page.page

    waiting = dash.get_by_test_id("tile-waiting").locator(".value")
    await expect(waiting).to_have_text("0")
    for tile in ("tile-csat", "tile-p50", "tile-intensity", "tile-escalation"):
        await expect(dash.get_by_test_id(tile).locator(".value")).to_have_text("–")
    # three charts have nothing to draw and say so; the load chart has the supervisor
    empty = dash.get_by_test_id("chart-empty")
    await expect(empty).to_have_count(3)
    assert await empty.all_text_contents() == [
        "No chat was handed to a person in the last 14 days.",
        "No chat has reached a person yet, so there is no wait to show.",
        "No customer has rated a chat with a person yet.",
    ]
    await expect(dash.get_by_test_id("chart")).to_have_count(1)
    await expect(dash.get_by_test_id("chart")).to_have_attribute(
        "alt", "chart: Load per agent"
    )
    # every table without rows says why, in one cell across its columns
    for table, said in (
        ("channels-table", "No chat has been handed to a person yet."),
        ("empathy-table", "No reply has been scored yet"),
        ("peer-table", "No ratings yet"),
        ("works-table", "No empathetic phrase was used in this period."),
        ("reports-table", "No report yet"),
    ):
        row = dash.get_by_test_id(table).get_by_test_id("empty")
        await expect(row).to_contain_text(said)
        colspan = await row.locator("td").get_attribute("colspan")
        headers = await dash.get_by_test_id(table).locator("th").count()
        assert colspan == str(headers)
    agents = dash.get_by_test_id("agents-table").locator("tbody tr")
    await expect(agents).to_have_count(1)
    await expect(agents).to_contain_text(re.compile(r"online.*0/3\s*0\s*0\s*–"))
    await dash.wait_for_function(
        "() => [...document.querySelectorAll('img')]"
        ".every(i => i.complete && i.naturalWidth > 100)"
    )
    found = await violations(dash)
    assert found == [], found
    page.assert_clean()
    await context.close()


async def test_the_sign_in_page_and_the_shops_chat_pass_the_audit(
    browser: Browser,
    gateway_url: str,
) -> None:
    # reduced motion: the widget's window rises in 180 ms, and colours read half-way
    # through a fade are no colours anyone reads
    context = await browser.new_context(
        viewport={"width": 1280, "height": 720}, reduced_motion="reduce"
    )
    page = Watched(await context.new_page())
    await page.page.goto(gateway_url + "/console/login")
    await expect(page.page.get_by_test_id("login-user")).to_be_visible()
    found = await violations(page.page)
    assert found == [], found
    await page.page.goto(gateway_url + "/")
    await page.page.get_by_test_id("chat-launcher").click()
    await expect(page.page.get_by_test_id("chat-input")).to_be_focused()
    page.assert_clean()  # before the audit: axe itself tries an inline style here
    found = await violations(page.page)
    assert found == [], found
    await context.close()


async def test_a_supervisor_reads_the_reports_marks_a_baseline_and_picks_any_period(
    browser: Browser,
    fresh_gateway: str,
    fresh_settings: Settings,
    fresh_redis: aioredis.Redis,
    tmp_path: Path,
) -> None:
    prefix = fresh_settings.redis_prefix
    clock = Clock(W10)
    queue = HandoffQueue(fresh_redis, prefix=prefix, clock=clock)
    await make(fresh_redis, queue, clock, base=W10)  # 19 conversations in 2031-W10
    env = os.environ | {"REDIS_URL": fresh_settings.redis_url, "REDIS_PREFIX": prefix}
    for period in ("2031-W09", "2031-W10"):
        done = subprocess.run(
            [str(ROOT / ".venv/bin/python"), "-m", "bot.report", "--period", period]
            + ["--out", str(tmp_path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    name = "sup-" + secrets.token_hex(4)
    await Accounts(fresh_redis, Keys(prefix), queue).add(
        name, "supervisor password", role="supervisor"
    )
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = Watched(await context.new_page())
    await page.page.goto(fresh_gateway + "/console/login")
    await page.page.get_by_test_id("login-user").fill(name)
    await page.page.get_by_test_id("login-password").fill("supervisor password")
    await page.page.get_by_test_id("login-submit").click()
    await expect(page.page.get_by_test_id("live-status")).to_have_text("live")
    await page.page.goto(fresh_gateway + "/console/dashboard")
    dash = page.page

    # the reports, newest first, with their files
    reports = dash.get_by_test_id("report")
    await expect(reports).to_have_count(2)
    await expect(reports.nth(0)).to_contain_text("2031-W102031-03-03 to 2031-03-09")
    await expect(dash.get_by_test_id("baselines")).to_have_text(
        "Weekly baseline: none · Monthly baseline: none"
    )
    link = reports.nth(0).get_by_test_id("report-pdf")
    href = await link.get_attribute("href")
    assert href == "/console/api/reports/2031-W10.pdf"
    fetched = await dash.request.get(fresh_gateway + href)
    assert fetched.ok and (await fetched.body()).startswith(b"%PDF")

    # mark W09 as the weekly baseline, from its row
    await reports.nth(1).get_by_test_id("mark-baseline").click()
    await expect(dash.get_by_test_id("baselines")).to_have_text(
        "Weekly baseline: 2031-W09 · Monthly baseline: none"
    )
    await expect(reports.nth(1)).to_contain_text("2031-W09 (baseline)")
    await expect(reports.nth(1).get_by_test_id("mark-baseline")).to_have_text(
        "Unmark baseline"
    )
    assert await fresh_redis.hget(Keys(prefix).report_baseline, "week") == "2031-W09"

    # any period, against the days before and the baseline, with what works
    await dash.get_by_test_id("range-start").fill("2031-03-03")
    await dash.get_by_test_id("range-end").fill("2031-03-09")
    await dash.get_by_test_id("range-baseline").select_option("week")
    await dash.get_by_test_id("range-show").click()
    await expect(dash.get_by_test_id("range-said")).to_have_text(
        "2031-03-03 to 2031-03-09 (UTC) against 2031-02-24 to 2031-03-02 and the "
        "baseline 2031-W09."
    )
    table = dash.get_by_test_id("range-table")
    await expect(table.locator("thead th")).to_have_count(6)
    await expect(table.locator("tbody tr").first).to_have_text(
        re.compile(r"^Conversations\s*19\s*0\s*\+19\s*0\s*\+19$")
    )
    works = dash.get_by_test_id("works-table").locator("tbody tr")
    await expect(works.filter(has_text=TEMPLATE)).to_have_text(
        re.compile(r"^template acknowledge anger .*\s*12\s*12\s*12\s*[+-]\d\.\d\d")
    )
    await expect(works.filter(has_text="i hear")).to_contain_text("too few to tell")

    # a range that ends before it starts is refused in words; the table stays
    await dash.get_by_test_id("range-start").fill("2031-03-10")
    await dash.get_by_test_id("range-show").click()
    await expect(dash.get_by_test_id("range-said")).to_contain_text(
        "ends (2031-03-09) before it starts (2031-03-10)"
    )
    await expect(works.filter(has_text=TEMPLATE)).to_have_count(1)

    found = await violations(dash)
    assert found == [], found
    page.assert_clean()
    await context.close()
