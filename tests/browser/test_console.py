"""The agent console in Debian's chromium (Playwright) on the real stack.

A customer writes angrily in the shop's widget, the bot hands over, an agent signs in,
sees the chat at the top of the live queue, claims it, uses a suggested reply, sends
it, resolves, and the customer's widget shows the reply and the rating prompt. An XSS
corpus in customer messages and names renders as inert text in every console view.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from playwright.async_api import (
    Browser,
    ConsoleMessage,
    Dialog,
    Page,
    expect,
)

from bot.console.accounts import Accounts
from bot.console.learning import Proposals
from bot.handoff import (
    Agent,
    Customer,
    EmotionSnapshot,
    HandoffError,
    HandoffQueue,
    HandoffRequest,
    Presence,
    Rating,
)
from bot.handoff.keys import Keys
from bot.settings import Settings
from bot.transcript import Author, Entry, Transcript
from tests.polling import until

pytestmark = pytest.mark.stack

TIMEOUT_MS = 60_000  # Rasa and the action server share two busy cores
expect.set_options(timeout=TIMEOUT_MS)

ANGRY = re.compile(r"^(anger|frustration)$")
XSS = [
    "<script>alert('xss-1')</script>",
    "<img src=x onerror=alert('xss-2')>",
    '"><svg onload=alert("xss-3")>',
    "<a href=\"javascript:alert('xss-4')\">click me</a>",
    "</li></ol><iframe srcdoc=\"<script>parent.alert('xss-5')</script>\"></iframe>",
    "{{constructor.constructor('alert(6)')()}} ${alert(7)}",
    "<style>body{display:none}</style><b onmouseover=alert(8)>hover</b>",
]


@pytest.fixture(scope="module")
def chromium(browser: Browser) -> Browser:
    """The module's Debian chromium (``browser``, tests/browser/conftest.py) by the
    name the other browser tests import from here."""
    return browser


class Watched:
    """A page whose dialogs, script errors and CSP violations are recorded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.csp: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

    async def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        await dialog.dismiss()

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.csp.append(message.text)

    def assert_clean(self) -> None:
        assert self.dialogs == [], self.dialogs
        assert self.errors == [], self.errors
        assert self.csp == [], self.csp


async def drain(queue: HandoffQueue) -> None:
    """Close chats other tests left waiting or held, so this test's order is its own.

    (Held chats matter too: when their agent vanishes, the reaper returns them to
    the queue while this test runs.)
    """
    for view in await queue.agents():
        for ticket_id in view.chats:
            ticket = await queue.ticket(ticket_id)
            with contextlib.suppress(HandoffError):
                await queue.resolve(view.agent.id, ticket_id, ticket.token, "clean-up")
    waiting = await queue.waiting()
    if not waiting:
        return
    skills = frozenset(t.skill for t in waiting if t.skill)
    janitor = "janitor-" + secrets.token_hex(4)
    await queue.register_agent(Agent(janitor, "Janitor", capacity=100, skills=skills))
    await queue.set_presence(janitor, Presence.ONLINE)
    for ticket in waiting:
        claim = await queue.claim(janitor, ticket.id)
        await queue.resolve(janitor, ticket.id, claim.token, "test clean-up")
    await queue.set_presence(janitor, Presence.OFFLINE)


async def agent_page(
    browser: Browser,
    gateway_url: str,
    queue: HandoffQueue,
    rds: aioredis.Redis,
    viewport: tuple[int, int] = (1400, 900),
    init_script: str = "",
    permissions: tuple[str, ...] = (),
) -> tuple[Watched, str]:
    """A new agent account, signed in through the login page; returns the page
    (``init_script`` runs in every page of its context before the page's own;
    ``permissions`` are granted to the context, e.g. "notifications")."""
    name = "pw-" + secrets.token_hex(4)
    password = secrets.token_urlsafe(12)
    await Accounts(rds, Keys(queue.keys.prefix), queue).add(
        name, password, name=f"Sam {name[-4:]}"
    )
    width, height = viewport
    context = await browser.new_context(
        viewport={"width": width, "height": height}, permissions=list(permissions)
    )
    if init_script:
        await context.add_init_script(init_script)
    page = Watched(await context.new_page())
    await page.page.goto(gateway_url + "/console")
    await expect(page.page.get_by_test_id("login-user")).to_be_visible()
    await page.page.get_by_test_id("login-user").fill(name)
    await page.page.get_by_test_id("login-password").fill(password)
    await page.page.get_by_test_id("login-submit").click()
    await expect(page.page.get_by_test_id("live-status")).to_have_text("live")
    await expect(page.page.get_by_test_id("presence-toggle")).to_have_attribute(
        "data-status", "online"
    )
    return page, name


async def calm_chat(queue: HandoffQueue, rds: aioredis.Redis, prefix: str) -> str:
    """A calm customer already waiting (queued through the real queue library)."""
    cid = "calm-" + secrets.token_hex(6)
    transcript = Transcript(rds, prefix=prefix)
    await transcript.append(
        cid, Entry(Author.CUSTOMER, "could someone check my invoice")
    )
    await queue.enqueue(
        HandoffRequest(
            cid,
            "web",
            Customer(cid, "Calm Carl"),
            EmotionSnapshot("neutral", 0.1, 0),
            topic="check_invoice",
            reasons=["asked_for_person"],
        )
    )
    return cid


async def test_an_agent_takes_the_angriest_chat_and_the_customer_sees_it(
    browser: Browser,
    gateway_url: str,
    stack_settings: Settings,
    queue: HandoffQueue,
    rds: aioredis.Redis,
) -> None:
    await drain(queue)
    calm = await calm_chat(queue, rds, stack_settings.redis_prefix)

    # the customer, in the shop's widget
    shop_context = await browser.new_context(viewport={"width": 1280, "height": 800})
    shop = Watched(await shop_context.new_page())
    await shop.page.goto(gateway_url + "/")
    await shop.page.get_by_test_id("chat-launcher").click()
    chat_input = shop.page.get_by_test_id("chat-input")
    await chat_input.fill("WHERE IS MY ORDER??? THREE WEEKS!!! you people are useless")
    await chat_input.press("Enter")
    await expect(
        shop.page.locator('[data-testid="chat-message"][data-kind="handoff"]')
    ).to_contain_text(re.compile("person|colleague|team"))

    # the agent
    console, _name = await agent_page(browser, gateway_url, queue, rds)
    page = console.page
    items = page.get_by_test_id("queue-item")
    await expect(items).to_have_count(2)
    top = items.first
    await expect(top.get_by_test_id("emotion")).to_have_text(ANGRY)
    await expect(items.nth(1)).to_have_attribute("data-conversation", calm)
    intensity = float(await top.get_by_test_id("intensity").get_attribute("value") or 0)
    assert intensity > 0.5
    await expect(top.get_by_test_id("reasons")).not_to_be_empty()
    await expect(top.get_by_test_id("waiting")).to_contain_text("waiting")

    await top.get_by_test_id("claim").click()
    await expect(page.get_by_test_id("chat-state")).to_have_text("yours")
    messages = page.get_by_test_id("transcript-message")
    await expect(messages.first).to_contain_text("THREE WEEKS")
    await expect(messages.first.get_by_test_id("emotion-mark")).to_have_text(
        re.compile(r"^(anger|frustration) \d+%$")
    )
    await expect(page.get_by_test_id("why")).to_contain_text("Escalate")
    # the trend: a line with a dot per customer message read (one so far)
    await expect(page.locator("#trend polyline.trend-line")).to_have_count(1)
    await expect(page.locator("#trend circle.trend-dot")).to_have_count(1)
    await expect(items).to_have_count(1)  # taken off the live queue

    suggestions = page.get_by_test_id("suggestion")
    await expect(suggestions).to_have_count(3)
    chosen = (await suggestions.first.text_content()) or ""
    assert chosen and "{" not in chosen
    await suggestions.first.click()
    reply_input = page.get_by_test_id("reply-input")
    await expect(reply_input).to_have_value(chosen)

    await reply_input.fill("YOU SHOULD HAVE READ THE EMAIL")
    warnings = page.get_by_test_id("tone-warning")
    await expect(warnings.first).to_be_visible()
    assert len(await warnings.all_text_contents()) >= 2
    await suggestions.first.click()
    await expect(warnings).to_have_count(0)

    await page.get_by_test_id("reply-send").click()
    agent_said = messages.filter(has_text=chosen[:40])
    await expect(agent_said).to_have_count(1)
    await expect(agent_said).to_have_attribute("data-author", "agent")
    await expect(reply_input).to_have_value("")

    customer_sees = shop.page.locator(
        '[data-testid="chat-message"][data-author="agent"]'
    )
    await expect(customer_sees.last).to_contain_text(chosen[:40])

    await page.get_by_test_id("resolve").click()
    await expect(page.get_by_test_id("chat-state")).to_have_text("resolved")
    await expect(messages.last).to_have_class(re.compile(r"\brating_request\b"))
    await expect(shop.page.get_by_test_id("chat-csat").first).to_be_visible()

    console.assert_clean()
    shop.assert_clean()
    await page.context.close()
    await shop_context.close()


def send_as_customer(gateway_url: str, name: str, texts: list[str]) -> str:
    """A customer on the HTTP channel asks for a person, then writes ``texts``."""
    with httpx.Client(base_url=gateway_url, timeout=90) as http:
        token = http.post("/api/sessions").json()["session"]
        for text in ["get me a human agent now please", *texts]:
            response = http.post(
                "/api/messages",
                headers={"X-Session": token},
                json={"text": text, "customer_name": name},
            )
            assert response.status_code == 200, response.text
    return token.split(".")[0]


async def no_injection(page: Page) -> dict[str, Any]:
    """What an injection would have left in the page."""
    return await page.evaluate(
        """() => ({
            scripts: document.querySelectorAll('script:not([src])').length,
            images: document.querySelectorAll('img').length,
            frames: document.querySelectorAll('iframe').length,
            svgOnload: document.querySelectorAll('svg[onload]').length,
            links: document.querySelectorAll('a[href^="javascript"]').length,
            styles: document.querySelectorAll('style').length,
            bold: document.querySelectorAll('b').length,
            bodyShown: getComputedStyle(document.body).display !== 'none',
        })"""
    )


async def test_an_xss_corpus_in_messages_and_names_renders_as_text(
    browser: Browser,
    gateway_url: str,
    stack_settings: Settings,
    queue: HandoffQueue,
    rds: aioredis.Redis,
) -> None:
    await drain(queue)
    cid = send_as_customer(gateway_url, XSS[1], XSS)
    # a Telegram-style name as well, straight in the real queue
    other = "tg-" + secrets.token_hex(6)
    transcript = Transcript(rds, prefix=stack_settings.redis_prefix)
    await transcript.append(other, Entry(Author.CUSTOMER, XSS[0], channel="telegram"))
    await queue.enqueue(
        HandoffRequest(
            other,
            "telegram",
            Customer(other, XSS[2]),
            EmotionSnapshot("anger", 0.3, 1),
            topic="<b>topic</b>",
            reasons=["<img src=x onerror=alert(9)>"],
            explanation=XSS[4],
            tried=[XSS[5]],
            slots={"order_id": XSS[6]},
        )
    )
    console, _ = await agent_page(browser, gateway_url, queue, rds)
    page = console.page
    items = page.get_by_test_id("queue-item")
    await expect(items).to_have_count(2)
    names = await page.get_by_test_id("queue-name").all_text_contents()
    assert sorted(names) == sorted([XSS[1], XSS[2]])
    await expect(
        page.locator(f'[data-conversation="{other}"] [data-testid="reasons"]')
    ).to_have_text("<img src=x onerror=alert(9)>")

    await page.locator(f'[data-conversation="{cid}"]').get_by_test_id("claim").click()
    await expect(page.get_by_test_id("chat-title")).to_contain_text(XSS[1])
    said = page.locator(
        '[data-testid="transcript-message"][data-author="customer"] '
        '[data-testid="message-text"]'
    )
    await expect(said).to_have_count(len(XSS) + 1)
    assert (await said.all_text_contents())[1:] == XSS  # exactly as typed
    await expect(page.get_by_test_id("suggestion")).to_have_count(3)

    await (
        page.locator(f'[data-conversation="{other}"]')
        .get_by_test_id("queue-name")
        .click()
    )
    await expect(page.get_by_test_id("why")).to_have_text(XSS[4])
    await expect(page.get_by_test_id("tried")).to_have_text(XSS[5])
    await expect(page.get_by_test_id("slots")).to_contain_text(XSS[6])
    await expect(page.get_by_test_id("message-text").first).to_have_text(XSS[0])

    injected = await no_injection(page)
    assert injected == {
        "scripts": 0,
        "images": 0,
        "frames": 0,
        "svgOnload": 0,
        "links": 0,
        "styles": 0,
        "bold": 0,
        "bodyShown": True,
    }
    await page.wait_for_timeout(500)  # give any injected handler the chance to fire
    console.assert_clean()
    await page.context.close()


async def test_signing_in_with_a_wrong_password_shows_why(
    browser: Browser, gateway_url: str, queue: HandoffQueue, rds: aioredis.Redis
) -> None:
    name = "pw-" + secrets.token_hex(4)
    await Accounts(rds, Keys(queue.keys.prefix), queue).add(name, "the right password")
    context = await browser.new_context()
    page = Watched(await context.new_page())
    await page.page.goto(gateway_url + "/console/login")
    await page.page.get_by_test_id("login-user").fill(name)
    await page.page.get_by_test_id("login-password").fill("a wrong password")
    await page.page.get_by_test_id("login-submit").click()
    await expect(page.page.get_by_test_id("login-error")).to_have_text(
        "wrong user name or password"
    )
    assert page.page.url.endswith("/console/login")
    page.assert_clean()
    await context.close()


async def test_the_supervisor_dashboard_shows_numbers_charts_and_approves_replies(
    browser: Browser,
    gateway_url: str,
    stack_settings: Settings,
    queue: HandoffQueue,
    rds: aioredis.Redis,
) -> None:
    # the line is this test's own (no chat of a vanished agent comes back into it),
    # then one chat waits, and a rated chat has one of its replies proposed
    await drain(queue)
    await calm_chat(queue, rds, stack_settings.redis_prefix)
    cid = await calm_chat(queue, rds, stack_settings.redis_prefix)
    helper = "helper-" + secrets.token_hex(4)
    await queue.register_agent(Agent(helper, "Helper"))
    await queue.set_presence(helper, Presence.ONLINE)
    claim = await queue.claim(helper, cid)
    await queue.resolve(helper, cid, claim.token)
    await queue.rate(cid, Rating(csat=5, understood=5))
    proposal = await Proposals(rds, queue.keys).propose(
        await queue.ticket(cid),
        "Thanks Calm, I've sent <b>the invoice</b> again just now.",
        "Helper",
        helper,
    )

    name = "sup-" + secrets.token_hex(4)
    await Accounts(rds, Keys(queue.keys.prefix), queue).add(
        name, "supervisor password", role="supervisor"
    )
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = Watched(await context.new_page())
    await page.page.goto(gateway_url + "/console/dashboard")
    await page.page.get_by_test_id("login-user").fill(name)
    await page.page.get_by_test_id("login-password").fill("supervisor password")
    await page.page.get_by_test_id("login-submit").click()
    # signing in from the dashboard goes back to it (issue 18)
    await expect(page.page).to_have_url(gateway_url + "/console/dashboard")
    waiting = page.page.get_by_test_id("tile-waiting").locator(".value")
    await expect(waiting).to_have_text("1")
    csat = page.page.get_by_test_id("tile-csat").locator(".value")
    await expect(csat).to_have_text(re.compile(r"^[1-5](\.\d+)?$"))
    charts = page.page.get_by_test_id("chart")
    await expect(charts).to_have_count(4)
    await page.page.wait_for_function(
        "() => [...document.querySelectorAll('img')]"
        ".every(i => i.complete && i.naturalWidth > 100)",
        timeout=TIMEOUT_MS,
    )
    item = page.page.get_by_test_id("proposal").filter(has_text="the invoice")
    await expect(item).to_contain_text("Thanks {name}, I've sent <b>the invoice</b>")
    await item.get_by_test_id("approve").click()
    await expect(item).to_have_count(0)
    assert [p.id for p in await Proposals(rds, queue.keys).approved()].count(
        proposal.id
    ) == 1
    page.assert_clean()
    await context.close()


async def test_an_agent_rates_a_colleagues_reply(
    browser: Browser,
    gateway_url: str,
    stack_settings: Settings,
    queue: HandoffQueue,
    rds: aioredis.Redis,
) -> None:
    cid = await calm_chat(queue, rds, stack_settings.redis_prefix)
    helper = "helper-" + secrets.token_hex(4)
    await queue.register_agent(Agent(helper, "Helper"))
    await queue.set_presence(helper, Presence.ONLINE)
    claim = await queue.claim(helper, cid)
    text = "I'm sorry for the wait. I've sent <i>your invoice</i> again just now."
    transcript = Transcript(rds, prefix=stack_settings.redis_prefix)
    reply, _ = await transcript.append(
        cid, Entry(Author.AGENT, text, agent_id=helper, agent_name="Helper")
    )
    await queue.resolve(helper, cid, claim.token)

    console, name = await agent_page(browser, gateway_url, queue, rds)
    page = console.page
    for _ in range(300):  # samples are random: rate until it is the helper's reply
        await page.get_by_test_id("qa-start").click()
        await expect(page.get_by_test_id("qa-form")).to_be_visible()
        shown = await page.get_by_test_id("qa-reply").text_content()
        if shown == text:
            break
        await page.get_by_test_id("qa-submit").click()
        await expect(page.get_by_test_id("qa-form")).to_be_hidden()
    else:
        raise AssertionError("the helper's reply was never sampled")
    boxes = page.get_by_test_id("qa-criterion")
    await expect(boxes).to_have_count(5)
    await boxes.nth(0).check()
    await boxes.nth(4).check()
    await page.get_by_test_id("qa-submit").click()
    await expect(page.get_by_test_id("qa-form")).to_be_hidden()
    # the flash may still say "saved" from an earlier sample: wait for the rating
    stored = await until(
        lambda: rds.hget(queue.keys.qa_ratings, f"{cid} {reply.id} {name}"),
        timeout=30,
        what="the rating to be stored",
    )
    await expect(page.get_by_test_id("flash")).to_contain_text("saved")
    assert '"score": 0.4' in stored
    console.assert_clean()
    await page.context.close()
