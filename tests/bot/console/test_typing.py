"""Typing indicators through the real stack's sockets: an agent typing in a Telegram
chat they hold becomes sendChatAction ``typing`` at the fake Bot API, at most once per
throttle window however fast the frames come; a chat the agent does not hold and a
malformed frame get clear errors; a customer typing in the widget reaches the agent
who holds the chat; nothing of it is stored in the transcript."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import pytest

from bot.handoff import Customer, EmotionSnapshot, HandoffQueue, HandoffRequest
from bot.ops.fake_telegram import FakeTelegramAPI
from bot.ops.widget import Widget
from bot.transcript import Author, Entry, Transcript
from bot.typing_notes import EVERY_S, SHOW_S
from tests.bot.console.conftest import ConsoleClient, Maker
from tests.bot.console.test_api import console_ws, next_frame
from tests.polling import until

pytestmark = pytest.mark.stack


async def signed_in_agent(make_account: Maker, clients: Any) -> ConsoleClient:
    name, password = await make_account()
    agent = clients().login(name, password)
    agent.online()
    return agent


async def telegram_chat(queue: HandoffQueue, transcript: Transcript) -> tuple[str, int]:
    """A Telegram customer waiting for a person (as the action server queues one)."""
    chat = 700_000_000 + secrets.randbelow(10**8)
    cid = f"tg-{chat}"
    await transcript.append(cid, Entry(Author.CUSTOMER, "my order never came"))
    await queue.enqueue(
        HandoffRequest(
            cid,
            "telegram",
            Customer(f"tg-user-{chat}", "Ann"),
            EmotionSnapshot("frustration", 0.6, 2),
        )
    )
    return cid, chat


def holds(cid: str) -> Any:
    return lambda f: f["type"] == "me" and cid in {c["id"] for c in f["chats"]}


async def test_an_agent_typing_in_a_telegram_chat_sends_the_typing_action(
    gateway_url: str,
    make_account: Maker,
    clients: Any,
    queue: HandoffQueue,
    transcript: Transcript,
    telegram_api: FakeTelegramAPI,
) -> None:
    cid, chat = await telegram_chat(queue, transcript)
    other, _ = await telegram_chat(queue, transcript)
    agent = await signed_in_agent(make_account, clients)
    ws = await console_ws(gateway_url, agent)
    try:
        claimed = agent.post(f"/console/api/chats/{cid}/claim")
        assert claimed.status_code == 200, claimed.text
        await next_frame(ws, holds(cid))
        stored = len(await transcript.read(cid))

        # bad input: clear errors, and the socket goes on
        for bad, code in [
            ({"type": "typing"}, "invalid_frame"),
            ({"type": "typing", "conversation": ["x"]}, "invalid_frame"),
            ({"type": "typing", "conversation": cid, "on": "maybe"}, "invalid_frame"),
            ({"type": "typing", "conversation": other}, "forbidden"),  # not held
        ]:
            await ws.send(json.dumps(bad))
            error = await next_frame(ws, lambda f: f["type"] == "error")
            assert error["code"] == code, (bad, error)
            assert "typing" in error["message"] or "hold" in error["message"]

        started = time.monotonic()
        for _ in range(25):
            await ws.send(json.dumps({"type": "typing", "conversation": cid}))
        await ws.send(json.dumps({"type": "ping"}))
        await next_frame(ws, lambda f: f["type"] == "pong")
        typing = await until(
            lambda: telegram_api.calls_to("sendChatAction", chat), what="typing"
        )
        assert typing[0].params["action"] == "typing"
        # one per window at most, however fast the frames came
        windows = 1 + int((time.monotonic() - started) / EVERY_S)
        assert len(telegram_api.calls_to("sendChatAction", chat)) <= windows
        assert telegram_api.calls_to("sendChatAction", int(other[3:])) == []
        assert len(await transcript.read(cid)) == stored  # nothing stored
    finally:
        await ws.close()


async def test_the_customer_typing_reaches_the_agent_who_holds_the_chat(
    gateway_url: str, make_account: Maker, clients: Any, transcript: Transcript
) -> None:
    widget = await Widget.open(gateway_url)
    await widget.next("state")
    await widget.say("I want to talk to a person please")
    await widget.next("state", state="queued")
    cid = widget.conversation
    agent = await signed_in_agent(make_account, clients)
    watcher = await signed_in_agent(make_account, clients)
    ws = await console_ws(gateway_url, agent)
    other_ws = await console_ws(gateway_url, watcher)
    try:
        claimed = agent.post(f"/console/api/chats/{cid}/claim")
        assert claimed.status_code == 200, claimed.text
        await next_frame(ws, holds(cid))
        await widget.next("state", state="assigned")
        stored = len(await transcript.read(cid))

        await widget.send({"type": "typing", "text": "hi"})  # bad: a clear error
        error = await widget.next("error")
        assert error["code"] == "invalid_frame" and "typing" in error["message"]

        await widget.send({"type": "typing"})
        frame = await next_frame(ws, lambda f: f["type"] == "typing")
        assert frame == {
            "type": "typing",
            "conversation": cid,
            "author": "customer",
            "for_s": SHOW_S,
        }
        # the agent types back: the widget says who
        await ws.send(json.dumps({"type": "typing", "conversation": cid}))
        shown = await widget.next("typing", author="agent")
        assert shown["on"] is True and shown["for_s"] == SHOW_S
        assert shown["name"] == (await agent_name(agent))
        # another agent's console is not told about a chat they do not hold
        await other_ws.send(json.dumps({"type": "ping"}))
        seen = []
        while (frame := json.loads(await other_ws.recv()))["type"] != "pong":
            seen.append(frame["type"])
        assert "typing" not in seen
        assert len(await transcript.read(cid)) == stored
    finally:
        await ws.close()
        await other_ws.close()
        await widget.close()


async def agent_name(agent: ConsoleClient) -> str:
    me = agent.get("/console/api/me").json()
    return str(me["account"]["name"])
