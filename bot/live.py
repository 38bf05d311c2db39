"""Live fan-out inside one gateway process: transcript entries and queue changes.

Every gateway follows two things in Redis: the ``{prefix}:live`` pub/sub channel
(one note per transcript entry, from any process, and one per typing event:
bot/typing_notes.py) and the handoff queue's event stream.
Widget connections, Telegram senders and agent consoles register a ``Listener`` here and
are woken when something they care about changed; they then read what is new from the
transcript with their own cursor, so a missed or doubled note never loses or repeats a
message. After a Redis hiccup every listener is told to resynchronise.

A listener of all conversations (a console, the Telegram outbox) hears every queue
event; one of a single conversation (a widget) hears only the events of its own chat
(and agents' changes, which can rename its agent). Where everyone else waits is the
line's business: after each batch of queue events the hub reads the whole line once
(``HandoffQueue.line``, one script), publishes it as ``Hub.line`` (versioned by the
newest event id it saw) and finds exactly the listeners whose place in the new line
differs from the place their client was last sent (``Listener.shown``, which the
widget sets when it sends). So with hundreds waiting, an event costs one read of the
line, and a widget whose place did not change is not touched at all. There is no
"the hub handed a place" record that a widget could fail to act on: a widget always
shows the latest line, and the hub always compares that line with what was sent.

The new places go out from the hub's own task, one socket after another
(``Listener.push``, set by the widget's pump), not by waking a task per widget: with
200 waiting that was most of an event's cost. A widget that is sending something
else at that moment, whose place only a fresh read can tell, or whose socket does not
take the frame within ``PUSH_STALL_S`` (a client that stopped reading) is left to
its own pump, which the hub wakes instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any

from starlette.websockets import WebSocket, WebSocketState

from bot.handoff import Event, EventType, HandoffQueue, Line, Place
from bot.handoff.keys import Keys
from bot.typing_notes import TypingNote

logger = logging.getLogger(__name__)

RETRY_SECONDS = 0.5
MAX_PENDING_EVENTS = 200
# With no queue event for this long, the line is read again anyway while anyone
# waits in it: an agent whose heartbeat ran out changes the wait without an event.
LINE_REFRESH_S = 10.0
# A batch of places pushed by the hub that takes longer than this is cut at the
# socket it was writing to: that client gets its places from its own pump from then.
PUSH_STALL_S = 0.5


@dataclass
class Changes:
    """What happened since a listener last looked."""

    conversations: set[str] = field(default_factory=set)  # with new entries
    events: list[Event] = field(default_factory=list)  # queue events
    resync: bool = False  # notes may have been missed: re-read everything
    line: bool = False  # the hub's line gives another place than ``shown``
    typing: list[TypingNote] = field(default_factory=list)  # someone typed

    @property
    def only_typing(self) -> bool:
        """Whether someone typing is all there is (nothing to read from Redis)."""
        return bool(self.typing) and not (
            self.conversations or self.events or self.resync or self.line
        )

    @property
    def in_chat(self) -> bool:
        """Whether the chat itself may have news (entries, its own queue events, a
        resynchronisation). Not when woken only because the line moved or on a
        listener's timeout: then nothing needs reading from Redis."""
        return bool(self.conversations or self.events or self.resync)


class Listener:
    """Wakes up when a conversation (or, for ``None``, any) gets news."""

    def __init__(self, conversation_id: str | None) -> None:
        self.conversation_id = conversation_id
        # The place in line this listener's client was last sent (None: no place,
        # not waiting). Its pump sets it in the same step as it takes the line it
        # shows, before the frame goes out; the hub compares each new line with it.
        self.shown: Place | None = None
        # Shows the hub's latest line to the client from the hub's task; returns
        # False when it cannot now (the pump is woken instead). None: the hub wakes
        # the listener, as for any news.
        self.push: Callable[[], Awaitable[bool]] | None = None
        self._changes = Changes()
        self._ready = asyncio.Event()

    def _entry(self, conversation_id: str) -> None:
        self._changes.conversations.add(conversation_id)
        self._ready.set()

    def _event(self, event: Event) -> None:
        events = self._changes.events
        events.append(event)
        if len(events) > MAX_PENDING_EVENTS:
            del events[: len(events) - MAX_PENDING_EVENTS]
            self._changes.resync = True
        self._ready.set()

    def _typing(self, note: TypingNote) -> None:
        if len(self._changes.typing) < MAX_PENDING_EVENTS:
            self._changes.typing.append(note)
        self._ready.set()

    def _resync(self) -> None:
        self._changes.resync = True
        self._ready.set()

    def _line(self) -> None:
        self._changes.line = True
        self._ready.set()

    def poke(self) -> None:
        """Wake the listener (e.g. after the caller appended something itself).

        A poke is news of the listener's own conversation: were it only a wake-up,
        a queue event about another chat arriving in the same wake-up would make a
        filtering reader (bot/widget_push.py, ``concerned``) skip it until its next
        timeout.
        """
        if self.conversation_id is not None:
            self._changes.conversations.add(self.conversation_id)
        self._ready.set()

    async def wait(self, timeout: float | None = None) -> Changes:
        """The changes since the last call (empty after ``timeout`` seconds).

        ``asyncio.timeout``, not ``wait_for``: on Python 3.11 ``wait_for`` can lose
        a cancellation that comes just as the event is set (fixed in 3.12)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._ready.wait()
        self._ready.clear()
        changes, self._changes = self._changes, Changes()
        return changes


class Hub:
    """Follows Redis for this process and wakes the registered listeners.

    ``client`` is for the hub alone (two connections: the subscription and the
    event stream's blocking read), not the pool the commands share.
    """

    def __init__(self, client: Any, keys: Keys, queue: HandoffQueue) -> None:
        self.redis = client
        self.keys = keys
        self.queue = queue
        # The latest line read, replaced whole (never changed in place).
        self.line = Line.empty()
        self.lines_read = 0  # how many times the line was read (for tests, benches)
        self._line_due = True
        self._line_at = 0.0  # time.monotonic() of the last read
        self._by_conversation: dict[str | None, set[Listener]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._pushes: dict[Listener, None] = {}  # to push the line to, in order
        self._pushes_due = asyncio.Event()
        self.pushed = 0  # places the hub pushed itself (for tests, benches)
        self.stalled = 0  # sockets it gave up pushing to
        self.left_to_pumps = 0  # places it could not push (busy sockets)

    async def start(self) -> None:
        """Start following (call once, from the app's lifespan)."""
        self._tasks = [
            asyncio.create_task(self._follow_entries(), name="hub-entries"),
            asyncio.create_task(self._follow_events(), name="hub-events"),
            asyncio.create_task(self._push_lines(), name="hub-places"),
        ]

    async def stop(self) -> None:
        """Stop following."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []

    @contextlib.contextmanager
    def listen(self, conversation_id: str | None) -> Iterator[Listener]:
        """A listener for one conversation, or for all of them (``None``)."""
        listener = Listener(conversation_id)
        self._by_conversation.setdefault(conversation_id, set()).add(listener)
        try:
            yield listener
        finally:
            group = self._by_conversation.get(conversation_id, set())
            group.discard(listener)
            if not group:
                self._by_conversation.pop(conversation_id, None)

    def listening(self, conversation_id: str) -> bool:
        """Whether this process has a listener for the conversation."""
        return conversation_id in self._by_conversation

    def _everyone(self) -> Iterator[Listener]:
        for group in list(self._by_conversation.values()):
            yield from list(group)

    def _notify_event(self, event: Event) -> None:
        """Tell the listeners an event concerns: those of every conversation, those
        of its own chat, and for an agent's change every widget (its agent may be
        the one renamed). Other chats' events reach a widget only through the line."""
        keys: tuple[str | None, ...] = (None, event.ticket_id)
        if event.type is EventType.AGENT:
            keys = tuple(self._by_conversation)
        for key in keys:
            for listener in list(self._by_conversation.get(key, ())):
                listener._event(event)

    def publish(self, line: Line) -> None:
        """Make ``line`` the latest; each widget whose client was last sent another
        place than the one it has in it (or a place, when it has none) gets it pushed
        (``Listener.push``) or, without a way to push, is woken."""
        self.line = line
        for conversation_id, group in list(self._by_conversation.items()):
            if conversation_id is None:
                continue
            place = line.place(conversation_id)
            for listener in list(group):
                if listener.shown != place:
                    if listener.push is None:
                        listener._line()
                    else:
                        self._pushes[listener] = None
        if self._pushes:
            self._pushes_due.set()

    async def _push_lines(self) -> None:
        """Push the latest line to the widgets ``publish`` found, one after another.

        Each push shows the line that is the latest when its turn comes, so a batch
        that is still going when a newer line comes shows the newer one. A listener
        that could not be pushed is woken instead; so is one whose socket was still
        writing PUSH_STALL_S after the batch (or the rest of it) began, and it gets
        no push any more: its pump shows it every place from then.
        """
        while True:
            await self._pushes_due.wait()
            self._pushes_due.clear()
            batch, self._pushes = list(self._pushes), {}
            done = 0
            while done < len(batch):
                try:
                    async with asyncio.timeout(PUSH_STALL_S):
                        while done < len(batch):
                            listener = batch[done]
                            done += 1
                            await self._push(listener)
                except TimeoutError:
                    stalled = batch[done - 1]
                    logger.info("a widget stopped reading: its places go the slow way")
                    stalled.push = None
                    stalled._line()
                    self.stalled += 1

    async def _push(self, listener: Listener) -> None:
        push = listener.push
        try:
            if push is not None and await push():
                self.pushed += 1
                return
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - the socket's end: its pump's business
            logger.debug("place not pushed: %r", error)
            listener.push = None
        self.left_to_pumps += 1
        listener._line()

    async def read_line(self) -> None:
        """Read the line once and publish it (when a widget is open to see it)."""
        self._line_due = False
        if not any(key is not None for key in self._by_conversation):
            return  # nobody to tell; a widget that opens reads its own place first
        self._line_at = time.monotonic()
        line = await self.queue.line()
        self.lines_read += 1
        self.publish(line)

    def _notify_typing(self, note: TypingNote) -> None:
        for key in (note.conversation_id, None):
            for listener in list(self._by_conversation.get(key, ())):
                listener._typing(note)

    def _notify_entry(self, conversation_id: str) -> None:
        for key in (conversation_id, None):
            for listener in list(self._by_conversation.get(key, ())):
                listener._entry(conversation_id)

    async def _follow_entries(self) -> None:
        channel = self.keys.live
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(channel)
                # Anything published while we were not subscribed is re-read.
                for listener in self._everyone():
                    listener._resync()
                while True:
                    message = await pubsub.get_message(timeout=5.0)
                    if message is None:
                        continue
                    data = message.get("data")
                    note = data.decode() if isinstance(data, bytes) else str(data)
                    if typing := TypingNote.parse(note):
                        self._notify_typing(typing)
                        continue
                    conversation_id, _, _entry_id = note.rpartition(" ")
                    if conversation_id:
                        self._notify_entry(conversation_id)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - Redis away: retry
                logger.warning("live channel lost (%r); retrying", error)
                await asyncio.sleep(RETRY_SECONDS)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def _follow_events(self) -> None:
        after = "$"
        while True:
            try:
                if after == "$":
                    newest = await self.redis.xrevrange(self.keys.events, count=1)
                    after = _id(newest[0][0]) if newest else "0-0"
                if self._line_due:
                    # Right after a batch: the events that came meanwhile are in
                    # this read too, and the next batch gets a read of its own.
                    await self.read_line()
                events = await self.queue.events(
                    after, count=200, block_ms=2000, client=self.redis
                )
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - Redis away: retry
                logger.warning("queue events lost (%r); retrying", error)
                for listener in self._everyone():
                    listener._resync()
                self._line_due = True
                await asyncio.sleep(RETRY_SECONDS)
                continue
            for event in events:
                after = event.id
                self._notify_event(event)
            # Nobody waiting: nothing to refresh (a customer who starts waiting
            # comes with an event).
            stale = (
                bool(self.line) and time.monotonic() - self._line_at > LINE_REFRESH_S
            )
            self._line_due = bool(events) or stale


def stop_if_cancelled() -> None:
    """Raise CancelledError when the current task was cancelled but goes on.

    A cancellation can be lost inside a Redis call (seen with redis-py 8.1 on
    Python 3.11 when widgets came and went in tests/bot/test_live.py): the call
    returns as if nothing happened and the loop around it would wait for its next
    wake-up, holding up the connection's clean-up. Loops call this before waiting.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _id(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def connected(ws: WebSocket) -> bool:
    """Whether frames can still be sent on ``ws`` (neither side closed it)."""
    return (
        ws.client_state is WebSocketState.CONNECTED
        and ws.application_state is WebSocketState.CONNECTED
    )


async def run_beside(
    main: Awaitable[None], *background: Coroutine[Any, Any, None]
) -> None:
    """Await ``main`` (a connection's reader) with ``background`` running as tasks
    (its pump, its heartbeat); when ``main`` ends, however it ends, cancel them and
    wait until they have stopped (their errors are theirs: not raised here)."""
    tasks = [asyncio.create_task(work) for work in background]
    try:
        await main
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
