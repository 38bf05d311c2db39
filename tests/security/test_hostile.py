"""Hostile input against every way in, and the rate limits (issue 8, part 2).

The corpus (tests/security/corpus.py) goes to the widget WebSocket, the HTTP relay
(``/api/messages``), the Telegram webhook (with the right secret: the wrong-secret 403s
are in tests/bot/test_telegram.py), the console API and the console WebSocket of the
real test stack. Each input gets a clear 4xx or error frame, or a sane reply; the
transcript in Redis then holds either the whole message (as ``clean_text`` keeps it)
or nothing; the connection and the processes stay up.

Rate limits: the widget's per-connection token bucket is tested in
tests/bot/test_web.py (a flood on one socket); here the Redis limits per session
(across connections and gateway processes), per client address, and per Telegram
chat, on a second gateway with low limits (tests/security/conftest.py).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import websockets
from websockets.exceptions import ConnectionClosed

from bot.handoff import Customer, HandoffQueue, HandoffRequest, TicketState
from bot.handoff.keys import Keys
from bot.inputs import clean_text
from bot.ops.fake_telegram import FakeTelegramAPI
from bot.ops.stack import Stack
from bot.ops.widget import Widget
from bot.settings import Settings
from bot.telegram import SLOW_DOWN_TEXT, START_TEXT
from bot.texts import say
from bot.transcript import Author, Entry, Transcript
from tests.bot.console.conftest import ConsoleClient, random_ip
from tests.polling import until
from tests.security.conftest import (
    STRICT_LIMITS,
    new_chat,
    post_update,
    tg_update,
)
from tests.security.corpus import (
    MAX_CHARS,
    MB,
    RAW_BODIES,
    RAW_FRAMES,
    REFUSED,
    TEXTS,
    storable,
)

pytestmark = pytest.mark.stack

FRAME_ERRORS = {"invalid_json", "invalid_frame", "empty"}
TEMPLATES = ("jinja", "js template", "str.format", "percent format")


def expected(text: str) -> str | None:
    """What a channel stores of ``text``, None when it must be refused."""
    try:
        return clean_text(text, MAX_CHARS)
    except ValueError:
        return None


async def customer_entries(transcript: Transcript, cid: str) -> list[Entry]:
    return [e for e in await transcript.read(cid) if e.author is Author.CUSTOMER]


def assert_sane_answers(entries: list[Entry], name: str) -> None:
    """The bot or system answered, in text that is itself safe to show."""
    answers = [e for e in entries if e.author in (Author.BOT, Author.SYSTEM)]
    assert answers, f"{name}: nobody answered"
    for answer in answers:
        assert storable(answer.text), answer.text
        if name in TEMPLATES:
            assert "49" not in answer.text, "a template in the message was evaluated"


def test_the_corpus_says_what_must_be_refused() -> None:
    for name, text in TEXTS.items():
        assert (expected(text) is None) == (name in REFUSED), name
    assert "\\ud800" in json.dumps(TEXTS["lone high surrogate"])  # sent as an escape


def test_our_templates_never_format_customer_text() -> None:
    """Placeholders are filled with customer values, never parsed out of them."""
    for hostile in (TEXTS["str.format"], TEXTS["jinja"], TEXTS["percent format"]):
        saved = say("follow_up_saved", contact=hostile)
        assert hostile in saved and "__mro__" not in saved.replace(hostile, "")
        assert START_TEXT.format(name=hostile).startswith(f"Hi {hostile},")


async def answered(widget: Widget, text: str = "thanks") -> dict[str, Any]:
    """Send a message and return what came of it (its answer or an error frame)."""
    return await widget.outcome(await widget.say(text))


async def send_then_collect(
    sends: list[tuple[Widget, str]],
) -> list[dict[str, Any]]:
    """Send every message at once (within one rate window), then read what came of
    each, in order."""
    sent = [(widget, await widget.say(text)) for widget, text in sends]
    return [await widget.outcome(client_id) for widget, client_id in sent]


# -- the widget WebSocket --------------------------------------------------------------


@pytest.mark.parametrize("name", list(TEXTS))
async def test_widget_message(
    name: str, gateway_url: str, transcript: Transcript
) -> None:
    text = TEXTS[name]
    widget = await Widget.open(gateway_url)
    client_id = await widget.say(text)
    outcome = await widget.outcome(client_id)
    stored = await customer_entries(transcript, widget.conversation)
    if name in REFUSED:
        assert outcome["type"] == "error" and outcome["message"], outcome
        assert outcome["code"] in ("empty", "too_long")
        assert stored == []
    else:
        assert outcome["type"] == "entry", outcome
        [entry] = stored
        assert entry.text == expected(text) and storable(entry.text)
        assert entry.client_id == client_id
        assert_sane_answers(await transcript.read(widget.conversation), name)
    await widget.alive()
    await widget.close()


@pytest.mark.parametrize("name", list(RAW_FRAMES))
async def test_widget_raw_frame(
    name: str, gateway_url: str, transcript: Transcript
) -> None:
    widget = await Widget.open(gateway_url)
    await widget.send_raw(RAW_FRAMES[name])
    error = await widget.next(lambda f: f["type"] == "error")
    assert error["code"] in FRAME_ERRORS and error["message"], error
    await widget.alive()
    assert await transcript.read(widget.conversation) == []
    await widget.close()


@pytest.mark.parametrize("size", [MB, 10 * MB], ids=["1 MB", "10 MB"])
async def test_widget_huge_frame_is_closed_with_1009(
    size: int, gateway_url: str, transcript: Transcript
) -> None:
    widget = await Widget.open(gateway_url)
    try:
        await widget.say("z" * size)
        await widget.next(lambda f: False, timeout=30)
    except ConnectionClosed as closed:
        assert closed.rcvd is not None and closed.rcvd.code == 1009
    else:  # pragma: no cover - next() raises
        raise AssertionError("the connection stayed open")
    assert await transcript.read(widget.conversation) == []


async def test_widget_hostile_names_are_stored_as_text(
    gateway_url: str, transcript: Transcript
) -> None:
    for name in ("NUL", "RTL override", "HTML/script", "str.format", "zalgo"):
        hostile = TEXTS[name][:80]
        widget = await Widget.open(gateway_url, name=hostile)
        assert (await answered(widget, "hello"))["type"] == "entry"
        about = await transcript.about(widget.conversation)
        assert about.get("customer_name", "") == (expected(hostile) or "")
        await widget.close()


# -- the HTTP relay -------------------------------------------------------------------


async def new_session(http: httpx.AsyncClient, base: str) -> str:
    response = await http.post(f"{base}/api/sessions")
    assert response.status_code == 201
    return str(response.json()["session"])


async def relay(
    http: httpx.AsyncClient,
    base: str,
    session: str,
    body: dict[str, Any] | bytes,
    **headers: str,
) -> httpx.Response:
    """POST /api/messages; a dict goes out as ``json.dumps`` writes it."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await http.post(
        f"{base}/api/messages",
        content=content,
        headers={"X-Session": session, "content-type": "application/json", **headers},
    )


def error_text(response: httpx.Response) -> str:
    """The error message of a 4xx answer (ours say "error", FastAPI's "detail")."""
    body = response.json()
    return str(body.get("error") or body.get("detail") or "")


@pytest.mark.parametrize("name", list(TEXTS))
async def test_http_relay_message(
    name: str, http: httpx.AsyncClient, gateway_url: str, transcript: Transcript
) -> None:
    text = TEXTS[name]
    session = await new_session(http, gateway_url)
    response = await relay(http, gateway_url, session, {"text": text})
    stored = await customer_entries(transcript, session.split(".")[0])
    if response.status_code == 200:
        assert name not in REFUSED
        [entry] = stored
        assert entry.text == expected(text) and storable(entry.text)
        assert response.json()["replies"]
        assert_sane_answers(await transcript.read(session.split(".")[0]), name)
    else:
        assert response.status_code == 422 and error_text(response), response.text
        assert stored == []


@pytest.mark.parametrize("name", list(RAW_BODIES))
async def test_http_relay_raw_body(
    name: str, http: httpx.AsyncClient, gateway_url: str, transcript: Transcript
) -> None:
    session = await new_session(http, gateway_url)
    raw = RAW_BODIES[name]
    response = await relay(http, gateway_url, session, raw)
    stored = await customer_entries(transcript, session.split(".")[0])
    if response.status_code == 200:
        # Python's JSON reader takes UTF-16 too: then the message is whole.
        assert name == "UTF-16"
        assert [e.text for e in stored] == [json.loads(raw)["text"]]
        return
    assert response.status_code in (400, 413, 422), response.text[:300]
    assert error_text(response)
    if len(raw) > 256 * 1024:
        assert response.status_code == 413
    assert stored == []


@pytest.mark.parametrize("name", ["NUL", "RTL override", "HTML/script", "str.format"])
async def test_http_relay_customer_name_is_cleaned(
    name: str, http: httpx.AsyncClient, gateway_url: str, transcript: Transcript
) -> None:
    session = await new_session(http, gateway_url)
    hostile = TEXTS[name][:80]
    response = await relay(
        http, gateway_url, session, {"text": "hello", "customer_name": hostile}
    )
    assert response.status_code == 200, response.text
    about = await transcript.about(session.split(".")[0])
    assert about.get("customer_name", "") == (expected(hostile) or "")
    for reply in response.json()["replies"]:
        assert storable(reply["text"]), reply


# -- the Telegram webhook -------------------------------------------------------------


@pytest.mark.parametrize("name", list(TEXTS))
async def test_telegram_message(
    name: str,
    http: httpx.AsyncClient,
    gateway_url: str,
    stack_settings: Settings,
    transcript: Transcript,
    telegram_api: FakeTelegramAPI,
) -> None:
    chat = new_chat()
    raw = tg_update(chat, TEXTS[name])
    response = await post_update(http, gateway_url, stack_settings, raw)
    assert response.status_code == 200, response.text
    await until(lambda: telegram_api.texts(chat), what="an answer in the chat")
    entries = await transcript.read(f"tg-{chat}")
    stored = [e for e in entries if e.author is Author.CUSTOMER]
    if name in REFUSED:
        assert stored == []
        assert [e.author for e in entries] == [Author.SYSTEM]  # "please write again"
    else:
        [entry] = stored
        assert entry.text == expected(TEXTS[name]) and storable(entry.text)
    assert_sane_answers(entries, name)


@pytest.mark.parametrize("name", list(RAW_BODIES))
async def test_telegram_raw_body(
    name: str, http: httpx.AsyncClient, gateway_url: str, stack_settings: Settings
) -> None:
    response = await post_update(http, gateway_url, stack_settings, RAW_BODIES[name])
    assert response.status_code in (400, 413), response.text[:300]
    assert response.json()["error"]


async def test_telegram_template_strings_in_a_first_name_stay_literal(
    http: httpx.AsyncClient,
    gateway_url: str,
    stack_settings: Settings,
    telegram_api: FakeTelegramAPI,
) -> None:
    chat = new_chat()
    name = "{0.__class__} {name} {{7*7}} ${7*7} %(x)s"
    raw = tg_update(chat, "/start", first_name=name)
    assert (await post_update(http, gateway_url, stack_settings, raw)).is_success
    [greeting] = await until(lambda: telegram_api.texts(chat), what="the greeting")
    assert greeting.startswith(f"Hi {name},")


async def test_a_waiting_customers_braces_are_not_a_template(
    gateway_url: str, transcript: Transcript, queue: HandoffQueue
) -> None:
    widget = await Widget.open(gateway_url)
    cid = widget.conversation
    await queue.enqueue(HandoffRequest(cid, "web", Customer(cid, "Ann")))
    assert await queue.state(cid) is TicketState.QUEUED
    text = "{0.__class__} {contact} %(x)s {{7*7}} mail me at tpl.test@example.com"
    client_id = await widget.say(text)
    answer = await widget.outcome(client_id)
    assert answer["entry"]["text"] == say(
        "follow_up_saved", contact="tpl.test@example.com"
    )
    [stored] = await customer_entries(transcript, cid)
    assert stored.text == text
    await widget.close()


# -- the console API and WebSocket ----------------------------------------------------


def console_post(client: ConsoleClient, path: str, body: Any) -> httpx.Response:
    """A console state change whose body ``json.dumps`` writes (or raw bytes)."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.http.post(
        path,
        content=content,
        headers={"X-CSRF-Token": client.csrf, "content-type": "application/json"},
    )


@pytest.fixture
async def claimed(
    console_login: Any, queue: HandoffQueue, transcript: Transcript
) -> tuple[ConsoleClient, str, int]:
    """A signed-in agent holding a chat: (client, conversation id, token)."""
    agent = await console_login("agent")
    await asyncio.to_thread(agent.online)
    cid = "c" + secrets.token_hex(8)
    await transcript.append(cid, Entry(Author.CUSTOMER, "my parcel is late"))
    await queue.enqueue(HandoffRequest(cid, "web", Customer(cid, "Ann")))
    response = await asyncio.to_thread(
        console_post, agent, f"/console/api/chats/{cid}/claim", {}
    )
    assert response.status_code == 200, response.text
    return agent, cid, int(response.json()["token"])


async def test_console_replies_and_notes_from_the_corpus(
    claimed: tuple[ConsoleClient, str, int], transcript: Transcript
) -> None:
    agent, cid, token = claimed
    for name, text in TEXTS.items():
        before = len(await transcript.read(cid))
        path = f"/console/api/chats/{cid}/messages"
        reply = await asyncio.to_thread(
            console_post, agent, path, {"token": token, "text": text}
        )
        note = await asyncio.to_thread(
            console_post, agent, f"/console/api/chats/{cid}/notes", {"text": text}
        )
        after = await transcript.read(cid)
        if reply.status_code == 201:
            assert name not in REFUSED
            assert reply.json()["entry"]["text"] == expected(text)
            assert [e.text for e in after[before:]] == [expected(text)]
        else:
            assert reply.status_code == 422 and error_text(reply), (name, reply.text)
            assert len(after) == before
        assert note.status_code in (201, 422), (name, note.text)
        assert (note.status_code == 201) == (reply.status_code == 201), name


@pytest.mark.parametrize("name", list(RAW_BODIES))
async def test_console_raw_bodies(
    name: str, claimed: tuple[ConsoleClient, str, int], transcript: Transcript
) -> None:
    agent, cid, _ = claimed
    before = len(await transcript.read(cid))
    for path in (f"/console/api/chats/{cid}/messages", "/console/api/presence"):
        response = await asyncio.to_thread(console_post, agent, path, RAW_BODIES[name])
        assert response.status_code in (400, 413, 422), response.text[:300]
        assert error_text(response)
    assert len(await transcript.read(cid)) == before


async def test_console_login_with_hostile_user_names(gateway_url: str) -> None:
    for name, text in TEXTS.items():
        client = ConsoleClient(gateway_url, random_ip())
        try:
            token = await asyncio.to_thread(client.login_page_token)
            response = await asyncio.to_thread(
                client.http.post,
                "/console/api/login",
                content=json.dumps({"user": text[:200], "password": "x"}).encode(),
                headers={"X-CSRF-Token": token, "content-type": "application/json"},
            )
            assert response.status_code in (401, 422), (name, response.text)
            for raw in (RAW_BODIES["deep nesting"], RAW_BODIES["1 MB"]):
                bad = await asyncio.to_thread(
                    client.http.post,
                    "/console/api/login",
                    content=raw,
                    headers={"X-CSRF-Token": token, "content-type": "application/json"},
                )
                assert bad.status_code in (400, 413, 422), bad.text[:200]
        finally:
            client.close()


async def test_console_socket_raw_frames(
    claimed: tuple[ConsoleClient, str, int], gateway_url: str
) -> None:
    agent, _, _ = claimed
    cookie = "; ".join(f"{k}={v}" for k, v in agent.http.cookies.items())
    ws = await websockets.connect(
        gateway_url.replace("http", "ws", 1) + "/console/ws",
        origin=gateway_url,  # type: ignore[arg-type]
        additional_headers={"Cookie": cookie},
        max_size=2**24,
    )
    frames: list[dict[str, Any]] = []

    async def next_of(kind: str) -> dict[str, Any]:
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
            frames.append(frame)
            if frame["type"] == kind:
                return frame

    for name, raw in RAW_FRAMES.items():
        await ws.send(raw)
        error = await next_of("error")
        assert error["code"] in FRAME_ERRORS and error["message"], (name, error)
        await ws.send('{"type": "ping"}')
        await next_of("pong")
    for watch in ("\ud800", "x" * 300, "{0.__class__}", "<script>"):
        await ws.send(json.dumps({"type": "watch", "conversation": watch}))
        assert (await next_of("error"))["code"] in ("invalid_frame", "forbidden")
    await ws.close()


# -- rate limits ----------------------------------------------------------------------


async def test_per_session_limit_holds_across_connections_and_gateways(
    gateway_url: str,
    strict_gateway: str,
    rds: aioredis.Redis,
    stack_settings: Settings,
    transcript: Transcript,
) -> None:
    limit = STRICT_LIMITS["session"]
    on_main = await Widget.open(gateway_url)  # this process allows 60 a minute
    first = await Widget.open(strict_gateway, on_main.session)
    second = await Widget.open(strict_gateway, on_main.session)
    # Counted first by the main gateway, then by the strict one: up to the limit...
    accepted = await send_then_collect([(on_main, "thanks")] * (limit - 2))
    accepted += await send_then_collect([(first, "thanks"), (second, "thanks")])
    assert [o["type"] for o in accepted] == ["entry"] * limit, accepted
    # ...and then no more, on either connection.
    refused = await send_then_collect([(first, "one more"), (second, "one more")])
    assert [o.get("code") for o in refused] == ["rate_limited"] * 2, refused
    cid = on_main.conversation
    stored = await customer_entries(transcript, cid)
    assert [e.text for e in stored] == ["thanks"] * limit
    key = Keys(stack_settings.redis_prefix).rate("session", cid)
    assert int(await rds.get(key) or 0) == limit
    assert 0 < await rds.pttl(key) <= 60_000
    for widget in (on_main, first, second):
        await widget.close()


async def test_per_address_limit_across_sessions(
    strict_gateway: str,
    http: httpx.AsyncClient,
    rds: aioredis.Redis,
    stack_settings: Settings,
) -> None:
    limit = STRICT_LIMITS["ip"]
    ip = random_ip()
    widgets = [await Widget.open(strict_gateway, ip=ip) for _ in range(3)]
    sends = [(widgets[i % 3], f"thanks {i}") for i in range(limit)]
    accepted = await send_then_collect(sends)
    assert [o["type"] for o in accepted] == ["entry"] * limit, accepted
    assert (await answered(widgets[0], "and again")).get("code") == "rate_limited"
    session = await new_session(http, strict_gateway)
    response = await relay(
        http, strict_gateway, session, {"text": "hi"}, **{"X-Forwarded-For": ip}
    )
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    # Another address is not affected.
    other = await Widget.open(strict_gateway, ip=random_ip())
    assert (await answered(other))["type"] == "entry"
    # The address is in no key name (only its keyed hash).
    names = [k async for k in rds.scan_iter(match=f"*{stack_settings.redis_prefix}*")]
    assert names and not [k for k in names if ip in k]
    for widget in [*widgets, other]:
        await widget.close()


async def test_per_telegram_chat_limit(
    strict_gateway: str,
    strict_settings: Settings,
    http: httpx.AsyncClient,
    transcript: Transcript,
    telegram_api: FakeTelegramAPI,
) -> None:
    limit = STRICT_LIMITS["tg"]
    chat = new_chat()
    texts = [f"thanks {i}" for i in range(limit + 2)]
    for text in texts:
        raw = tg_update(chat, text)
        response = await post_update(http, strict_gateway, strict_settings, raw)
        assert response.status_code == 200, response.text
    stored = await customer_entries(transcript, f"tg-{chat}")
    assert [e.text for e in stored] == texts[:limit]
    await until(
        lambda: SLOW_DOWN_TEXT in telegram_api.texts(chat), what="the slow-down note"
    )
    notes = [
        e
        for e in await transcript.read(f"tg-{chat}")
        if e.author is Author.SYSTEM and e.text == SLOW_DOWN_TEXT
    ]
    assert len(notes) == 1  # said once per window, not per refused message


# -- still standing -------------------------------------------------------------------


async def test_every_process_is_still_up(
    stack: Stack, gateway_url: str, strict_gateway: str, http: httpx.AsyncClient
) -> None:
    assert stack.dead() is None
    for base in (gateway_url, strict_gateway):
        health = await http.get(f"{base}/health")
        assert health.status_code == 200, health.text
    widget = await Widget.open(gateway_url)
    assert (await answered(widget, "where is my order?"))["type"] == "entry"
    await widget.close()
