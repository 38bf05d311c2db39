"""The console's live connection, ``/console/ws``.

Authenticated by the session cookie; the Origin must be this site (a page elsewhere
cannot open it with the agent's cookie). Refused connections get HTTP 403 before the
upgrade. Protocol (JSON text frames)::

    server <- {"type": "queue", "items": [...]}        the waiting chats, best first,
                                                       whenever they change
    server <- {"type": "me", ...}                      presence and held chats (GET me)
    server <- {"type": "entry", "conversation": id, "entry": {...}}
                                                       new transcript entries of the
                                                       agent's chats and watched ones
    server <- {"type": "event", "event": {type, ticket, agent, state}}
                                                       queue events about those chats
    server <- {"type": "unwatched", "conversation": id}
                                                       no more live entries of this
                                                       chat (taken by someone else,
                                                       resolved, not followable)
    client -> {"type": "watch", "conversation": id, "after": stream id}
    client -> {"type": "unwatch", "conversation": id}
    client -> {"type": "typing", "conversation": id}  the agent is typing in a
                                                       chat they hold (the customer
                                                       sees it; bot/typing_notes.py)
    server <- {"type": "typing", "conversation": id, "author": "customer",
               "for_s": seconds}                       the customer is typing in a
                                                       held chat
    client -> {"type": "ping"}                         server <- {"type": "pong"}
    server <- {"type": "error", "code": "...", "message": "..."}

An agent follows a chat live while it waits or while they hold it; supervisors follow
any. Access is checked again before every batch of entries and after every claim,
transfer, release, resolve or reap of a followed chat, so entries stop when another
agent takes the chat, when it is resolved, and they never flow into a later handoff
of the same customer. While the socket is open the server renews the agent's presence
and chat leases (heartbeat). When the session ends (sign-out elsewhere) the socket
closes with 4401.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from redis.exceptions import RedisError

from bot.console.api import me_dict
from bot.console.deps import Console, Principal, console_of, same_origin
from bot.console.views import entry_dict, may_follow, may_read, queue_items
from bot.handoff import EventType, HandoffError, Ticket, UnknownTicket
from bot.handoff.keys import valid_id
from bot.live import Listener, connected, run_beside
from bot.transcript import valid_cursor
from bot.typing_notes import ConsoleTyping, console_frames
from bot.widget_protocol import FrameError

logger = logging.getLogger(__name__)

router = APIRouter()

HEARTBEAT_S = 10.0
REFRESH_S = 15.0  # the queue is re-sent this often (priorities age)
MAX_FRAME = 16 * 1024
MAX_WATCHED = 20
CLOSE_SIGNED_OUT = 4401
CLAIM_MARGIN_S = 2.0  # a new chat's live entries start this long before its claim
# Events after which someone else may (or may no longer) follow the chat.
ACCESS_EVENTS = frozenset(
    {
        EventType.ENQUEUED,
        EventType.CLAIMED,
        EventType.TRANSFERRED,
        EventType.RELEASED,
        EventType.RESOLVED,
        EventType.REAPED,
    }
)


class ConsoleSocket:
    """One open console tab."""

    def __init__(self, ws: WebSocket, console: Console, who: Principal) -> None:
        self.ws = ws
        self.console = console
        self.who = who
        self.cursors: dict[str, str] = {}  # conversation -> last entry id sent
        self.watched: dict[str, None] = {}  # watched chats, oldest first
        self.held: set[str] = set()
        self.last_queue: list[dict[str, Any]] | None = None
        self._lock = asyncio.Lock()
        self.typing = ConsoleTyping(console.typing)  # bot/typing_notes.py

    async def send(self, frame: dict[str, Any]) -> None:
        """Send one frame."""
        async with self._lock:
            await self.ws.send_text(json.dumps(frame, ensure_ascii=False))

    async def run(self) -> None:
        """Serve until the tab closes or the session ends."""
        with self.console.hub.listen(None) as listener:
            await run_beside(
                self.read(listener), self.pump(listener), self.beat(listener)
            )

    async def read(self, listener: Listener) -> None:
        """Handle the tab's frames."""
        while True:
            message = await self.ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None or len(text) > MAX_FRAME:
                await self.error("invalid_frame", "send JSON text frames under 16 kB")
                continue
            try:
                frame = json.loads(text)
            except (ValueError, RecursionError):  # RecursionError: nested too deeply
                await self.error("invalid_json", "the frame is not valid JSON")
                continue
            if not isinstance(frame, dict):
                await self.error("invalid_frame", "a frame is a JSON object")
                continue
            await self.dispatch(frame, listener)

    async def dispatch(self, frame: dict[str, Any], listener: Listener) -> None:
        """Act on one frame."""
        kind = frame.get("type")
        if kind == "ping":
            await self.send({"type": "pong"})
        elif kind == "watch":
            cid, after = frame.get("conversation"), frame.get("after") or ""
            if (
                not isinstance(cid, str)
                or not valid_id(cid)
                or not (after == "" or valid_cursor(after))
            ):
                await self.error("invalid_frame", "watch needs a conversation id")
                return
            ticket = await self.ticket(cid)
            if ticket is None or not may_read(ticket, self.who):
                await self.error("forbidden", "you may not follow this chat")
                return
            if not may_follow(ticket, self.who):  # readable, but its episode is over
                await self.send({"type": "unwatched", "conversation": cid})
                return
            self.watched.pop(cid, None)
            while len(self.watched) >= MAX_WATCHED:  # the oldest watch goes
                oldest = next(iter(self.watched))
                self.unwatch(oldest)
                if oldest not in self.cursors:
                    await self.send({"type": "unwatched", "conversation": oldest})
            self.watched[cid] = None
            self.cursors[cid] = after
            listener.poke()
        elif kind == "typing":
            try:
                await self.typing.typed(frame, self.who.id, self.held, self.ticket)
            except FrameError as error:
                await self.error(error.code, error.message)
        elif kind == "unwatch":
            cid = frame.get("conversation")
            if isinstance(cid, str):
                self.unwatch(cid)
        else:
            await self.error("invalid_frame", "unknown frame type")

    def unwatch(self, cid: str) -> None:
        """Stop watching a chat (its cursor goes too unless the agent holds it)."""
        self.watched.pop(cid, None)
        if cid not in self.held:
            self.cursors.pop(cid, None)

    async def ticket(self, cid: str) -> Ticket | None:
        """The chat's ticket, or None when there is none."""
        try:
            return await self.console.queue.ticket(cid)
        except (UnknownTicket, HandoffError):
            return None

    async def followable(self, cids: set[str]) -> set[str]:
        """Which of these chats this agent may follow live now (one round trip)."""
        if not cids:
            return set()
        tickets = await self.console.queue.tickets(sorted(cids))
        return {t.id for t in tickets if may_follow(t, self.who)}

    async def stop_following(self, cid: str) -> None:
        """Drop the chat's watch and cursor and tell the tab."""
        self.watched.pop(cid, None)
        self.held.discard(cid)
        if self.cursors.pop(cid, None) is not None:
            await self.send({"type": "unwatched", "conversation": cid})

    async def recheck(self, cids: set[str]) -> None:
        """Stop following those of ``cids`` this agent may no longer follow."""
        cids &= set(self.cursors)
        allowed = await self.followable(cids)
        for cid in cids - allowed:
            await self.stop_following(cid)

    async def error(self, code: str, message: str) -> None:
        """Tell the tab what was wrong."""
        await self.send({"type": "error", "code": code, "message": message})

    async def pump(self, listener: Listener) -> None:
        """Push queue changes and new entries as they happen."""
        first = True
        while True:
            changes = None if first else await listener.wait(REFRESH_S)
            if changes is not None and changes.typing:
                # A customer typing in a held chat: shown at once, no Redis read.
                for frame in console_frames(changes.typing, self.held):
                    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                        await self.send(frame)
                if changes.only_typing:
                    continue
            try:
                resync = changes is None or changes.resync
                if resync or (changes and changes.events) or not changes_any(changes):
                    items = await queue_items(self.console)
                    if items != self.last_queue or resync:
                        self.last_queue = items
                        await self.send({"type": "queue", "items": items})
                fresh: set[str] = set()
                for event in changes.events if changes else []:
                    if (
                        event.type is EventType.CLAIMED
                        and event.agent_id == self.who.id
                        and event.ticket_id not in self.cursors
                    ):
                        # entries from just before the claim on; the page drops repeats
                        self.cursors[event.ticket_id] = await self.cursor_before(
                            event.ticket_id, event.at - CLAIM_MARGIN_S
                        )
                        fresh.add(event.ticket_id)
                if resync or (changes and _about(changes.events, self.who.id)):
                    me = await me_dict(self.console, self.who)
                    me.pop("csrf", None)
                    await self.send({"type": "me", **me})
                    self.held = {c["id"] for c in me["chats"]}
                    for cid in self.held:
                        if cid not in self.cursors:
                            last = await self.console.transcript.last(cid, 1)
                            self.cursors[cid] = last[-1].id if last else ""
                if changes is not None:
                    for event in changes.events:
                        if event.ticket_id in self.cursors:
                            await self.send(
                                {
                                    "type": "event",
                                    "event": {
                                        "type": event.type.value,
                                        "ticket": event.ticket_id,
                                        "agent": event.agent_id,
                                        "state": event.state,
                                    },
                                }
                            )
                for cid in set(self.cursors) - self.held - set(self.watched):
                    await self.stop_following(cid)  # no longer held, not watched
                if resync:
                    await self.recheck(set(self.cursors))
                elif changes is not None:
                    await self.recheck(
                        {e.ticket_id for e in changes.events if e.type in ACCESS_EVENTS}
                    )
                todo = fresh | (
                    set(self.cursors)
                    if resync
                    else (
                        set(changes.conversations) & set(self.cursors)
                        if changes
                        else set()
                    )
                )
                await self.push_entries(todo)
            except RedisError as error:
                logger.warning("console pump paused: %r", error)
                await asyncio.sleep(0.5)
                listener.poke()
            except WebSocketDisconnect:
                return  # the agent left; the reader stops the rest
            except Exception:
                if not connected(self.ws):
                    return
                # Data we did not expect (or a bug): the agent's connection stays
                # up and tries again; what failed is in the log.
                logger.exception("console pump failed")
                await asyncio.sleep(2.0)
                listener.poke()
            first = False

    async def cursor_before(self, cid: str, at: float) -> str:
        """The id of the chat's last entry written before ``at`` ('' for none)."""
        found = await self.console.redis.xrevrange(
            self.console.keys.transcript(cid),
            max=str(max(0, round(at * 1000))),
            count=1,
        )
        return str(found[0][0]) if found else ""

    async def push_entries(self, cids: set[str]) -> None:
        """Send the chats' entries after their cursors, where still allowed.

        Access is checked after the entries were read, so an entry written after
        another agent took the chat (or after it was resolved) is never sent.
        """
        batches = {}
        for cid in sorted(cids):
            if cid in self.cursors:
                after = self.cursors[cid]
                if entries := await self.console.transcript.read(cid, after=after):
                    batches[cid] = entries
        if not batches:
            return
        allowed = await self.followable(set(batches))
        for cid, entries in batches.items():
            if cid not in allowed:
                await self.stop_following(cid)
                continue
            for entry in entries:
                if cid not in self.cursors:  # unwatched meanwhile
                    break
                await self.send(
                    {"type": "entry", "conversation": cid, "entry": entry_dict(entry)}
                )
                self.cursors[cid] = entry.id

    async def beat(self, listener: Listener) -> None:
        """Keep presence and leases alive; close when the session has ended."""
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            session = await self.console.sessions.get(self.who.token)
            if session is None:
                await self.ws.close(CLOSE_SIGNED_OUT, "signed out")
                return
            with contextlib.suppress(HandoffError, RedisError):
                await self.console.queue.heartbeat(self.who.id)


def changes_any(changes: Any) -> bool:
    """Whether a wake-up carried anything (else it was the periodic refresh)."""
    return bool(changes and (changes.events or changes.conversations or changes.resync))


def _about(events: list[Any], agent_id: str) -> bool:
    return any(e.agent_id == agent_id or e.type.value == "transferred" for e in events)


@router.websocket("/console/ws")
async def console_socket(ws: WebSocket) -> None:
    """The console's live connection."""
    console = console_of(ws.app.state)
    origin = ws.headers.get("origin")
    if not same_origin(origin, ws.headers.get("host"), console.settings):
        await console.audit.anonymous("ws", "origin")
        await ws.close(1008)
        return
    token = ws.cookies.get(console.cookie_name)
    session = await console.sessions.get(token)
    account = await console.accounts.get(session.agent_id) if session else None
    if session is None or account is None or account.disabled:
        await ws.close(1008)
        return
    await ws.accept()
    with contextlib.suppress(WebSocketDisconnect):
        await ConsoleSocket(ws, console, Principal(account, session, token or "")).run()
