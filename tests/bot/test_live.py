"""The waiting line: one read of the line per batch of queue events, places pushed
only to the widgets whose place changed, and never a stale place.

The storm below runs the real queue on a real Redis (the handoff tests' database
under a prefix of its own, or a private ``redis-server``), the real ``Hub``
following its event stream, and real widget pumps (``WidgetPush.pump``); only the
browser at the end of each pump is a list of the frames it was sent. Seeded random
enqueues, claims, releases, customers leaving, re-scores and reconnects come from
several tasks at once, and every widget must end showing exactly its true place.
tests/bot/test_web.py does the same through real WebSockets of the whole stack.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

import pytest
import redis.asyncio as aioredis
from fastapi import WebSocket

import bot.live
import bot.widget_push
from bot.conversations import Conversations
from bot.handoff import (
    Agent,
    EmotionSnapshot,
    HandoffError,
    HandoffQueue,
    Line,
    Place,
    Presence,
    TicketState,
)
from bot.handoff.keys import Keys
from bot.live import Hub
from bot.state_view import StateView, newest_view
from bot.transcript import Transcript
from bot.upstream import EmotionClient, RasaClient
from bot.widget_push import WidgetPush
from tests.bot.handoff.conftest import (  # noqa: F401 - fixtures
    CONFIG,
    client,
    prefix,
    request,
    shared_url,
)
from tests.polling import until

# A storm must be shown within this, and the hub's periodic re-read of the line
# (LINE_REFRESH_S) and a pump's own re-check (IDLE_WAKE_S), which could mend a place
# that was missed, are pushed well beyond it for the storm: a slow, shared machine
# gets a minute; only a missed place waits that long.
SHOWN_WITHIN_S = 60.0
MENDING_OFF_S = 10 * SHOWN_WITHIN_S
# How long the hub waits for a batch of pushes in the storm (bot.live.PUSH_STALL_S)
STALL_S = 0.05


def line(version: str, *ids: str) -> Line:
    """A line of ``ids`` with one agent online and a free slot."""
    return Line(version, ids, 1, 2, 1, 60.0)


# -- the decisions, without Redis ---------------------------------------------------


def test_a_place_handed_but_never_shown_is_handed_again() -> None:
    """The bug of the first version: the hub recorded a place as shown when it woke
    the widget, the pump dropped it (its own view was not "queued" yet), and the
    next line with the same place woke nobody: the widget showed 12, not 13."""
    hub = Hub(None, Keys("t"), None)  # type: ignore[arg-type]  # no Redis used
    with hub.listen("w") as widget, hub.listen("other") as other:
        hub.publish(line("1-0", "a", "b", "w"))
        assert widget._changes.line and not other._changes.line  # not in the line
        widget._changes.line = False  # woken, but nothing was sent
        hub.publish(line("2-0", "x", "b", "w"))  # the same place, 3
        assert widget._changes.line  # still not shown: woken again
        widget.shown = Place(3, 60.0, 1)  # the pump sent it: (3 - 1 free) × 60 s / 2
        widget._changes.line = False
        hub.publish(line("3-0", "y", "b", "w"))
        assert not widget._changes.line  # shown as it is: left alone
        hub.publish(line("4-0", "b", "w"))
        assert widget._changes.line  # moved up to 2
        widget.shown, widget._changes.line = hub.line.place("w"), False
        hub.publish(line("5-0", "b"))
        assert widget._changes.line  # left the line: no place to show any more


def test_the_newer_of_the_line_and_the_chats_own_view_is_shown() -> None:
    queued = StateView(TicketState.QUEUED, 4, 120.0, 1, version="5-0")
    assigned = StateView(TicketState.ASSIGNED, None, None, 1, "Maya", version="7-0")
    in_line = line("6-0", "a", "w")
    # the line is newer than the view: the place comes from the line
    shown = newest_view("w", queued, in_line, None)
    assert shown is not None and shown.place == in_line.place("w")
    assert shown.to_dict()["state"] == "queued" and shown.version == "6-0"
    # a view newer than the line (its event is on the way to the hub) wins
    assert newest_view("w", assigned, in_line, None) is assigned
    # no view read, or an older one that says "queued", and the chat left the
    # newer line: only a fresh read can say where it is now
    assert newest_view("w", None, line("6-0", "a"), None) is None
    assert newest_view("w", queued, line("6-0", "a"), None) is None
    # an older view that is not waiting agrees with a line without the chat
    bot = StateView(TicketState.BOT, version="")
    assert newest_view("w", bot, line("6-0", "a"), None) is bot
    assert newest_view("w", None, in_line, "tomorrow at 08:00").back == (  # type: ignore[union-attr]
        "tomorrow at 08:00"
    )


# -- the storm, on a real Redis ----------------------------------------------------


class Screen(WidgetPush):
    """A widget's real pump; what it sends lands here, as on a customer's screen.

    ``_write`` (the socket) gives way to the event loop a random number of times
    first, as a slow client socket would, so pumps and the hub's pushes interleave in
    many ways; now and then it takes longer than the hub waits for a push
    (``STALL_S``), as a client that stopped reading would.
    """

    def __init__(
        self,
        conversations: Conversations,
        hub: Hub,
        conversation_id: str,
        rng: random.Random,
        seen: Callable[[], None],
    ) -> None:
        # No connection: ``_write`` below stands for the socket.
        super().__init__(cast(WebSocket, None), conversations, hub)
        self.conversation_id = conversation_id
        self._rng = rng
        self._seen = seen
        self.state: dict[str, Any] | None = None  # the last state frame sent
        self.frames: list[dict[str, Any]] = []  # every frame sent
        self.gate: asyncio.Event | None = None  # when set: writes wait for it
        self.stall_next = False  # when set: the next write stalls (then no more)

    async def _write(self, frame: dict[str, Any]) -> None:
        if self.gate is not None:
            await self.gate.wait()
            self.frames.append(frame)
            if frame["type"] == "state":
                self.state = frame
                self._seen()
            return
        chance = self._rng.random()
        if self.stall_next:
            # one stall the storm is sure to have, whatever the machine's speed:
            # how many pushes a socket gets depends on how batches fall
            self.stall_next = False
            await asyncio.sleep(STALL_S * 2)
        elif chance < 0.002:
            await asyncio.sleep(STALL_S * 2)  # the hub gives up on this push
        elif chance < 0.05:
            await asyncio.sleep(0.002)
        for _ in range(self._rng.randrange(8)):
            await asyncio.sleep(0)
        if frame["type"] == "state":
            self.state = frame
            self._seen()


class Storm:
    """Widgets of waiting customers on one hub, and the queue they wait in."""

    def __init__(self, conversations: Conversations, hub: Hub, seed: int) -> None:
        self.conversations = conversations
        self.queue = conversations.queue
        self.hub = hub
        self.rng = random.Random(seed)
        self.screens: dict[str, Screen] = {}
        self.pumps: dict[str, asyncio.Task[None]] = {}
        self.claims: dict[str, tuple[str, int]] = {}  # ticket -> (agent, token)
        self.changed = asyncio.Event()
        self.events = 0
        self.urgent = 0

    def open(self, conversation_id: str) -> None:
        """A widget (re)connects: a new screen and pump with a listener of its own."""
        screen = Screen(
            self.conversations,
            self.hub,
            conversation_id,
            random.Random(self.rng.random()),
            self.changed.set,
        )

        async def run() -> None:
            with self.hub.listen(conversation_id) as listener:
                await screen.pump(listener)

        self.screens[conversation_id] = screen
        self.pumps[conversation_id] = asyncio.create_task(run())

    async def close(self, conversation_id: str) -> None:
        task = self.pumps.pop(conversation_id)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def step(self, agents: list[str]) -> None:
        """One random change of the queue (a refused one changes nothing)."""
        rng, queue = self.rng, self.queue
        ids = list(self.screens)
        cid = rng.choice(ids)
        kind = rng.choices(
            ["enqueue", "claim", "release", "leave", "rescore", "reconnect", "ahead"],
            [5, 3, 1, 2, 2, 1, 3],
        )[0]
        try:
            if kind == "ahead":  # an urgent chat goes first and is taken at once
                self.urgent += 1
                urgent = f"urgent-{self.rng.random():.9f}"
                await queue.enqueue(request(urgent, 1.0, 4))
                for _ in range(rng.randrange(3)):
                    await asyncio.sleep(0)
                await queue.claim(rng.choice(agents), urgent)
                self.events += 1
            elif kind == "enqueue":
                await queue.enqueue(request(cid, round(rng.random(), 2)))
            elif kind == "claim":
                agent = rng.choice(agents)
                claim = await queue.claim(agent, cid)
                self.claims[cid] = (agent, claim.token)
            elif kind in ("release", "leave") and cid in self.claims:
                agent, token = self.claims.pop(cid)
                if kind == "release":
                    await queue.release(agent, cid, token)
                else:  # helped and gone: the chat is the bot's again
                    await queue.resolve(agent, cid, token)
            elif kind == "rescore":
                snap = EmotionSnapshot("anger", round(rng.random(), 2), 2)
                await queue.rescore(cid, snap)
            elif kind == "reconnect":  # the old socket goes, a new one opens
                old = self.pumps.pop(cid)
                self.open(cid)
                old.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await old
            else:
                return
        except HandoffError:
            return
        self.events += kind != "reconnect"

    async def truth(self) -> dict[str, tuple[str, int | None]]:
        """Every widget's true state and place, read from Redis now."""
        now = await self.queue.line()
        found = {}
        for cid in self.screens:
            state = await self.queue.state(cid)
            shown = "bot" if state is TicketState.RESOLVED else state.value
            place = now.place(cid)
            found[cid] = (shown, place.position if place else None)
        return found

    def shown(self, cid: str) -> tuple[str, int | None] | None:
        frame = self.screens[cid].state
        return None if frame is None else (frame["state"], frame["position"])

    async def settled(self, within: float) -> dict[str, tuple[Any, Any]]:
        """Wait until every widget shows its truth; what is still wrong after
        ``within`` seconds (nothing when all are right)."""
        truth = await self.truth()
        deadline = time.monotonic() + within
        while True:
            wrong = {
                c: (self.shown(c), t) for c, t in truth.items() if self.shown(c) != t
            }
            left = deadline - time.monotonic()
            if not wrong or left <= 0:
                return wrong
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), left)


@pytest.fixture
async def line_parts(
    shared_url: str,  # noqa: F811
    client: aioredis.Redis,  # noqa: F811
    prefix: str,  # noqa: F811
) -> AsyncIterator[tuple[Conversations, Hub]]:
    """The gateway's parts on the test Redis: queue, transcript, routing, hub."""
    queue = HandoffQueue(client, prefix=prefix, config=CONFIG)
    rasa = RasaClient("http://127.0.0.1:9", 1)  # never called by a pump
    emotion = EmotionClient("http://127.0.0.1:9")
    conversations = Conversations(
        redis=client,
        keys=Keys(prefix),
        queue=queue,
        transcript=Transcript(client, prefix=prefix),
        rasa=rasa,
        emotion=emotion,
    )
    live = aioredis.Redis.from_url(shared_url, decode_responses=True)
    hub = Hub(live, Keys(prefix), queue)
    await hub.start()
    yield conversations, hub
    await hub.stop()
    await live.aclose()
    await rasa.close()
    await emotion.close()


@pytest.mark.parametrize("seed", range(1, 9))
async def test_a_storm_of_queue_changes_leaves_every_widget_at_its_true_place(
    line_parts: tuple[Conversations, Hub], seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.live, "LINE_REFRESH_S", MENDING_OFF_S)
    monkeypatch.setattr(bot.widget_push, "IDLE_WAKE_S", MENDING_OFF_S)
    monkeypatch.setattr(bot.live, "PUSH_STALL_S", STALL_S)
    conversations, hub = line_parts
    storm = Storm(conversations, hub, seed)
    queue = storm.queue
    agents = [f"agent{i}" for i in range(3)]
    for agent in agents:
        await queue.register_agent(Agent(agent, agent.title(), capacity=100))
        await queue.set_presence(agent, Presence.ONLINE)
    for i in range(120):
        storm.open(f"web-s{seed}w{i}")
    for cid in list(storm.screens)[:90]:  # most are waiting before the storm
        await queue.enqueue(request(cid, round(storm.rng.random(), 2)))
    assert await storm.settled(SHOWN_WITHIN_S) == {}

    async def actor(steps: int) -> None:
        for _ in range(steps):
            await storm.step(agents)
            pause = storm.rng.random()
            if pause < 0.1:
                await asyncio.sleep(pause / 50)  # up to 2 ms: batches split
            else:
                for _ in range(storm.rng.randrange(3)):
                    await asyncio.sleep(0)

    lines_before = hub.lines_read
    # the last in line: every change ahead of it moves it, so the hub pushes to it
    storm.screens[list(storm.screens)[89]].stall_next = True

    await asyncio.gather(*(actor(200) for _ in range(4)))
    assert storm.events > 300
    assert await storm.settled(SHOWN_WITHIN_S) == {}
    # one read of the line per batch of events, not one per widget per event
    assert 0 < hub.lines_read - lines_before <= storm.events
    # most places went out from the hub itself; some sockets stalled, and their
    # pumps showed them their places from then on
    assert hub.pushed > 0 and hub.stalled > 0
    for cid, task in storm.pumps.items():
        assert not task.done(), (cid, task)
    for cid in list(storm.pumps):
        await storm.close(cid)


async def test_a_place_that_comes_while_the_socket_is_busy_is_shown_after_it(
    line_parts: tuple[Conversations, Hub], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hub pushes a new place itself, but never waits for a socket that is
    sending something else: it wakes the widget's pump, which shows the newest
    place once that frame is out, and nothing older after it."""
    monkeypatch.setattr(bot.live, "LINE_REFRESH_S", MENDING_OFF_S)
    monkeypatch.setattr(bot.widget_push, "IDLE_WAKE_S", MENDING_OFF_S)
    conversations, hub = line_parts
    storm = Storm(conversations, hub, 0)
    queue = storm.queue
    await queue.register_agent(Agent("agent0", "Agent0", capacity=5))
    await queue.set_presence("agent0", Presence.ONLINE)
    storm.open("web-busy")
    screen = storm.screens["web-busy"]
    screen.gate = asyncio.Event()
    screen.gate.set()
    await queue.enqueue(request("web-busy", 0.2))
    assert await storm.settled(SHOWN_WITHIN_S) == {}
    assert screen.frames[-1]["position"] == 1
    pushed, left = hub.pushed, hub.left_to_pumps
    screen.gate.clear()  # the socket is busy with a frame of the reader's
    pong = asyncio.create_task(screen.send({"type": "pong"}))
    await until(screen._send_lock.locked, what="the pong holds the socket")
    await queue.enqueue(request("urgent", 1.0, 4))  # goes first: web-busy is 2nd
    await until(lambda: hub.left_to_pumps > left, what="the hub gave way")
    assert hub.pushed == pushed
    screen.gate.set()
    await pong
    assert await storm.settled(SHOWN_WITHIN_S) == {}
    assert [f["type"] for f in screen.frames[-2:]] == ["pong", "state"]
    assert screen.frames[-1]["position"] == 2
    await storm.close("web-busy")
