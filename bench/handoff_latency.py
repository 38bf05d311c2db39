"""Handoff timings: escalation → console, agent send → widget and → Telegram.

Usage: ``python -m bench.handoff_latency [--rounds 30] [--telegram-rounds 10]
[--repeat 3]``

Starts its own stack (bench/stack.py's ``own_stack``: free ports, own Redis key
prefix, deleted afterwards) with Telegram on, pointed at the fake Bot API on loopback
(bot/ops/fake_telegram.py; the only stand-in: Telegram is on the internet). An
agent account is created with the accounts module (as ``bot.admin add-agent`` does),
signs in through the console's JSON API (login page CSRF token, session cookie,
CSRF header), goes online and keeps ``/console/ws`` open. Each widget round:

1. a new widget customer (``/ws/chat``) sends a message asking for a person (our own
   texts); Rasa and the action server escalate it; **escalation → console** is from
   that send until the console socket's ``queue`` frame lists the chat. The same
   frame's ``queued_at`` (when the action server enqueued the ticket) gives
   **enqueue → console**, the handoff machinery alone (wall clocks of one machine);
2. the agent claims the chat, waits for the "joined" entry in the widget, then POSTs a
   reply: **agent send → widget** is from the start of that POST until the widget's
   ``entry`` frame with the reply (the POST's own duration is reported too);
3. the agent resolves the chat.

A Telegram round does the same through ``POST /telegram/webhook`` and measures
**agent send → Telegram**: from the POST until the fake Bot API receives the
``sendMessage`` with the reply. The outbox sends at most one message per second per
chat, so the reply is sent only when the earlier messages are out and a second has
passed (that pacing is deliberate and not part of the number).

Prints one JSON line per repetition, then the medians over repetitions of each
statistic (targets, issue 6: escalation visible ≤ 100 ms p95, reply in the widget
≤ 50 ms p95).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import secrets
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.customers import percentile
from bench.stack import own_stack
from bot.console.accounts import Accounts
from bot.console.deps import SESSION_COOKIE
from bot.handoff import HandoffQueue
from bot.handoff.keys import Keys
from bot.ops.fake_telegram import Call, FakeTelegramAPI
from bot.ops.widget import Widget
from bot.redisurl import async_client
from bot.settings import Settings
from bot.telegram_webhook import SECRET_HEADER
from bot.transcript import Transcript

CSRF_META = re.compile(r'name="login-csrf" content="([^"]+)"')
TIMEOUT_S = 30.0
# Our own ways of asking for a person (each escalates at once).
ASK_FOR_PERSON = [
    "I'd rather talk to a real person about this",
    "can I speak to a human please",
    "please connect me with someone from your team",
    "I want a human agent, not a bot",
    "I need to speak with a human being",
]
REPLIES = [
    "Hi, I'm here now and I've read everything you wrote. Let me look at it.",
    "Thanks for waiting. I can see the order and I'm checking it with the carrier.",
    "I understand, that sounds stressful. I'll sort this out with you right now.",
]


class Timeline:
    """Frames of one socket with the time each arrived (perf_counter and wall)."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[tuple[float, float, dict[str, Any]]] = []
        self._changed = asyncio.Event()
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            self.frames.append((time.perf_counter(), time.time(), json.loads(raw)))
            self._changed.set()

    async def first(
        self, match: Callable[[dict[str, Any]], Any], since: int = 0
    ) -> tuple[float, float, dict[str, Any], int]:
        """The first frame from index ``since`` on for which ``match`` is truthy."""
        deadline = time.monotonic() + TIMEOUT_S
        index = since
        while True:
            while index < len(self.frames):
                perf, wall, frame = self.frames[index]
                if match(frame):
                    return perf, wall, frame, index
                index += 1
            if self._task.done():
                raise RuntimeError("the socket closed")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no such frame")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                continue

    async def close(self) -> None:
        """Stop reading and close the socket."""
        self._task.cancel()
        await self.ws.close()


@dataclass
class Agent:
    """A signed-in agent: the console's HTTP API and its open live socket."""

    http: httpx.AsyncClient
    csrf: str
    console: Timeline

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """A state change with the CSRF header; raises on an error status."""
        response = await self.http.post(
            path, json=body, headers={"X-CSRF-Token": self.csrf}
        )
        if response.status_code >= 400:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
        return dict(response.json())


async def sign_in(gateway: str, settings: Settings) -> Agent:
    """Create an agent account, sign in, go online, open the console socket."""
    rds = async_client(settings.redis_url, decode_responses=True)
    name, password = f"bench-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    try:
        queue = HandoffQueue(rds, prefix=settings.redis_prefix)
        keys = Keys(settings.redis_prefix)
        await Accounts(rds, keys, queue).add(name, password, role="agent", capacity=5)
    finally:
        await rds.aclose()
    http = httpx.AsyncClient(base_url=gateway, timeout=TIMEOUT_S)
    page = await http.get("/console/login")
    found = CSRF_META.search(page.text)
    if page.status_code != 200 or not found:
        raise RuntimeError("the console login page has no CSRF token")
    login = await http.post(
        "/console/api/login",
        json={"user": name, "password": password},
        headers={"X-CSRF-Token": found.group(1)},
    )
    if login.status_code != 200:
        raise RuntimeError(f"sign-in failed: {login.status_code} {login.text[:200]}")
    csrf = (await http.get("/console/api/me")).json()["csrf"]
    cookie = http.cookies.get(SESSION_COOKIE)
    ws = await connect(
        gateway.replace("http", "ws", 1) + "/console/ws",
        origin=gateway,  # type: ignore[arg-type]
        additional_headers={"Cookie": f"{SESSION_COOKIE}={cookie}"},
        max_size=2**24,
    )
    agent = Agent(http, csrf, Timeline(ws))
    await agent.post("/console/api/presence", {"status": "online"})
    return agent


def listed(cid: str) -> Callable[[dict[str, Any]], Any]:
    """Matches a console ``queue`` frame that lists the chat."""

    def match(frame: dict[str, Any]) -> Any:
        if frame.get("type") != "queue":
            return None
        return next((i for i in frame["items"] if i["id"] == cid), None)

    return match


def entry(
    author: str, kind: str | None = None, text: str | None = None
) -> Callable[[dict[str, Any]], bool]:
    """Matches a widget ``entry`` frame."""

    def match(frame: dict[str, Any]) -> bool:
        if frame.get("type") != "entry":
            return False
        e = frame["entry"]
        return (
            e.get("author") == author
            and (kind is None or e.get("kind") == kind)
            and (text is None or e.get("text") == text)
        )

    return match


@dataclass
class Samples:
    """Milliseconds per measured step."""

    values: dict[str, list[float]] = field(default_factory=dict)
    failed: int = 0

    def add(self, name: str, seconds: float) -> None:
        """Record one duration."""
        self.values.setdefault(name, []).append(1000 * seconds)

    def summary(self) -> dict[str, Any]:
        """p50/p95 of every step."""
        out: dict[str, Any] = {"failed_rounds": self.failed}
        for name, values in self.values.items():
            ordered = sorted(values)
            out[name] = {
                "n": len(ordered),
                "p50_ms": round(percentile(ordered, 50), 1),
                "p95_ms": round(percentile(ordered, 95), 1),
                "max_ms": round(ordered[-1], 1),
            }
        return out


async def widget_round(
    gateway: str, agent: Agent, text: str, reply: str, s: Samples
) -> None:
    """Escalate from the widget, claim, reply, resolve; records the timings."""
    customer = await Widget.open(gateway, name="Robin", open_timeout=30)
    widget = Timeline(customer.ws)  # every frame after the welcome, timed
    try:
        cid = customer.conversation
        mark = len(agent.console.frames)
        sent = time.perf_counter()
        await customer.say(text, "m1")
        perf, wall, frame, _ = await agent.console.first(listed(cid), mark)
        item = listed(cid)(frame)
        s.add("escalation_to_console", perf - sent)
        s.add("enqueue_to_console", wall - float(item["queued_at"]))
        await widget.first(lambda f: f.get("type") == "typing" and not f.get("on"))
        claim = await agent.post(f"/console/api/chats/{cid}/claim", {})
        *_, joined = await widget.first(entry("system", "joined"))
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        await agent.post(
            f"/console/api/chats/{cid}/messages",
            {"token": claim["token"], "text": reply},
        )
        posted = time.perf_counter()
        perf, *_ = await widget.first(entry("agent", text=reply), joined)
        s.add("agent_to_widget", perf - started)
        s.add("agent_post", posted - started)
        await agent.post(f"/console/api/chats/{cid}/resolve", {"token": claim["token"]})
    finally:
        await widget.close()


_update_ids = itertools.count(secrets.randbelow(10**6) * 1000 + 1)


async def telegram_round(
    gateway: str,
    agent: Agent,
    settings: Settings,
    fake: FakeTelegramAPI,
    text: str,
    reply: str,
    s: Samples,
) -> None:
    """Escalate from Telegram, claim, reply (→ the fake Bot API), resolve."""
    chat = 10**9 + secrets.randbelow(10**9)
    cid = f"tg-{chat}"
    update_id = next(_update_ids)
    update = {
        "update_id": update_id,
        "message": {
            "message_id": update_id % 100000,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "Robin"},
            "from": {"id": chat, "is_bot": False, "first_name": "Robin"},
            "text": text,
        },
    }
    mark = len(agent.console.frames)
    sent = time.perf_counter()
    async with httpx.AsyncClient(timeout=TIMEOUT_S) as http:
        response = await http.post(
            f"{gateway}/telegram/webhook",
            json=update,
            headers={SECRET_HEADER: settings.telegram_secret_token},
        )
    if response.status_code != 200:
        raise RuntimeError(f"webhook: {response.status_code} {response.text[:200]}")
    perf, *_ = await agent.console.first(listed(cid), mark)
    s.add("telegram_escalation_to_console", perf - sent)
    claim = await agent.post(f"/console/api/chats/{cid}/claim", {})
    await _outbox_idle(settings, cid, fake, chat)
    started = time.monotonic()
    await agent.post(
        f"/console/api/chats/{cid}/messages", {"token": claim["token"], "text": reply}
    )
    call = await asyncio.to_thread(
        fake.wait_for, lambda: _sent(fake, chat, reply), TIMEOUT_S, "the reply"
    )
    assert call is not None  # wait_for returns only a truthy value
    s.add("agent_to_telegram", call.at - started)
    await agent.post(f"/console/api/chats/{cid}/resolve", {"token": claim["token"]})


def _sent(fake: FakeTelegramAPI, chat: int, text: str) -> Call | None:
    """The fake Bot API's sendMessage call with ``text`` to ``chat``, if any
    (the outbox puts the agent's name in front)."""
    calls = fake.calls_to("sendMessage", chat)
    return next((c for c in calls if str(c.params.get("text")).endswith(text)), None)


async def _outbox_idle(
    settings: Settings, cid: str, fake: FakeTelegramAPI, chat: int
) -> None:
    """Wait until everything before is sent and the per-chat pacing allows another."""
    rds = async_client(settings.redis_url, decode_responses=True)
    keys = Keys(settings.redis_prefix)
    transcript = Transcript(rds, prefix=settings.redis_prefix)
    deadline = time.monotonic() + TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            last = await transcript.last(cid, 1)
            cursor = await rds.hget(keys.telegram_outbox(cid), "cursor")
            if last and cursor == last[-1].id:
                break
            await asyncio.sleep(0.02)
        else:
            raise TimeoutError("the outbox did not catch up")
    finally:
        await rds.aclose()
    calls = fake.calls_to("sendMessage", chat)
    if calls:
        await asyncio.sleep(max(0.0, calls[-1].at + 1.2 - time.monotonic()))


async def repetition(
    gateway: str,
    settings: Settings,
    fake: FakeTelegramAPI,
    rounds: int,
    telegram_rounds: int,
) -> dict[str, Any]:
    """One agent, ``rounds`` widget and ``telegram_rounds`` Telegram handoffs."""
    agent = await sign_in(gateway, settings)
    samples = Samples()
    try:
        await agent.console.first(lambda f: f.get("type") == "queue")
        for i in range(rounds + telegram_rounds):
            text = ASK_FOR_PERSON[i % len(ASK_FOR_PERSON)]
            reply = f"{REPLIES[i % len(REPLIES)]} ({secrets.token_hex(3)})"
            try:
                if i < rounds:
                    await widget_round(gateway, agent, text, reply, samples)
                else:
                    await telegram_round(
                        gateway, agent, settings, fake, text, reply, samples
                    )
            except (TimeoutError, RuntimeError) as error:
                samples.failed += 1
                print(json.dumps({"round": i, "failed": repr(error)[:300]}), flush=True)
            await asyncio.sleep(0.2)
    finally:
        await agent.console.close()
        await agent.http.aclose()
    return samples.summary()


def medians(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Median over repetitions of every step's p50 and p95."""
    out: dict[str, Any] = {"repetitions": len(results)}
    steps = [k for k in results[0] if isinstance(results[0][k], dict)]
    for step in steps:
        for stat in ("p50_ms", "p95_ms"):
            values = [r[step][stat] for r in results if step in r]
            out[f"{step}_{stat}"] = round(statistics.median(values), 1)
    out["failed_rounds"] = sum(r["failed_rounds"] for r in results)
    return out


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30, help="widget handoffs")
    parser.add_argument("--telegram-rounds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.rounds < 1 or args.telegram_rounds < 0 or args.repeat < 1:
        parser.error("--rounds and --repeat must be at least 1")
    with FakeTelegramAPI() as fake, own_stack(telegram_api_url=fake.base_url) as stack:
        settings = stack.settings
        gateway = f"http://127.0.0.1:{settings.gateway_port}"
        results = []
        for number in range(1, args.repeat + 1):
            result = asyncio.run(
                repetition(gateway, settings, fake, args.rounds, args.telegram_rounds)
            )
            print(json.dumps({"repetition": number, **result}), flush=True)
            results.append(result)
        print(json.dumps(medians(results)), flush=True)


if __name__ == "__main__":
    main()
