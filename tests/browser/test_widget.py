"""The chat widget on the demo shop page, in Debian's chromium, on the real stack.

Real Rasa, action server, gateway and Redis. The person from our team works through
the console's HTTP API (conftest.Console); ``desk`` reads what the stack stored.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.async_api import Browser, WebSocketRoute, expect

from bot.handoff.keys import Keys
from bot.ops.ports import free_port
from bot.ops.stack import Stack
from bot.settings import ROOT, Settings
from bot.transcript import Author
from tests.browser.conftest import Console, Desk, Shop
from tests.hours import closed_for_days

pytestmark = pytest.mark.stack

ANGRY = [
    "My order STILL hasn't arrived and nobody answers my emails!!!",
    "THIS IS THE THIRD TIME I'M ASKING. Useless!!! I want a real person NOW",
]
HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(2)</script>",
    '"><svg onload=alert(3)>',
]
# Words the bot uses when it passes a chat to a person (data/replies).
HANDOFF_WORDS = ("person", "colleague", "team")


async def test_a_question_gets_a_caring_answer_and_quick_replies_work(
    shop: Shop,
) -> None:
    await shop.visit()
    await shop.open()
    replies = await shop.say_and_wait("where is my order?")
    assert any("order number" in r.lower() for r in replies), replies
    replies = await shop.say_and_wait("it's 48213")
    assert any("48213" in r and "postcode" in r for r in replies), replies
    replies = await shop.say_and_wait("maya.lindqvist@example.com")
    assert any("DHL" in r for r in replies), replies
    assert await shop.texts("customer") == [
        "where is my order?",
        "it's 48213",
        "maya.lindqvist@example.com",
    ]

    # A vague word makes the bot check its guess with Yes/No buttons.
    quick = shop.page.get_by_test_id("chat-quick-reply")
    for vague in ("package", "my stuff", "parcel", "where"):
        await shop.say_and_wait(vague)
        if await quick.count():
            break
    else:
        pytest.fail("the bot sent no quick-reply buttons for a vague message")
    await expect(quick).to_have_text(["Yes", "No"])
    customers = await shop.messages("customer").count()
    await quick.filter(has_text="Yes").click()
    await expect(shop.messages("customer")).to_have_count(customers + 1)
    await expect(shop.messages("customer").last).to_have_attribute(
        "data-status", "delivered"
    )
    await expect(shop.messages("customer").last.locator(".acw-text")).to_have_text(
        "Yes"
    )
    await expect(quick).to_have_count(0)  # used once, then gone
    # "Yes" confirmed the guess: the bot goes on with the order (it may remember it).
    await expect(shop.messages("bot").last).to_contain_text(
        re.compile("order number|48213")
    )
    shop.assert_clean()


async def test_an_angry_customer_is_handed_to_a_person_with_a_queue_position(
    shop: Shop, desk: Desk
) -> None:
    # Someone is online but busy, so the customer waits and a wait can be estimated.
    await desk.busy_agent_online("Robin")
    await shop.visit()
    await shop.open()
    await shop.say_and_wait(ANGRY[0])
    await shop.say(ANGRY[1])
    handoff = shop.page.locator('[data-testid="chat-message"][data-kind="handoff"]')
    await expect(handoff).to_have_count(1)
    text = (await handoff.inner_text()).lower()
    assert any(word in text for word in HANDOFF_WORDS), text
    await expect(shop.status).to_have_attribute("data-state", "queued")
    cid = await shop.conversation_id()
    where = await desk.queue.position(cid)
    assert where.state.value == "queued" and where.position
    # Other tests' agents may be online and free on the shared test stack: then a
    # person is expected shortly, else the wait comes from the queue's estimate.
    # (the widget gets the wait in whole seconds: under half a second is "shortly")
    if where.expected_wait and round(where.expected_wait):
        minutes = max(1, round(where.expected_wait / 60))
        wait = f", about {minutes} minute{'s' if minutes > 1 else ''}"
    else:
        wait = ". Someone should be with you shortly"
    await expect(shop.status).to_have_text(
        f"Connecting you with a person — you are number {where.position}{wait}"
    )
    shop.assert_clean()


@pytest.fixture(scope="module")
def closed_gateway(
    stack: Stack, stack_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """Another gateway of the stack whose business hours are over; its URL and when
    it says the team is back."""
    config = tmp_path_factory.mktemp("hours") / "handoff.yml"
    back = closed_for_days(config)
    settings = stack_settings.model_copy(update={"gateway_port": free_port()})
    always_open = os.environ["HANDOFF_CONFIG"]
    os.environ["HANDOFF_CONFIG"] = str(config)  # read when the service is made
    try:
        service = stack.add_gateway(settings, "gateway-closed")
    finally:
        os.environ["HANDOFF_CONFIG"] = always_open
    yield f"http://127.0.0.1:{settings.gateway_port}", back
    stack.remove(service)


async def test_after_hours_the_status_says_when_the_team_is_back(
    browser: Browser, closed_gateway: tuple[str, str]
) -> None:
    url, back = closed_gateway
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    shop = Shop(context, await context.new_page(), url)
    await shop.visit()
    await shop.open()
    await shop.say("I want to talk to a real person, please")
    await expect(shop.status).to_have_attribute("data-state", "queued")
    await expect(shop.status).to_contain_text(
        f"Our team is back {back}; we'll reply here"
    )
    shop.assert_clean()
    await context.close()


async def test_an_agent_joins_replies_live_resolves_and_the_rating_is_stored(
    shop: Shop, desk: Desk, console: Console
) -> None:
    console.create_account("Alex")
    await console.sign_in()
    await shop.visit()
    await shop.open()
    await shop.say("I want to talk to a real person, please")
    await expect(shop.status).to_have_attribute("data-state", "queued")
    # The ticket exists as soon as the action server enqueues it, a moment before
    # the gateway stores the bot's handoff message; claim after that message.
    handoff = shop.page.locator('[data-testid="chat-message"][data-kind="handoff"]')
    await expect(handoff).to_have_count(1)
    cid = await shop.conversation_id()

    token = await console.claim(cid)
    await expect(shop.status).to_have_text("Alex from our team has joined")
    await expect(shop.messages("system").last).to_contain_text("Alex")

    # The reply arrives live even with the chat closed: the launcher says so.
    await shop.page.keyboard.press("Escape")
    await expect(shop.window).to_be_hidden()
    await console.reply(
        cid, token, "Hi, I'm Alex. I've read everything; let me fix this."
    )
    await expect(shop.launcher).to_contain_text("New message")
    await expect(shop.launcher.locator(".acw-badge")).to_have_text("1")
    await shop.open()
    await expect(shop.launcher.locator(".acw-badge")).to_be_hidden()
    agent = shop.messages("agent")
    await expect(agent).to_have_count(1)
    await expect(agent.locator(".acw-who")).to_contain_text("Alex")
    await expect(agent.locator(".acw-text")).to_have_text(
        "Hi, I'm Alex. I've read everything; let me fix this."
    )

    # While a person has the chat, the bot stays silent.
    bots = await shop.messages("bot").count()
    await shop.say("thank you Alex")
    await expect(shop.messages("customer").last).to_have_attribute(
        "data-status", "delivered"
    )
    await expect(shop.page.get_by_test_id("chat-typing")).to_be_hidden()
    await shop.page.wait_for_timeout(1500)
    assert await shop.messages("bot").count() == bots

    await console.resolve(cid, token)
    csat = shop.page.get_by_test_id("chat-csat")
    await expect(csat).to_be_visible()
    await expect(shop.status).to_have_attribute("data-state", "bot")
    assert await shop.messages("bot").count() >= bots + 1

    # Rate with the keyboard only: radio groups move with the arrow keys.
    await csat.get_by_role("radio", name="1 – Very unhappy").focus()
    for _ in range(3):
        await shop.page.keyboard.press("ArrowRight")  # 4
    satisfied = csat.locator('[data-scale="csat"]')
    await expect(satisfied.get_by_role("radio", name="4", exact=True)).to_be_checked()
    await shop.page.keyboard.press("Tab")
    await expect(csat.get_by_role("radio", name="1 – Not at all")).to_be_focused()
    for _ in range(4):
        await shop.page.keyboard.press("ArrowRight")  # 5
    await expect(csat.get_by_role("radio", name="5 – Completely")).to_be_checked()
    # effort and the NPS may be left out; the comment is typed
    for _ in range(3):
        await shop.page.keyboard.press("Tab")
    await expect(csat.get_by_test_id("chat-csat-comment")).to_be_focused()
    await shop.page.keyboard.type("Alex was lovely")
    await shop.page.keyboard.press("Tab")
    await expect(csat.get_by_test_id("chat-csat-send")).to_be_focused()
    await shop.page.keyboard.press("Enter")

    await expect(csat).to_have_count(0)
    rated = shop.page.locator('[data-testid="chat-message"][data-kind="rated"]')
    await expect(rated).to_have_count(1)
    rating = (await desk.queue.ticket(cid)).rating
    assert rating is not None
    assert (rating.csat, rating.understood) == (4, 5)
    assert rating.effort is None and rating.comment == "Alex was lovely"
    shop.assert_clean()


async def test_a_bot_only_chat_that_ends_with_thanks_gets_the_survey_form(
    shop: Shop, desk: Desk
) -> None:
    await shop.visit()
    await shop.open()
    await shop.say_and_wait("what are your delivery times?")
    await expect(shop.page.get_by_test_id("chat-csat")).to_have_count(0)
    await shop.say_and_wait("thanks, that's all")
    form = shop.page.get_by_test_id("chat-csat")
    await expect(form).to_be_visible()
    await expect(form.locator("legend")).to_have_text(
        [
            "How satisfied are you with the help you got?",
            "How well did we understand and address your feelings?",
            "How easy was it to get your issue resolved? (optional)",
            "How likely are you to recommend us to a friend? (optional)",
        ]
    )
    await expect(form.locator('[data-scale="recommend"] .acw-choice')).to_have_count(11)
    send = form.get_by_test_id("chat-csat-send")
    await send.click()  # nothing chosen: the form says so, nothing is sent
    await expect(form.get_by_role("alert")).to_contain_text("Please choose a number")
    await form.locator('[data-scale="csat"] label[for$="-5"]').click()
    await form.locator('[data-scale="understood"] label[for$="-4"]').click()
    await form.locator('[data-scale="effort"] label[for$="-7"]').click()
    await form.locator('[data-scale="recommend"] label[for$="-10"]').click()
    await form.get_by_test_id("chat-csat-comment").fill("Quick and clear, thanks")
    await send.click()
    await expect(form).to_have_count(0)
    rated = shop.page.locator('[data-testid="chat-message"][data-kind="rated"]')
    await expect(rated).to_have_count(1)
    cid = await shop.conversation_id()
    stored = json.loads(
        await desk.redis.hget(Keys(desk.queue.keys.prefix).survey(cid), "answers")
    )  # type: ignore[arg-type]
    assert stored["answers"] == {
        "csat": 5,
        "understood": 4,
        "effort": 7,
        "recommend": 10,
        "comment": "Quick and clear, thanks",
    }
    # the comment was read by the emotion analysis
    assert stored["comment_emotion"]["label"]
    shop.assert_clean()


async def test_an_upset_thank_you_gets_no_survey(shop: Shop, desk: Desk) -> None:
    await shop.visit()
    await shop.open()
    await shop.say_and_wait("what are your delivery times?")
    await shop.say_and_wait("thanks, I'm still really upset about this")
    await expect(shop.page.get_by_test_id("chat-csat")).to_have_count(0)
    cid = await shop.conversation_id()
    entries = await desk.transcript.read(cid)
    assert "rating_request" not in [e.kind.value for e in entries]
    shop.assert_clean()


async def test_history_survives_a_reload_and_offline_messages_arrive_once(
    shop: Shop, desk: Desk
) -> None:
    await shop.visit()
    await shop.open()
    await shop.say_and_wait("where is my order?")
    before = await shop.texts()
    ids = await shop.messages().evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('data-entry-id'))"
    )

    await shop.page.reload()
    await expect(shop.window).to_be_visible()  # it was open: it opens again
    await expect(shop.messages()).to_have_count(len(before))
    assert await shop.texts() == before
    assert (
        await shop.messages().evaluate_all(
            "nodes => nodes.map(n => n.getAttribute('data-entry-id'))"
        )
        == ids
    )

    await shop.context.set_offline(True)
    await expect(shop.page.get_by_test_id("chat-notice")).to_contain_text("offline")
    await shop.say("it is 48213")
    pending = shop.messages("customer").last
    await expect(pending).to_have_attribute("data-status", "pending")
    await shop.page.wait_for_timeout(1000)
    await shop.context.set_offline(False)
    await expect(pending).to_have_attribute("data-status", "delivered")
    await expect(shop.page.get_by_test_id("chat-notice")).to_be_hidden()  # back
    await expect(shop.messages("bot").last).to_contain_text("48213")
    await expect(shop.messages("customer").filter(has_text="48213")).to_have_count(1)

    cid = await shop.conversation_id()
    stored = [e for e in await desk.entries(cid) if e.author is Author.CUSTOMER]
    assert [e.text for e in stored] == ["where is my order?", "it is 48213"]
    assert (await shop.stored())["pending"] == []

    # One more reload: the whole conversation once, in the stored order.
    await shop.page.reload()
    every = [e.text for e in await desk.entries(cid)]
    await expect(shop.messages()).to_have_count(len(every))
    assert await shop.texts() == every
    shop.assert_clean()


async def test_a_message_typed_offline_in_a_closed_tab_is_sent_on_the_next_visit(
    shop: Shop, desk: Desk
) -> None:
    await shop.visit()
    await shop.open()
    await shop.say_and_wait("hello")
    await shop.context.set_offline(True)
    await expect(shop.page.get_by_test_id("chat-notice")).to_contain_text("offline")
    await shop.say("how long does delivery to Spain take?")
    await expect(shop.messages("customer").last).to_have_attribute(
        "data-status", "pending"
    )
    assert len((await shop.stored())["pending"]) == 1
    # The tab is closed while offline; the customer comes back later.
    await shop.new_tab()
    await shop.context.set_offline(False)
    await shop.visit()
    await expect(shop.window).to_be_visible()
    question = shop.messages("customer").filter(has_text="delivery to Spain")
    await expect(question).to_have_attribute("data-status", "delivered")
    await expect(question).to_have_count(1)
    cid = await shop.conversation_id()
    stored = [e.text for e in await desk.entries(cid) if e.author is Author.CUSTOMER]
    assert stored == ["hello", "how long does delivery to Spain take?"]
    await expect(shop.messages().last).not_to_have_attribute("data-author", "customer")
    assert (await shop.stored())["pending"] == []
    shop.assert_clean()


async def test_a_message_the_server_asks_to_resend_arrives_once(
    shop: Shop, desk: Desk
) -> None:
    # Between the page and the real gateway: the first message frame is answered
    # the way the gateway answers when Redis is briefly away (retry: true).
    refused: list[str] = []

    def between(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("type") == "message" and not refused:
                refused.append(frame["id"])
                ws.send(
                    json.dumps(
                        {
                            "type": "error",
                            "code": "unavailable",
                            "message": "we could not take that message just now",
                            "id": frame["id"],
                            "retry": True,
                        }
                    )
                )
                return
            server.send(message)

        ws.on_message(from_page)

    await shop.page.route_web_socket(re.compile(r".*/ws/chat$"), between)
    await shop.visit()
    await shop.open()
    await shop.say("where is my order?")
    mine = shop.messages("customer")
    await expect(mine).to_have_attribute("data-status", "delivered")
    assert await mine.get_attribute("data-client-id") == refused[0]
    await expect(shop.messages("bot")).not_to_have_count(0)
    cid = await shop.conversation_id()
    stored = [e for e in await desk.entries(cid) if e.author is Author.CUSTOMER]
    assert [(e.text, e.client_id) for e in stored] == [
        ("where is my order?", refused[0])
    ]
    await expect(mine).to_have_count(1)
    shop.assert_clean()


async def test_hostile_text_is_shown_as_text(shop: Shop, desk: Desk) -> None:
    await shop.visit()
    await shop.open()
    for text in HOSTILE:
        await shop.say_and_wait(text)
    assert await shop.texts("customer") == HOSTILE
    log = shop.page.get_by_test_id("chat-log")
    assert await log.locator("img, script, svg").count() == 0
    await shop.page.wait_for_timeout(500)  # give any injected handler time to fire
    cid = await shop.conversation_id()
    stored = [e.text for e in await desk.entries(cid) if e.author is Author.CUSTOMER]
    assert stored == HOSTILE
    shop.assert_clean()


async def test_bad_input_gets_a_calm_notice_and_nothing_is_lost(
    shop: Shop, desk: Desk
) -> None:
    await shop.visit()
    await shop.open()
    notice = shop.page.get_by_test_id("chat-notice")

    await shop.input.press("Enter")  # nothing typed
    await expect(notice).to_have_text("Please type a message first.")
    assert await shop.messages().count() == 0

    # The box takes at most the server's limit (4000 characters), so nothing longer
    # can be sent.
    await shop.input.fill("a" * 4001)
    assert len(await shop.input.input_value()) == 4000
    await shop.input.fill("")

    # Only control characters: the server refuses it; the bubble says so.
    await shop.say("\u0007\u0008")
    failed = shop.messages("customer").last
    await expect(failed).to_have_attribute("data-status", "failed")
    await expect(failed).to_contain_text("Not sent")
    await expect(notice).to_contain_text("couldn't send")

    await shop.say_and_wait("thanks!")
    cid = await shop.conversation_id()
    stored = [e.text for e in await desk.entries(cid) if e.author is Author.CUSTOMER]
    assert stored == ["thanks!"]
    assert (await shop.stored())["pending"] == []
    shop.assert_clean()


async def test_a_forged_or_broken_stored_session_starts_a_new_conversation(
    shop: Shop, desk: Desk
) -> None:
    await shop.visit()
    await shop.open()
    await shop.say_and_wait("hello")
    first = await shop.conversation_id()
    key, token = await shop.page.evaluate(
        "() => { const k = Object.keys(localStorage)[0];"
        " return [k, JSON.parse(localStorage.getItem(k)).session]; }"
    )
    forged = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
    await shop.page.evaluate(
        "([k, t]) => localStorage.setItem(k, JSON.stringify({session: t, open: true}))",
        [key, forged],
    )
    await shop.page.reload()
    await expect(shop.page.get_by_test_id("chat-notice")).to_have_text(
        "We started a new conversation for you."
    )
    await expect(shop.messages()).to_have_count(0)  # nothing of anyone's shown
    await shop.say_and_wait("hi again")
    second = await shop.conversation_id()
    assert second != first
    assert [e.text for e in await desk.entries(first)][0] == "hello"  # untouched

    # Storage that is not even JSON: the widget starts afresh instead of failing.
    await shop.page.evaluate("k => localStorage.setItem(k, '{not json')", key)
    await shop.page.reload()
    await shop.open()
    await shop.say_and_wait("hello once more")
    assert await shop.conversation_id() not in (first, second)
    shop.assert_clean()


async def test_keyboard_only(shop: Shop) -> None:
    await shop.visit()
    await shop.launcher.focus()
    await shop.page.keyboard.press("Enter")
    await expect(shop.window).to_be_visible()
    await expect(shop.launcher).to_have_attribute("aria-expanded", "true")
    await expect(shop.input).to_be_focused()
    await shop.page.keyboard.type("hi there")
    await shop.page.keyboard.press("Enter")
    await expect(shop.messages("customer")).to_have_count(1)
    await expect(shop.messages("bot")).not_to_have_count(0)
    await expect(shop.input).to_be_focused()
    await expect(shop.window).to_have_attribute("aria-modal", "false")  # page usable
    log = shop.page.get_by_role("log", name="Conversation")
    await expect(log).to_have_attribute("aria-live", "polite")
    await shop.page.keyboard.press("Escape")
    await expect(shop.window).to_be_hidden()
    await expect(shop.launcher).to_be_focused()
    await expect(shop.launcher).to_have_attribute("aria-expanded", "false")
    shop.assert_clean()


async def test_on_a_phone_the_chat_fills_the_screen(phone: Shop) -> None:
    await phone.visit()
    await phone.launcher.tap()
    await expect(phone.window).to_be_visible()
    box = await phone.window.bounding_box()
    assert box is not None
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)
    await expect(phone.launcher).to_be_hidden()
    # Full screen, it is a modal dialog: Tab stays inside it.
    await expect(phone.window).to_have_attribute("aria-modal", "true")
    await phone.page.get_by_test_id("chat-send").focus()
    await phone.page.keyboard.press("Tab")
    await expect(phone.page.get_by_test_id("chat-close")).to_be_focused()
    await phone.page.keyboard.press("Shift+Tab")
    await expect(phone.page.get_by_test_id("chat-send")).to_be_focused()
    animation = await phone.window.evaluate("n => getComputedStyle(n).animationName")
    assert animation == "none"  # the context asked for reduced motion
    replies = await phone.say_and_wait("how long does delivery take?")
    assert replies
    send = phone.page.get_by_test_id("chat-send")
    send_box = await send.bounding_box()
    assert send_box is not None and send_box["y"] + send_box["height"] <= 844
    await phone.page.get_by_test_id("chat-close").tap()
    await expect(phone.window).to_be_hidden()
    await expect(phone.launcher).to_be_visible()
    phone.assert_clean()


async def test_a_shop_on_another_origin_embeds_it_with_one_script_tag(
    shop: Shop, desk: Desk
) -> None:
    gateway = shop.base_url
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none';
 script-src {gateway}; style-src {gateway}; connect-src {gateway}
 ws://{gateway.split("//")[1]}"><title>Trail Shop</title></head>
<body><h1>Trail Shop</h1>
<script src="{gateway}/widget/widget.js" defer data-title="Trail Shop help"
 data-customer-name="Sam &lt;b&gt;"></script></body></html>""".encode()

    class OtherShop(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), OtherShop)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        await shop.page.goto(f"http://127.0.0.1:{server.server_port}/")
        await shop.launcher.click()
        window = shop.page.get_by_role("dialog", name="Trail Shop help")
        await expect(window).to_be_visible()
        # The style sheet came from the gateway: the launcher is a styled pill.
        radius = await shop.launcher.evaluate("n => getComputedStyle(n).borderRadius")
        assert radius == "999px"
        await shop.say("hello")
        await expect(shop.messages("bot")).not_to_have_count(0)
        cid = await shop.conversation_id()
    finally:
        server.shutdown()
        server.server_close()
    about = await desk.transcript.about(cid)
    assert about["channel"] == "web" and about["customer_name"] == "Sam <b>"
    shop.assert_clean()


def test_the_demo_page_csp_allows_exactly_its_own_style_block() -> None:
    page = (ROOT / "bot" / "static" / "index.html").read_text(encoding="utf-8")
    block = re.search(r"<style>(.*?)</style>", page.split("<head>", 1)[1], re.S)
    assert block is not None
    digest = base64.b64encode(hashlib.sha256(block.group(1).encode()).digest())
    expected = f"'sha256-{digest.decode()}'"
    assert expected in page, f"update the style-src hash in index.html to {expected}"
    assert "unsafe-inline" not in page
    assert not re.search(r"\son[a-z]+\s*=", page), "no inline event handlers"
    assert not re.search(r"\sstyle\s*=", page), "no inline style attributes"
