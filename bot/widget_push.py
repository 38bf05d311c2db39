"""What one widget connection sends (``WidgetPush``): frames one at a time, the
transcript after the client's cursor, and the chat's state; the connection itself and
what it reads are in bot/widget_socket.py.

Entries come from the transcript after the client's cursor, so a reconnect (``after``
= the last entry id it saw) gets exactly what it missed, whichever gateway process
wrote it. State frames come from the newer of this chat's last view and the hub's
latest line (bot/state_view.py, bot/live.py): an idle widget reads nothing from Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from redis.exceptions import RedisError

from bot.conversations import Conversations
from bot.handoff import EventType, TicketState
from bot.live import Changes, Hub, Listener, connected, stop_if_cancelled
from bot.state_view import StateView, newest_view
from bot.transcript import stream_id_after
from bot.typing_notes import widget_frame
from bot.widget_protocol import frame_text

logger = logging.getLogger(__name__)

# A connection shows its state again at least this often (the team's return after
# hours), from what it has: an idle widget reads nothing from Redis.
IDLE_WAKE_S = 25
PUMP_RETRY_S = 2.0  # pause after an unexpected error in a connection's pump


async def nothing_to_recover() -> None:
    """No messages of this connection's own to answer again (``WidgetPush.recover``)."""


class WidgetPush:
    """The sending side of one widget connection: frames, entries and state."""

    def __init__(
        self,
        ws: WebSocket,
        conversations: Conversations,
        hub: Hub,
        recover: Callable[[], Awaitable[None]] = nothing_to_recover,
    ) -> None:
        self.ws = ws
        self.conversations = conversations
        self.hub = hub
        # Answers the messages that lost their answer while Redis was away (the
        # reading side's ``ChatSocket.recover``).
        self.recover = recover
        self.conversation_id = ""  # set once the client said hello
        self.cursor = ""  # the last transcript entry the client has
        self.view: dict[str, Any] | None = None  # the last state frame sent
        self.read_view: StateView | None = None  # the last view read of this chat
        self._send_lock = asyncio.Lock()
        self._typing_until = ""  # entry id after which the bot stopped typing

    async def send(self, frame: dict[str, Any]) -> None:
        """Send one frame (frames from the reader, the pump and the hub never
        interleave)."""
        async with self._send_lock:
            await self._write(frame)

    async def _write(self, frame: dict[str, Any]) -> None:
        """Put one frame on the socket (with the send lock held)."""
        await self.ws.send_text(frame_text(frame))

    def typing_until(self, entry_id: str) -> None:
        """The bot's answer ends with ``entry_id``: once the client has it, the pump
        says the bot stopped typing."""
        self._typing_until = entry_id

    async def pump(self, listener: Listener) -> None:
        """Push new transcript entries and state changes to the client.

        A wake-up only because the line moved, or after IDLE_WAKE_S without news,
        reads nothing from Redis (``Changes.in_chat``): the place comes from the
        hub's latest line. Anything else reads what is new in the transcript and
        this chat's own view. So an idle widget costs no Redis command: a note
        missed while the hub's subscription was away resynchronises every listener
        (bot/live.py). While it runs, the hub pushes new places itself
        (``push_state``) and wakes it only when it cannot.
        """
        listener.push = functools.partial(self.push_state, listener)
        try:
            await self._pump(listener)
        finally:
            listener.push = None

    async def _pump(self, listener: Listener) -> None:
        first = True
        redis_was_away = False
        while True:
            stop_if_cancelled()
            changes = None if first else await listener.wait(IDLE_WAKE_S)
            first = False
            if changes is not None and changes.typing:
                # The agent typing: shown from what the client has, no Redis read.
                if frame := widget_frame(changes.typing, self.view):
                    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                        await self.send(frame)
                if changes.only_typing:
                    continue
            if changes is not None and not self.concerned(changes):
                continue
            try:
                if changes is None or changes.in_chat:
                    fresh = changes is None or bool(changes.events or changes.resync)
                    entries = await self.conversations.transcript.read(
                        self.conversation_id, after=self.cursor
                    )
                    if redis_was_away:
                        # Redis may have come back without its last writes (AOF
                        # with fsync every second): answer what lost its answer.
                        redis_was_away = False
                        await self.recover()
                    for entry in entries:
                        await self.send({"type": "entry", "entry": entry.to_dict()})
                        self.cursor = entry.id
                    if self._typing_until and not stream_id_after(
                        self._typing_until, self.cursor
                    ):
                        self._typing_until = ""
                        await self.send(
                            {"type": "typing", "author": "bot", "on": False}
                        )
                    if fresh or entries:
                        self.read_view = await self.conversations.view(
                            self.conversation_id
                        )
                while not await self.show_state(listener):
                    # The line is newer and this chat left it: where is it now?
                    self.read_view = await self.conversations.view(self.conversation_id)
            except RedisError as error:
                logger.warning("pump for %s paused: %r", self.conversation_id, error)
                redis_was_away = True
                await asyncio.sleep(0.5)
                listener.poke()
            except WebSocketDisconnect:
                return  # the client left; run() stops the rest
            except Exception:
                if not connected(self.ws):
                    return
                # Data we did not expect (or a bug): keep the connection alive
                # and try again; what failed is in the log.
                logger.exception("pump for %s failed", self.conversation_id)
                await asyncio.sleep(PUMP_RETRY_S)
                listener.poke()

    async def push_state(self, listener: Listener) -> bool:
        """The hub's way to show its latest line (``Listener.push``): at once, from
        the hub's task, unless something else is being sent (False: the hub wakes
        the pump, which shows it after that)."""
        if self._send_lock.locked():
            return False
        return await self.show_state(listener)

    async def show_state(self, listener: Listener) -> bool:
        """Send the state frame ``settle`` gives, unless the client has it already;
        False when only a fresh view of the chat can tell.

        Settled with the send lock held, so of the frames the pump and the hub send,
        the one settled last goes out last. A send cut short (the hub gave up on a
        client that stopped reading) leaves what the client shows unknown, so the
        next state frame goes out whatever it says.
        """
        async with self._send_lock:
            frame = self.settle(listener)
            if frame is None:
                return False
            if frame != self.view:
                self.view = frame
                try:
                    await self._write(frame)
                except asyncio.CancelledError:
                    self.view = None
                    raise
        return True

    def settle(self, listener: Listener) -> dict[str, Any] | None:
        """The state frame to show now: the newer of the last view read and the
        hub's latest line (``newest_view``); None when only a fresh view can tell.

        In the same step (no ``await`` here), the place it shows becomes the
        listener's ``shown``, before the frame goes out: a line the hub publishes
        after this is compared with exactly what this frame says, and one published
        before it is the line this frame came from. So no line can pass unseen.
        """
        view = newest_view(
            self.conversation_id,
            self.read_view,
            self.hub.line,
            self.conversations.queue.closed_until(),
        )
        if view is None:
            return None
        listener.shown = view.place
        return {"type": "state", **view.to_dict()}

    def concerned(self, changes: Changes) -> bool:
        """Whether a wake-up can change what this client sees. The hub wakes a
        widget for events of its own chat, for the line when its place moved, and
        for agents' changes (bot/live.py); a renamed agent matters only to a
        customer with a person. Skipping the rest saves the Redis reads."""
        if changes.resync or changes.conversations or changes.line:
            return True
        if not changes.events:
            return True  # the periodic re-check
        state = (self.view or {}).get("state")
        return any(
            event.ticket_id == self.conversation_id
            or (event.type is EventType.AGENT and state == TicketState.ASSIGNED.value)
            for event in changes.events
        )
