"""The supervisor dashboard of a new deployment, in Debian's chromium: nothing has
happened yet, and every chart and table says so in a sentence (no axes from -0.04 to
0.04 around nothing). A second gateway on the test stack's Rasa and Redis, under a key
prefix of its own, is that new deployment.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Iterator

import pytest
import redis.asyncio as aioredis
from playwright.async_api import Browser, expect

from bot.console.accounts import Accounts
from bot.handoff import HandoffQueue
from bot.handoff.keys import Keys
from bot.ops.ports import free_port
from bot.ops.stack import Stack
from bot.settings import Settings
from tests.browser.axe import violations
from tests.browser.test_console import Watched, chromium  # noqa: F401 (fixture)

pytestmark = pytest.mark.stack


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
    chromium: Browser,  # noqa: F811
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
    context = await chromium.new_context(viewport={"width": 1280, "height": 720})
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
    chromium: Browser,  # noqa: F811
    gateway_url: str,
) -> None:
    # reduced motion: the widget's window rises in 180 ms, and colours read half-way
    # through a fade are no colours anyone reads
    context = await chromium.new_context(
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
