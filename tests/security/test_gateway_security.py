"""The gateway's routing core and anonymous sessions under attack (issue 16).

- Forced intents: ``/intent{...}`` from a customer never reaches Rasa as an intent,
  on any channel, except the exact payload of a button the bot just offered.
- A returning customer's second resolve and rating request are not taken for the
  first one's, however long ago the first ticket expired.
- Flooding the queue anonymously: new sessions and open tickets per client address
  (an IPv6 address by its /64), open widget sockets per session and per address; on a
  gateway of its own with low limits (``guarded``).
- Every TTL follows RETENTION_DAYS; client addresses are never stored as they are.
- A widget session idle for SESSION_IDLE_SECONDS is refused; the widget starts anew.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import websockets
from playwright.async_api import Browser
from websockets.exceptions import ConnectionClosed

from bot.conversations import Conversations, Inbound
from bot.handoff import (
    Agent,
    Customer,
    HandoffQueue,
    HandoffRequest,
    Presence,
)
from bot.handoff.keys import Keys
from bot.ops.ports import free_port
from bot.ops.private import routing_on
from bot.ops.services import rasa_service_env
from bot.ops.stack import Stack
from bot.ops.widget import Widget, ws_url
from bot.privacy import address_group, address_key
from bot.ratelimit import TOO_MANY_OPEN, TOO_MANY_SESSIONS, RateLimiter
from bot.settings import Settings
from bot.telegram_outbox import Outbox
from bot.transcript import Author, Kind, Transcript
from bot.upstream import RasaClient
from tests.bot.console.conftest import random_ip
from tests.browser.conftest import Shop, browser  # noqa: F401 - a fixture
from tests.polling import until

pytestmark = pytest.mark.stack

GUARDED = {
    "RATE_IP_SESSIONS_PER_HOUR": 3,
    "OPEN_TICKETS_PER_IP": 2,
    "WIDGET_SOCKETS_PER_SESSION": 2,
    "WIDGET_SOCKETS_PER_IP": 3,
}
FORCED = '/cancel_order{"order_id":"48213"}'
DAY = 24 * 3600


@pytest.fixture(scope="module")
def guarded_settings(stack_settings: Settings) -> Settings:
    """Settings of the guarded gateway: low limits, and a key prefix of its own (its
    resolved chats do not feed the stack's handling-time estimate)."""
    return stack_settings.model_copy(
        update={
            "gateway_port": free_port(),
            "redis_prefix": "g" + secrets.token_hex(4),
            **{name.lower(): value for name, value in GUARDED.items()},
        }
    )


@pytest.fixture(scope="module")
def guarded(stack: Stack, guarded_settings: Settings) -> Iterator[str]:
    """A gateway on the test stack with low limits on anonymous sessions."""
    settings = guarded_settings
    with pytest.MonkeyPatch.context() as env:  # the child inherits the environment
        for name, value in GUARDED.items():
            env.setenv(name, str(value))
        service = stack.add_gateway(settings, "gateway-guarded")
    yield f"http://127.0.0.1:{settings.gateway_port}"
    stack.remove(service)


@pytest.fixture
async def core(stack_settings: Settings, stack: Stack) -> AsyncIterator[Conversations]:
    """The routing core on the running stack's Redis and Rasa (as the console uses
    it)."""
    s = stack_settings
    async with routing_on(s, RasaClient(s.rasa_url, 30, s.rasa_api_token())) as routing:
        yield routing


async def rasa_heard(settings: Settings, cid: str) -> list[str]:
    """The texts of the conversation's customer messages as Rasa received them (its
    ``user`` events; an action may add a rewritten one after a confirmation)."""
    async with httpx.AsyncClient(base_url=settings.rasa_url, timeout=30) as client:
        response = await client.get(
            f"/conversations/{cid}/tracker",
            params={"token": settings.rasa_api_token(), "include_events": "ALL"},
        )
    response.raise_for_status()
    return [e["text"] for e in response.json()["events"] if e["event"] == "user"]


async def online_agent(queue: HandoffQueue) -> str:
    agent_id = "agent-" + secrets.token_hex(4)
    await queue.register_agent(Agent(agent_id, "Maya", capacity=5))
    await queue.set_presence(agent_id, Presence.ONLINE)
    return agent_id


async def open_ticket(queue: HandoffQueue, cid: str, channel: str = "web") -> None:
    await queue.enqueue(
        HandoffRequest(
            conversation_id=cid,
            channel=channel,
            customer=Customer(cid, "Sam"),
            reasons=["customer_request"],
        )
    )


async def expire_now(rds: aioredis.Redis, key: str) -> None:
    """Let Redis expire ``key`` as its TTL would, and wait until it has."""
    assert await rds.pexpire(key, 1)

    async def gone() -> bool:
        return not await rds.exists(key)

    await until(gone, what=f"{key} to expire")


async def refused_hello(base: str, session: str | None, ip: str) -> tuple[int, dict]:
    """Say hello and expect an error frame and a close: (close code, error frame)."""
    async with websockets.connect(
        ws_url(base), additional_headers={"X-Forwarded-For": ip}
    ) as ws:
        widget = Widget(ws)
        await widget.send({"type": "hello", "session": session})
        error = await widget.next("error")
        with pytest.raises(ConnectionClosed):
            await widget.next("welcome", timeout=30)
        assert ws.close_code is not None
        return ws.close_code, error


# -- forced intents --------------------------------------------------------------------


async def test_a_forced_intent_from_the_widget_goes_through_nlu(
    gateway_url: str, stack_settings: Settings
) -> None:
    widget = await Widget.open(gateway_url)
    answer = await widget.outcome(await widget.say(FORCED))
    assert answer["type"] == "entry"
    mine = await widget.entry(author="customer")
    assert mine["text"] == FORCED  # the transcript keeps what was written
    heard = await rasa_heard(stack_settings, widget.conversation)
    assert heard == [FORCED[1:]]  # Rasa's NLU read it as words
    await widget.close()


async def test_a_forced_intent_from_the_http_api_goes_through_nlu(
    gateway_url: str, stack_settings: Settings, http: httpx.AsyncClient
) -> None:
    session = (await http.post(f"{gateway_url}/api/sessions")).json()["session"]
    response = await http.post(
        f"{gateway_url}/api/messages",
        json={"text": "/contact_human_agent"},
        headers={"X-Session": session},
    )
    assert response.status_code == 200
    cid = session.partition(".")[0]
    assert await rasa_heard(stack_settings, cid) == ["contact_human_agent"]


async def test_only_the_payload_of_a_button_just_offered_is_an_intent(
    core: Conversations, stack_settings: Settings
) -> None:
    async def say(cid: str, text: str) -> list[dict[str, Any]]:
        outcome = await core.customer_message(
            Inbound(cid, "web", text, client_id=uuid.uuid4().hex)
        )
        return [r.to_dict() for r in outcome.replies]

    async def offered_yes_no() -> str:
        """A new conversation where the bot just offered Yes/No buttons."""
        for vague in ("package", "my stuff", "parcel", "where"):
            # a conversation each: a word NLU reads as an intent starts its form
            cid = "web-forced-" + secrets.token_hex(6)
            replies = await say(cid, vague)
            offered = [b["payload"] for r in replies for b in r.get("buttons") or []]
            if "/affirm" in offered:
                return cid
        pytest.fail("the bot offered no Yes/No buttons for a vague message")

    cid = "web-forced-" + secrets.token_hex(6)
    await say(cid, "/affirm")  # nothing was offered: plain text for the NLU
    assert await rasa_heard(stack_settings, cid) == ["affirm"]
    cid = await offered_yes_no()
    await say(cid, '/affirm{"order_id":"1"}')  # not the payload offered
    heard = await rasa_heard(stack_settings, cid)
    assert 'affirm{"order_id":"1"}' in heard
    assert not [text for text in heard if text.startswith("/")]
    cid = await offered_yes_no()
    await say(cid, "/affirm")  # exactly the payload just offered
    assert "/affirm" in await rasa_heard(stack_settings, cid)


# -- a returning customer's resolve ----------------------------------------------------


async def test_a_second_handoff_after_the_first_ticket_expired_is_resolved_and_rated(
    core: Conversations, rds: aioredis.Redis
) -> None:
    prefix = "r" + secrets.token_hex(4)  # resolved chats of its own (handling times)
    queue = HandoffQueue(rds, prefix=prefix)
    core = Conversations(
        redis=rds,
        keys=Keys(prefix),
        queue=queue,
        transcript=Transcript(rds, prefix=prefix),
        rasa=core.rasa,
        emotion=core.emotion,
    )
    agent = await online_agent(queue)
    cid = "web-return-" + secrets.token_hex(6)

    async def handoff() -> None:
        await open_ticket(queue, cid)
        claim = await core.claim(agent, cid)
        await core.resolve(agent, cid, claim.token)
        await core.resolve(agent, cid, claim.token)  # a repeat tells nobody twice

    await handoff()
    # The resolved ticket expires (RETENTION_DAYS) while the transcript goes on.
    await expire_now(rds, queue.keys.ticket(cid))
    await handoff()
    assert (await queue.ticket(cid)).episode == 1  # the episode counted anew
    kinds = [e.kind for e in await core.transcript.read(cid)]
    assert kinds.count(Kind.RESOLVED) == 2
    assert kinds.count(Kind.RATING_REQUEST) == 2


# -- flooding the queue ----------------------------------------------------------------


async def test_new_sessions_are_limited_per_address(
    guarded: str, http: httpx.AsyncClient
) -> None:
    ip = random_ip()
    most = GUARDED["RATE_IP_SESSIONS_PER_HOUR"]
    widgets = [await Widget.open(guarded, ip=ip) for _ in range(most - 1)]
    headers = {"X-Forwarded-For": ip}
    api = await http.post(f"{guarded}/api/sessions", headers=headers)
    assert api.status_code == 201
    code, error = await refused_hello(guarded, None, ip)
    assert (code, error["code"]) == (4429, "rate_limited")
    assert error["message"] == TOO_MANY_SESSIONS
    refused = await http.post(f"{guarded}/api/sessions", headers=headers)
    assert refused.status_code == 429
    assert refused.json()["detail"] == TOO_MANY_SESSIONS
    assert int(refused.headers["Retry-After"]) > 0
    # Nothing lost: the sessions already started go on, other addresses start.
    again = await Widget.open(guarded, widgets[0].session, ip=ip)
    assert again.conversation == widgets[0].conversation
    other = await Widget.open(guarded, ip=random_ip())
    for widget in (*widgets, again, other):
        await widget.close()


async def test_ipv6_addresses_count_by_their_64_network(guarded: str) -> None:
    network = f"2001:db8:{secrets.randbelow(65536):x}:{secrets.randbelow(65536):x}"
    most = GUARDED["RATE_IP_SESSIONS_PER_HOUR"]
    widgets = [
        await Widget.open(guarded, ip=f"{network}::{i + 1}") for i in range(most)
    ]
    code, error = await refused_hello(guarded, None, f"{network}:aaaa::1")
    assert (code, error["code"]) == (4429, "rate_limited")
    elsewhere = await Widget.open(guarded, ip=f"2001:db9:{network[9:]}::1")
    assert address_group(f"{network}::1") == address_group(f"{network}:ffff::2")
    assert address_group("::ffff:10.1.2.3") == "10.1.2.3"
    for widget in (*widgets, elsewhere):
        await widget.close()


async def test_open_tickets_are_limited_per_address(
    guarded: str,
    guarded_settings: Settings,
    http: httpx.AsyncClient,
    rds: aioredis.Redis,
) -> None:
    queue = HandoffQueue(rds, prefix=guarded_settings.redis_prefix)
    transcript = Transcript(rds, prefix=guarded_settings.redis_prefix)
    ip = random_ip()
    waiting = [await Widget.open(guarded, ip=ip) for _ in range(2)]
    for widget in waiting:
        await widget.outcome(await widget.say("hello"))
        await open_ticket(queue, widget.conversation)
    newcomer = await Widget.open(guarded, ip=ip)
    client_id = await newcomer.say("my order is late, I need a person")
    refused = await newcomer.outcome(client_id)
    assert refused["type"] == "error" and refused["code"] == "too_many_chats"
    assert refused["message"] == TOO_MANY_OPEN
    customer = [
        e
        for e in await transcript.read(newcomer.conversation)
        if e.author is Author.CUSTOMER
    ]
    assert customer == []  # refused, not stored
    # The API from the same address is refused alike (a session from elsewhere).
    session = (await http.post(f"{guarded}/api/sessions")).json()["session"]
    api = await http.post(
        f"{guarded}/api/messages",
        json={"text": "urgent lawyer help"},
        headers={"X-Session": session, "X-Forwarded-For": ip},
    )
    assert api.status_code == 429 and api.json()["detail"] == TOO_MANY_OPEN
    # Those already waiting are still heard; others are not held up.
    heard = await waiting[0].outcome(await waiting[0].say("any news?"))
    assert heard["type"] == "entry"
    stranger = await Widget.open(guarded, ip=random_ip())
    assert (await stranger.outcome(await stranger.say("hello")))["type"] == "entry"
    # Once a waiting chat is answered the newcomer gets through.
    agent = await online_agent(queue)
    claim = await queue.claim(agent, waiting[0].conversation)
    await queue.resolve(agent, waiting[0].conversation, claim.token)
    answered = await newcomer.outcome(await newcomer.say("hello again"))
    assert answered["type"] == "entry"
    for widget in (*waiting, newcomer, stranger):
        await widget.close()


async def test_widget_sockets_are_limited_per_session_and_per_address(
    guarded: str,
) -> None:
    first = await Widget.open(guarded, ip=random_ip())
    second = await Widget.open(guarded, first.session, ip=random_ip())
    code, error = await refused_hello(guarded, first.session, random_ip())
    assert (code, error["code"]) == (4429, "too_many_connections")
    assert "too many windows" in error["message"]
    await second.close()

    async def reopened() -> Widget | None:
        try:
            return await Widget.open(guarded, first.session, ip=random_ip())
        except (AssertionError, ConnectionClosed):
            return None

    third = await until(reopened, what="a socket once another closed")
    ip = random_ip()
    sessions = [await Widget.open(guarded, ip=random_ip()) for _ in range(4)]
    on_ip = [await Widget.open(guarded, w.session, ip=ip) for w in sessions[:3]]
    code, error = await refused_hello(guarded, sessions[3].session, ip)
    assert (code, error["code"]) == (4429, "too_many_connections")
    assert "your network" in error["message"]
    for widget in (first, third, *sessions, *on_ip):
        await widget.close()


# -- retention and addresses -----------------------------------------------------------


async def test_every_ttl_follows_the_retention(
    rds: aioredis.Redis, stack_settings: Settings
) -> None:
    retention = 200 * DAY  # longer than every fixed TTL there was
    prefix = "ret" + secrets.token_hex(3)
    queue = HandoffQueue(rds, prefix=prefix, retention_s=retention)
    agent = await online_agent(queue)
    cid = "web-" + secrets.token_hex(6)
    await open_ticket(queue, cid)
    claim = await queue.claim(agent, cid)
    await queue.resolve(agent, cid, claim.token)
    assert await rds.ttl(queue.keys.ticket(cid)) > retention - DAY
    await open_ticket(queue, cid)  # the first handoff goes to the archive
    assert await rds.ttl(queue.keys.archive(cid)) > retention - DAY

    # The Telegram cursor outlives the transcript, however long that is kept.
    transcript = Transcript(rds, prefix=prefix, retention_s=retention)
    keys = Keys(prefix)
    outbox = Outbox(None, rds, transcript, None, keys)  # type: ignore[arg-type]
    chat = "tg-" + secrets.token_hex(4)
    await rds.set(keys.telegram_lock(chat), "me", px=60_000)
    await outbox._move(chat, "me", cursor="1-0")
    assert await rds.ttl(keys.telegram_outbox(chat)) > retention

    # Rasa's trackers too, unless TRACKER_TTL_SECONDS says otherwise.
    longer = stack_settings.model_copy(update={"retention_days": 200})
    assert rasa_service_env(longer)["TRACKER_TTL_SECONDS"] == str(retention)
    own = longer.model_copy(update={"tracker_ttl_seconds": 3600})
    assert rasa_service_env(own)["TRACKER_TTL_SECONDS"] == "3600"
    await rds.delete(*[k async for k in rds.scan_iter(match=Keys(prefix).all_pattern)])


async def test_client_addresses_are_kept_only_as_a_keyed_hash(
    guarded: str,
    guarded_settings: Settings,
    rds: aioredis.Redis,
    stack_settings: Settings,
) -> None:
    ips = [random_ip(), f"2001:db8:{secrets.randbelow(65536):x}::7"]
    keys = Keys(guarded_settings.redis_prefix)
    for ip in ips:
        widget = await Widget.open(guarded, ip=ip)
        await widget.outcome(await widget.say("hello"))
        record = await rds.hgetall(keys.web_session(widget.conversation))
        assert record["addr"] == address_key(stack_settings.secret_key, ip)
        assert ip not in str(record)
        await widget.close()
    names = [
        name
        for prefix in (guarded_settings.redis_prefix, stack_settings.redis_prefix)
        async for name in rds.scan_iter(match=Keys(prefix).all_pattern)
    ]
    for ip in ips:
        assert not [n for n in names if ip in n or address_group(ip) in n]
    limiter = RateLimiter(rds, stack_settings)
    assert limiter.address(ips[1]) == address_key(stack_settings.secret_key, ips[1])


# -- a shared computer -----------------------------------------------------------------


async def test_an_idle_widget_session_is_refused_and_a_new_one_starts(
    gateway_url: str, rds: aioredis.Redis, stack_settings: Settings
) -> None:
    keys = Keys(stack_settings.redis_prefix)
    widget = await Widget.open(gateway_url)
    welcome_idle = stack_settings.session_idle_seconds
    await widget.outcome(await widget.say("where is my order 48213?"))
    record = keys.web_session(widget.conversation)
    assert 0 < await rds.ttl(record) <= welcome_idle
    await widget.close()
    # SESSION_IDLE_SECONDS pass without a customer message.
    await expire_now(rds, record)
    code, error = await refused_hello(gateway_url, widget.session, random_ip())
    assert (code, error["code"]) == (4401, "bad_session")
    fresh = await Widget.open(gateway_url, None)
    assert fresh.conversation != widget.conversation
    assert not [f for f in await fresh.drain(1.0) if f["type"] == "entry"]
    await fresh.close()


async def test_the_welcome_says_how_long_a_session_lives(gateway_url: str) -> None:
    async with websockets.connect(ws_url(gateway_url)) as ws:
        widget = Widget(ws)
        await widget.send({"type": "hello", "session": None})
        welcome = await widget.next("welcome")
        assert welcome["idle_s"] == 24 * 3600


async def test_an_idle_api_session_is_refused(
    gateway_url: str,
    rds: aioredis.Redis,
    stack_settings: Settings,
    http: httpx.AsyncClient,
) -> None:
    session = (await http.post(f"{gateway_url}/api/sessions")).json()["session"]
    record = Keys(stack_settings.redis_prefix).web_session(session.partition(".")[0])
    await expire_now(rds, record)
    response = await http.post(
        f"{gateway_url}/api/messages",
        json={"text": "hi"},
        headers={"X-Session": session},
    )
    assert response.status_code == 401


@pytest.fixture
async def shop(browser: Browser, gateway_url: str) -> AsyncIterator[Shop]:  # noqa: F811
    """The demo shop page in a fresh browser context (tests/browser/conftest.py)."""
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    yield Shop(context, await context.new_page(), gateway_url)
    await context.close()


async def test_the_widget_forgets_a_session_idle_too_long(shop: Shop) -> None:
    await shop.visit()
    await shop.open()
    await shop.say_and_wait("where is my order?")
    stored = await shop.stored()
    assert stored["idle"] == 24 * 3600 and stored["active"] > 0
    first = await shop.conversation_id()
    # The next visitor of this computer, a day and a minute after the last message.
    await shop.page.evaluate(
        """(idle) => { for (const k of Object.keys(localStorage)) {
             if (!k.startsWith('acme-chat:')) continue;
             const d = JSON.parse(localStorage.getItem(k));
             d.active = Date.now() - (idle + 60) * 1000;
             localStorage.setItem(k, JSON.stringify(d)); } }""",
        stored["idle"],
    )
    await shop.new_tab()
    await shop.visit()
    await shop.open()
    assert await shop.texts("customer") == []  # nothing of the previous customer
    await shop.say_and_wait("hello")
    assert await shop.conversation_id() != first
    shop.assert_clean()
