"""Typing indicators (bot/typing_notes.py) on the real Redis, with the fake clock:
the notes, both throttles, the checks of a widget's and a console's typing frame,
the hub handing notes to the right listeners, and one Telegram sender per note.
No sleeps: the clock is moved by hand and events are counted."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

import pytest
import redis.asyncio as aioredis

from bot.handoff import HandoffQueue, Ticket
from bot.handoff.keys import Keys
from bot.live import Changes, Hub, Listener
from bot.typing_notes import (
    EVERY_S,
    SHOW_S,
    ConsoleTyping,
    LocalThrottle,
    Side,
    Typing,
    TypingNote,
    WidgetTyping,
    claim_for_telegram,
    console_frames,
    widget_frame,
)
from bot.widget_protocol import FrameError
from tests.bot.handoff.conftest import (  # noqa: F401 - fixtures
    Clock,
    client,
    clock,
    online_agent,
    prefix,
    queue,
    request,
    shared_url,
)
from tests.polling import until

ASSIGNED = {"type": "state", "state": "assigned", "agent_name": "Alex"}


class Notes:
    """The typing notes published on one prefix's live channel, as they come."""

    def __init__(self, db: aioredis.Redis, keys: Keys) -> None:
        self.redis = db
        self.pubsub = db.pubsub(ignore_subscribe_messages=True)
        self.channel = keys.live
        self.seen: list[TypingNote] = []

    async def __aenter__(self) -> Notes:
        await self.pubsub.subscribe(self.channel)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.pubsub.aclose()

    async def drain(self) -> list[TypingNote]:
        """Every note published so far (a note of our own marks the end)."""
        await self.redis.publish(self.channel, "end of the test's notes")
        while True:
            message = await self.pubsub.get_message(timeout=5.0)
            if message is None:
                continue
            if message["data"] == "end of the test's notes":
                return self.seen
            if note := TypingNote.parse(str(message["data"])):
                self.seen.append(note)


@dataclass
class Env:
    """One test's Redis client, key prefix, fake clock, typing and queue."""

    client: aioredis.Redis
    keys: Keys
    clock: Clock
    typing: Typing
    queue: HandoffQueue


@pytest.fixture
def env(
    client: aioredis.Redis,  # noqa: F811
    prefix: str,  # noqa: F811
    clock: Clock,  # noqa: F811
    queue: HandoffQueue,  # noqa: F811
) -> Env:
    keys = Keys(prefix)
    return Env(client, keys, clock, Typing(client, keys, clock=clock), queue)


def test_a_note_reads_back_and_anything_else_is_no_note() -> None:
    note = TypingNote(Side.AGENT, "tg-42", 1_750_000_000_000)
    assert note.text() == "typing agent tg-42 1750000000000"
    assert TypingNote.parse(note.text()) == note
    for text in [
        "web-1 1750000000000-0",  # an entry's note
        "typing boss web-1 1",
        "typing agent web-1",
        "typing agent web-1 soon",
        "typing customer  1",
        "typing agent a b 1",
    ]:
        assert TypingNote.parse(text) is None, text


def test_the_local_throttle_lets_one_through_per_window_and_key() -> None:
    time = Clock()
    throttle = LocalThrottle(EVERY_S, time)
    assert [throttle.allow("web-1") for _ in range(50)].count(True) == 1
    assert throttle.allow("web-2")  # another chat has its own window
    time.advance(EVERY_S - 0.01)
    assert not throttle.allow("web-1")
    time.advance(0.01)
    assert throttle.allow("web-1")


async def test_announce_publishes_once_per_window_per_conversation_and_side(
    env: Env,
) -> None:
    db, keys, fake_clock, typing = env.client, env.keys, env.clock, env.typing
    async with Notes(db, keys) as notes:
        results = [await typing.announce("web-1", Side.AGENT) for _ in range(30)]
        assert results.count(True) == 1 and results[0]
        assert await typing.announce("web-1", Side.CUSTOMER)  # the other side
        assert await typing.announce("web-2", Side.AGENT)  # another chat
        fake_clock.advance(EVERY_S - 0.001)
        assert not await typing.announce("web-1", Side.AGENT)
        fake_clock.advance(0.001)
        assert await typing.announce("web-1", Side.AGENT)
        seen = await notes.drain()
    stamp = round(fake_clock() * 1000)
    start = stamp - round(EVERY_S * 1000)
    assert [(n.side, n.conversation_id, n.stamp) for n in seen] == [
        (Side.AGENT, "web-1", start),
        (Side.CUSTOMER, "web-1", start),
        (Side.AGENT, "web-2", start),
        (Side.AGENT, "web-1", stamp),
    ]
    # nothing of it is in the transcript
    assert await db.exists(keys.transcript("web-1")) == 0


async def test_two_gateways_share_the_window(env: Env) -> None:
    db, keys, fake_clock = env.client, env.keys, env.clock
    one, two = Typing(db, keys, clock=fake_clock), Typing(db, keys, clock=fake_clock)
    assert await one.announce("web-1", Side.AGENT)
    assert not await two.announce("web-1", Side.AGENT)


async def test_one_gateway_sends_a_note_to_telegram(env: Env) -> None:
    db, keys = env.client, env.keys
    note = TypingNote(Side.AGENT, "tg-42", 1000)
    claims = await asyncio.gather(
        *(claim_for_telegram(db, keys, note) for _ in range(4))
    )
    assert sorted(claims) == [False, False, False, True]
    later = TypingNote(Side.AGENT, "tg-42", 4000)
    assert await claim_for_telegram(db, keys, later)


async def test_a_widget_typing_frame_is_checked_and_goes_only_to_a_person(
    env: Env,
) -> None:
    db, keys, fake_clock, typing = env.client, env.keys, env.clock, env.typing
    widget = WidgetTyping(typing)
    async with Notes(db, keys) as notes:
        for bad in [{"type": "typing", "on": True}, {"type": "typing", "text": "x"}]:
            with pytest.raises(FrameError) as refused:
                await widget.typed(bad, "web-1", ASSIGNED)
            assert refused.value.code == "invalid_frame"
            assert '{"type": "typing"}' in refused.value.message
        await widget.typed({"type": "typing"}, "web-1", {"state": "bot"})
        await widget.typed({"type": "typing"}, "web-1", None)
        assert await notes.drain() == []  # the bot does not read typing
        for _ in range(20):
            await widget.typed({"type": "typing"}, "web-1", ASSIGNED)
        fake_clock.advance(EVERY_S)
        await widget.typed({"type": "typing"}, "web-1", ASSIGNED)
        seen = await notes.drain()
    assert [(n.side, n.conversation_id) for n in seen] == [
        (Side.CUSTOMER, "web-1"),
        (Side.CUSTOMER, "web-1"),
    ]


async def test_a_console_typing_frame_only_for_a_chat_the_agent_holds(env: Env) -> None:
    db, keys, typing, handoff = env.client, env.keys, env.typing, env.queue
    await online_agent(handoff, "alex")
    await online_agent(handoff, "sam")
    await handoff.enqueue(request("web-1"))
    await handoff.enqueue(request("web-2"))
    await handoff.claim("alex", "web-1")
    await handoff.claim("sam", "web-2")

    async def ticket(cid: str) -> Ticket:
        return await handoff.ticket(cid)

    console = ConsoleTyping(typing)
    async with Notes(db, keys) as notes:
        for bad in [
            {"type": "typing"},
            {"type": "typing", "conversation": 7},
            {"type": "typing", "conversation": "has space"},
            {"type": "typing", "conversation": "web-1", "text": "hi"},
        ]:
            with pytest.raises(FrameError) as refused:
                await console.typed(bad, "alex", {"web-1"}, ticket)
            assert refused.value.code == "invalid_frame", bad
            assert "conversation" in refused.value.message
        frame = {"type": "typing", "conversation": "web-2"}
        with pytest.raises(FrameError) as refused:  # not in the tab's held chats
            await console.typed(frame, "alex", {"web-1"}, ticket)
        assert refused.value.code == "forbidden"
        with pytest.raises(FrameError) as refused:  # the tab is stale: sam holds it
            await console.typed(frame, "alex", {"web-1", "web-2"}, ticket)
        assert refused.value.code == "forbidden"
        assert "hold" in refused.value.message
        for _ in range(10):
            await console.typed(
                {"type": "typing", "conversation": "web-1"}, "alex", {"web-1"}, ticket
            )
        seen = await notes.drain()
    assert [(n.side, n.conversation_id) for n in seen] == [(Side.AGENT, "web-1")]


def test_what_the_widget_and_the_console_are_shown() -> None:
    agent = TypingNote(Side.AGENT, "web-1", 1)
    customer = TypingNote(Side.CUSTOMER, "web-1", 1)
    assert widget_frame([agent], ASSIGNED) == {
        "type": "typing",
        "author": "agent",
        "on": True,
        "name": "Alex",
        "for_s": SHOW_S,
    }
    assert widget_frame([customer], ASSIGNED) is None  # their own typing
    assert widget_frame([agent], {"state": "bot"}) is None
    assert widget_frame([agent], None) is None
    other = TypingNote(Side.CUSTOMER, "web-2", 1)
    assert console_frames([customer, customer, other, agent], {"web-1"}) == [
        {"type": "typing", "conversation": "web-1", "author": "customer", "for_s": 6.0}
    ]
    assert console_frames([customer], set()) == []


async def test_the_hub_hands_a_note_to_its_chat_and_to_everyone(env: Env) -> None:
    db, keys, typing, handoff = env.client, env.keys, env.typing, env.queue
    hub = Hub(db, keys, handoff)
    await hub.start()
    try:
        with (
            hub.listen("web-1") as mine,
            hub.listen("web-2") as other,
            hub.listen(None) as everyone,
        ):
            # the hub resynchronises its listeners once subscribed: wait for that
            await until(lambda: mine._ready.is_set(), what="the hub's subscription")
            for listener in (mine, other, everyone):
                await listener.wait(0)
            assert await typing.announce("web-1", Side.AGENT)
            changes = await first_typing(mine)
            assert [n.conversation_id for n in changes.typing] == ["web-1"]
            assert changes.only_typing and not changes.in_chat
            assert (await first_typing(everyone)).typing == changes.typing
            assert not other._ready.is_set()
    finally:
        await hub.stop()


async def first_typing(listener: Listener) -> Changes:
    """The listener's next changes that carry a typing note."""
    changes = Changes()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(10):
            while not changes.typing:
                changes = await listener.wait(10)
    assert changes.typing, "no typing note came"
    return changes
