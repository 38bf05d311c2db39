"""The console as a place to work all day (issue 18), in Debian's chromium.

Two hundred chats wait (queued through the real queue library, each with what the
customer wrote in the real transcript) and the page still fits a 1280x720 screen: the
waiting list scrolls on its own, the open conversation and its reply box stay in view,
and every item shows who is waiting and the first words of their latest message.
"""

from __future__ import annotations

import random
import re
import secrets

import redis.asyncio as aioredis
from playwright.async_api import Browser, Locator, Page, expect

from bot.handoff import Customer, EmotionSnapshot, HandoffQueue, HandoffRequest
from bot.handoff.flags import UrgencyFlag
from bot.settings import Settings
from bot.transcript import Author, Entry, Transcript
from tests.browser.axe import violations
from tests.browser.test_console import (  # noqa: F401 (fixtures)
    agent_page,
    chromium,
    drain,
)

WIDTH, HEIGHT = 1280, 720
EMOTIONS = ["anger", "frustration", "sadness", "anxiety", "confusion", "neutral"]
SAID = [
    "where is my parcel, it was due on Monday",
    "I was charged twice for the same order",
    "the jacket arrived torn and I need it for a trip",
    "nobody answers my emails about the refund",
    "can I change the delivery address please",
]


async def line_of(
    count: int, line: HandoffQueue, store: aioredis.Redis, prefix: str
) -> list[str]:
    """``count`` customers waiting, each having written one or two messages (seeded)."""
    rng = random.Random(18)
    transcript = Transcript(store, prefix=prefix)
    ids = []
    for n in range(count):
        cid = f"wide-{n:03d}-" + secrets.token_hex(3)
        for text in rng.sample(SAID, rng.choice([1, 2])):
            await transcript.append(cid, Entry(Author.CUSTOMER, f"{text} (#{n})"))
        flags = frozenset([UrgencyFlag.FRAUD]) if n % 17 == 0 else frozenset()
        await line.enqueue(
            HandoffRequest(
                cid,
                "web",
                Customer(cid, f"Customer {n:03d}"),
                EmotionSnapshot(rng.choice(EMOTIONS), round(rng.random(), 2), 0),
                topic="order_status",
                reasons=["asked_for_person"],
                flags=flags,
            )
        )
        ids.append(cid)
    return ids


async def inside_viewport(locator: Locator) -> None:
    """The element is on screen, whole, without the page having scrolled."""
    await expect(locator).to_be_visible()
    box = await locator.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box


async def page_fits(page: Page) -> None:
    """The page itself never scrolls: only its regions do."""
    sizes = await page.evaluate(
        "() => ({page: document.scrollingElement.scrollHeight, view: innerHeight,"
        " y: scrollY, list: document.getElementById('queue-list').scrollHeight,"
        " listView: document.getElementById('queue-list').clientHeight})"
    )
    assert sizes["page"] <= sizes["view"] and sizes["y"] == 0, sizes
    assert sizes["list"] > 5 * sizes["listView"], sizes  # the list is its own region


async def test_two_hundred_waiting_chats_fit_a_1280x720_workspace(
    chromium: Browser,  # noqa: F811
    gateway_url: str,
    stack_settings: Settings,
    queue: HandoffQueue,  # noqa: F811
    rds: aioredis.Redis,  # noqa: F811
) -> None:
    await drain(queue)
    prefix = stack_settings.redis_prefix
    ids = await line_of(199, queue, rds, prefix)
    # one customer wrote again, at length; the 200th writes on Telegram without a
    # name (their handle stands in)
    transcript = Transcript(rds, prefix=prefix)
    talker = ids[0]
    await transcript.append(
        talker,
        Entry(
            Author.CUSTOMER,
            "I have now waited   three weeks for the boots and I still have no "
            "tracking number, nobody answers, and the trip starts on Friday so if "
            "they do not arrive by Thursday I want my money back in full please",
        ),
    )
    handle = str(7_000_000 + secrets.randbelow(10**6))
    tg = "tg-" + secrets.token_hex(6)
    await transcript.append(tg, Entry(Author.CUSTOMER, "hello?", channel="telegram"))
    await queue.enqueue(
        HandoffRequest(
            tg, "telegram", Customer(handle, ""), EmotionSnapshot("anger", 0.9, 3)
        )
    )

    console, _ = await agent_page(
        chromium, gateway_url, queue, rds, viewport=(WIDTH, HEIGHT)
    )
    page = console.page
    items = page.get_by_test_id("queue-item")
    await expect(items).to_have_count(200)
    await expect(page.get_by_test_id("queue-count")).to_have_text("200")
    await page_fits(page)

    # the item shows the latest words, on one line, cut with an ellipsis
    first = page.locator(f'[data-conversation="{talker}"]')
    latest = first.get_by_test_id("queue-latest")
    await expect(latest).to_have_text(
        "I have now waited three weeks for the boots and I still have no tracking "
        "number, nobody answers, and the trip starts on Friday so if they do not "
        "arrive by…"
    )
    assert await latest.evaluate("e => e.scrollHeight <= e.clientHeight + 2")
    await expect(first.get_by_test_id("queue-name")).to_have_text("Customer 000")
    await expect(first.get_by_test_id("emotion")).not_to_be_empty()
    await expect(first.get_by_test_id("waiting")).to_contain_text("waiting")
    nameless = page.locator(f'[data-conversation="{tg}"]')
    await expect(nameless.get_by_test_id("queue-name")).to_have_text(
        f"telegram {handle}"
    )
    await expect(nameless.get_by_test_id("queue-latest")).to_have_text("hello?")
    flagged = page.locator(f'[data-conversation="{ids[17]}"]')
    await expect(flagged.get_by_test_id("flag")).to_have_text("fraud")
    # compact: about a dozen items on screen, no full-width Claim button
    height = await first.evaluate("e => e.getBoundingClientRect().height")
    assert height < 80, height
    claim_width = await first.get_by_test_id("claim").evaluate(
        "e => e.getBoundingClientRect().width"
    )
    assert claim_width < 100, claim_width

    # open the chat at the very end of the list: the list scrolls, the page does not
    last = items.last
    await last.scroll_into_view_if_needed()
    await last.get_by_test_id("claim").click()
    await expect(page.get_by_test_id("chat-state")).to_have_text("yours")
    await expect(items).to_have_count(199)
    await page_fits(page)
    for part in ("chat-title", "reply-input", "reply-send", "resolve", "why"):
        await inside_viewport(page.get_by_test_id(part))
    await inside_viewport(page.get_by_test_id("transcript-message").last)
    # held chats are tabs above the conversation
    tab = page.get_by_test_id("my-chat-tab")
    await expect(tab).to_have_count(1)
    await expect(tab).to_have_attribute("aria-current", "true")
    await inside_viewport(tab)

    # a second chat from the top: two tabs, the other one is switched back to
    await first.get_by_test_id("claim").click()
    await expect(tab).to_have_count(2)
    await expect(page.get_by_test_id("chat-title")).to_contain_text("Customer 000")
    await tab.first.click()
    await expect(tab.first).to_have_attribute("aria-current", "true")
    await page_fits(page)
    found = await violations(page)
    assert found == [], found

    console.assert_clean()
    await page.context.close()
    await drain(queue)


# records what the page asks of the browser: notifications shown, tones started
RECORDER = """
window.__notified = [];
window.__tones = 0;
(() => {
  const Real = window.Notification;
  if (Real) {
    window.Notification = new Proxy(Real, {
      construct(target, args) {
        const body = String((args[1] || {}).body || '');
        window.__notified.push({title: String(args[0]), body});
        return Reflect.construct(target, args);
      },
    });
  }
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...rest) {
    window.__tones += 1;
    return start.apply(this, rest);
  };
})();
"""


async def waiting_chat(
    line: HandoffQueue,
    store: aioredis.Redis,
    prefix: str,
    name: str,
    said: str,
    emotion: EmotionSnapshot,
    flags: frozenset[UrgencyFlag] = frozenset(),
) -> str:
    """One customer waiting, having written ``said`` (through the real queue)."""
    cid = "alert-" + secrets.token_hex(6)
    await Transcript(store, prefix=prefix).append(cid, Entry(Author.CUSTOMER, said))
    await line.enqueue(
        HandoffRequest(cid, "web", Customer(cid, name), emotion, flags=flags)
    )
    return cid


async def test_a_new_urgent_chat_raises_a_notification_and_the_title_counts(
    chromium: Browser,  # noqa: F811
    gateway_url: str,
    stack_settings: Settings,
    queue: HandoffQueue,  # noqa: F811
    rds: aioredis.Redis,  # noqa: F811
) -> None:
    await drain(queue)
    prefix = stack_settings.redis_prefix
    calm = EmotionSnapshot("neutral", 0.1, 0)
    await waiting_chat(queue, rds, prefix, "Early Erin", "a question", calm)
    console, _ = await agent_page(
        chromium,
        gateway_url,
        queue,
        rds,
        viewport=(WIDTH, HEIGHT),
        init_script=RECORDER,
        permissions=("notifications",),
    )
    page = console.page
    await expect(page).to_have_title("(1 waiting) Support console")
    assert await page.evaluate("Notification.permission") == "granted"

    # a calm newcomer is counted but not announced (below "urgent", the default)
    await waiting_chat(queue, rds, prefix, "Calm Carl", "no rush", calm)
    await expect(page).to_have_title("(2 waiting) Support console")
    # an urgent one is announced: a notification with what they wrote, and a sound
    urgent = await waiting_chat(
        queue,
        rds,
        prefix,
        "Upset Uma",
        "someone used my card for three orders",
        EmotionSnapshot("anger", 0.9, 4),
        frozenset([UrgencyFlag.FRAUD]),
    )
    await page.wait_for_function("() => window.__notified.length > 0")
    notified = await page.evaluate("window.__notified")
    assert notified == [
        {
            "title": "New chat: Upset Uma",
            "body": "someone used my card for three orders\nanger 90%, fraud",
        }
    ]
    assert await page.evaluate("window.__tones") > 0
    await expect(page).to_have_title("(3 waiting) Support console")

    # a new message in a held chat that is not open counts as unread
    await (
        page.locator(f'[data-conversation="{urgent}"]').get_by_test_id("claim").click()
    )
    await expect(page.get_by_test_id("chat-state")).to_have_text("yours")
    await expect(page).to_have_title("(2 waiting) Support console")
    await page.get_by_test_id("queue-item").first.click()
    await expect(page.get_by_test_id("chat-state")).to_have_text("queued")
    await Transcript(rds, prefix=prefix).append(
        urgent, Entry(Author.CUSTOMER, "are you still there?")
    )
    await expect(page).to_have_title("(2 waiting, 1 unread) Support console")

    # each alert is switchable, and the choice is remembered in this browser
    await page.get_by_test_id("alerts-menu").click()
    await page.get_by_test_id("alert-title").uncheck()
    await expect(page).to_have_title("Support console")
    await page.get_by_test_id("alert-notify").uncheck()
    await page.get_by_test_id("alert-level").select_option("0")
    found = await violations(page)  # the menu open
    assert found == [], found
    await page.reload()
    await expect(page.get_by_test_id("live-status")).to_have_text("live")
    await expect(page.get_by_test_id("queue-item")).to_have_count(2)
    await expect(page).to_have_title("Support console")
    await expect(page.get_by_test_id("alert-title")).not_to_be_checked()
    await expect(page.get_by_test_id("alert-notify")).not_to_be_checked()
    await expect(page.get_by_test_id("alert-sound")).to_be_checked()
    await expect(page.get_by_test_id("alert-level")).to_have_value("0")
    # now every new chat sounds, and none shows a notification
    await waiting_chat(queue, rds, prefix, "Quiet Quinn", "hi", calm)
    await page.wait_for_function("() => window.__tones > 0")
    await expect(page.get_by_test_id("queue-item")).to_have_count(3)
    assert await page.evaluate("window.__notified") == []

    console.assert_clean()
    await page.context.close()
    await drain(queue)


async def test_claim_reply_and_resolve_with_the_keyboard_only(
    chromium: Browser,  # noqa: F811
    gateway_url: str,
    stack_settings: Settings,
    queue: HandoffQueue,  # noqa: F811
    rds: aioredis.Redis,  # noqa: F811
) -> None:
    await drain(queue)
    prefix = stack_settings.redis_prefix
    await waiting_chat(
        queue,
        rds,
        prefix,
        "Upset Uma",
        "someone used my card",
        EmotionSnapshot("anger", 0.9, 4),
        frozenset([UrgencyFlag.FRAUD]),
    )
    await waiting_chat(
        queue, rds, prefix, "Calm Carl", "no rush", EmotionSnapshot("neutral", 0.1, 0)
    )
    console, _ = await agent_page(
        chromium, gateway_url, queue, rds, viewport=(WIDTH, HEIGHT)
    )
    page, keys = console.page, console.page.keyboard
    items = page.get_by_test_id("queue-item")
    await expect(items).to_have_count(2)
    title = page.get_by_test_id("chat-title")
    state = page.get_by_test_id("chat-state")

    # ? lists the shortcuts; Escape closes the list
    await keys.press("?")
    overlay = page.get_by_test_id("keys-help")
    await expect(overlay).to_be_visible()
    await expect(overlay).to_contain_text("claim the selected waiting chat")
    found = await violations(page)
    assert found == [], found
    await keys.press("Escape")
    await expect(overlay).to_be_hidden()

    # j selects the best waiting chat, c claims it, n takes the next, [ goes back
    await keys.press("j")
    await expect(items.first).to_have_class(re.compile(r"\bselected\b"))
    await keys.press("c")
    await expect(state).to_have_text("yours")
    await expect(title).to_contain_text("Upset Uma")
    await keys.press("n")
    await expect(title).to_contain_text("Calm Carl")
    await expect(state).to_have_text("yours")
    tabs = page.get_by_test_id("my-chat-tab")
    await expect(tabs).to_have_count(2)
    await keys.press("[")
    await expect(title).to_contain_text("Upset Uma")
    await expect(tabs.first).to_have_attribute("aria-current", "true")

    # r goes to the reply box; letters typed there are text, not shortcuts
    await keys.press("r")
    reply = page.get_by_test_id("reply-input")
    await expect(reply).to_be_focused()
    text = "I'm so sorry, Uma: I see the card orders [3] and I'm cancelling them now?"
    await keys.type(text)
    await expect(reply).to_have_value(text)
    await expect(overlay).to_be_hidden()
    await expect(title).to_contain_text("Upset Uma")
    await expect(state).to_have_text("yours")
    # Ctrl+Enter sends, Escape leaves the box, e resolves
    await keys.press("Control+Enter")
    sent = page.get_by_test_id("transcript-message").filter(has_text="cancelling them")
    await expect(sent).to_have_attribute("data-author", "agent")
    await expect(reply).to_have_value("")
    await keys.press("Escape")
    await expect(reply).not_to_be_focused()
    await keys.press("e")
    await expect(state).to_have_text("resolved")
    await expect(tabs).to_have_count(1)
    # Alt+1 opens the first (now only) held chat
    await keys.press("Alt+1")
    await expect(title).to_contain_text("Calm Carl")

    console.assert_clean()
    await page.context.close()
    await drain(queue)
