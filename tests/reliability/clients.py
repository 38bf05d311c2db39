"""The people around the stack under fault: widget customers and an agent.

``Customer`` speaks the widget protocol of bot/widget_protocol.py the way the real
widget does (with the frames of bot/ops/widget.py, whose ``Widget`` does not reconnect):
a client id per message, the last entry id it saw as the cursor, and after a dropped
socket (or an error frame with ``retry: true``) it reconnects, to the next gateway if
its own is gone, and sends again every message whose echo it has not seen. It talks like
a person: one message, then it waits for the answer (a bot, system or agent reply)
before the next.

``Agent`` does what the console does, through ``Conversations`` on the same Redis and
Rasa (claim, reply, resolve), retrying while Redis is away.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import websockets
from redis.exceptions import RedisError
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from bot.conversations import Conversations
from bot.handoff import Agent as AgentRecord
from bot.handoff import HandoffError, Presence, TicketState
from bot.ops.widget import hello, ws_url
from bot.transcript import Author, Entry, Kind, stream_id_after

logger = logging.getLogger(__name__)

REPLY_KINDS = {"message", "handoff"}  # entries that answer a customer message
ASK_TIMEOUT_S = 90.0
RESEND_AFTER_S = 1.0
T = TypeVar("T")


@dataclass
class Sent:
    """One customer message and what the client saw of it."""

    client_id: str
    text: str
    echo: str = ""  # entry id of the echo (the server stored it)
    echo_at: float = 0.0  # when the client saw it (time.monotonic)
    reply: dict[str, Any] | None = None  # the first answer after the echo
    reply_at: float = 0.0  # when the client saw it (time.monotonic)


@dataclass
class Customer:
    """A widget client that survives dropped sockets and gateway deaths."""

    urls: list[str]
    name: str = "Customer"
    session: str | None = None
    conversation: str = ""
    cursor: str = ""
    sent: list[Sent] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)
    state: str = "bot"
    retry_errors: int = 0
    reconnects: int = 0
    problems: list[str] = field(default_factory=list)  # what looked wrong, if anything
    frames: Counter[str] = field(default_factory=Counter)  # received, by type
    _url: int = 0
    _ws: Any = None
    _task: asyncio.Task[None] | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _connected: asyncio.Event = field(default_factory=asyncio.Event)
    _resend: asyncio.TimerHandle | None = None
    _closing: bool = False

    async def start(self, timeout: float = 60) -> None:
        """Connect (in the background from now on) and wait for the welcome."""
        self._task = asyncio.create_task(self._run(), name=f"customer-{self.name}")
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def close(self) -> None:
        """Leave."""
        self._closing = True
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    # -- connection ---------------------------------------------------------------

    async def _run(self) -> None:
        delay = 0.2
        while not self._closing:
            url = self.urls[self._url % len(self.urls)]
            try:
                async with websockets.connect(ws_url(url), open_timeout=10) as ws:
                    first = hello(
                        self.session, after=self.cursor or None, name=self.name
                    )
                    await ws.send(json.dumps(first))
                    welcome = json.loads(await asyncio.wait_for(ws.recv(), 30))
                    if welcome.get("type") != "welcome":
                        raise ConnectionError(f"no welcome: {welcome}")
                    self.session = welcome["session"]
                    self.conversation = welcome["conversation"]
                    self._ws = ws
                    self._connected.set()
                    delay = 0.2
                    await self._send_unechoed()
                    async for raw in ws:
                        try:
                            self._frame(json.loads(raw))
                        except Exception as error:  # noqa: BLE001 - see problems
                            self.problems.append(f"frame {raw[:200]!r}: {error!r}")
            except asyncio.CancelledError:
                raise
            except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError) as error:
                logger.info("%s: connection lost (%r)", self.name, error)
            except ConnectionError as error:
                logger.info("%s: %s", self.name, error)
            except Exception as error:  # noqa: BLE001 - a bug here must not hang
                self.problems.append(f"client failed: {error!r}")
            self._ws = None
            self._connected.clear()
            if self._closing:
                return
            self.reconnects += 1
            self._url += 1  # try the other gateway next
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def _send_unechoed(self) -> None:
        """Send every message whose echo has not come back (the server dedupes)."""
        ws = self._ws
        if ws is None:
            return
        for sent in self.sent:
            if not sent.echo:
                with contextlib.suppress(ConnectionClosed, OSError):
                    await ws.send(
                        json.dumps(
                            {"type": "message", "id": sent.client_id, "text": sent.text}
                        )
                    )

    def _resend_later(self) -> None:
        if self._resend is not None:
            return

        def fire() -> None:
            self._resend = None
            asyncio.ensure_future(self._send_unechoed())

        self._resend = asyncio.get_running_loop().call_later(RESEND_AFTER_S, fire)

    def _frame(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        self.frames[str(kind)] += 1
        if kind == "entry":
            entry = frame["entry"]
            if self.cursor and not stream_id_after(entry["id"], self.cursor):
                self.problems.append(f"entry {entry['id']} after {self.cursor}")
                return
            self.cursor = entry["id"]
            self.entries.append(entry)
            self._entry(entry)
        elif kind == "state":
            self.state = frame["state"]
        elif kind == "error":
            if frame.get("retry") or frame.get("code") == "rate_limited":
                self.retry_errors += 1
                self._resend_later()
            else:
                logger.warning("%s: error frame %s", self.name, frame)
        self._changed.set()

    def _entry(self, entry: dict[str, Any]) -> None:
        if entry["author"] == "customer":
            for sent in self.sent:
                if sent.client_id == entry.get("client_id") and not sent.echo:
                    sent.echo = entry["id"]
                    sent.echo_at = time.monotonic()
            return
        if entry["kind"] not in REPLY_KINDS:
            return
        waiting = [s for s in self.sent if s.echo and s.reply is None]
        if waiting and stream_id_after(entry["id"], waiting[-1].echo):
            waiting[-1].reply = entry
            waiting[-1].reply_at = time.monotonic()

    # -- talking ------------------------------------------------------------------

    async def ask(self, text: str, timeout: float = ASK_TIMEOUT_S) -> Sent:
        """Send ``text`` and wait for the answer (``reply`` stays None on timeout)."""
        sent = Sent(uuid.uuid4().hex, text)
        self.sent.append(sent)
        if self._ws is not None:
            with contextlib.suppress(ConnectionClosed, OSError):
                await self._ws.send(
                    json.dumps({"type": "message", "id": sent.client_id, "text": text})
                )
        before = dict(self.frames)
        if not await self.until(lambda: sent.reply is not None, timeout):
            seen = {k: v - before.get(k, 0) for k, v in self.frames.items()}
            self.problems.append(
                f"no answer to {text!r} ({sent.client_id}, echo {sent.echo or '-'}) "
                f"in {timeout:.0f} s; frames meanwhile {seen}; "
                f"connected {self._ws is not None}"
            )
        return sent

    async def until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``condition()`` holds (re-checked on every frame)."""
        deadline = time.monotonic() + timeout
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 1.0))
        return True

    def in_flight(self) -> bool:
        """Whether a message was stored (echoed) but its answer has not come."""
        return any(s.echo and s.reply is None for s in self.sent)

    def replies(self) -> int:
        """Answers seen so far."""
        return sum(1 for s in self.sent if s.reply is not None)


async def retrying(
    call: Callable[[], Awaitable[T]], timeout: float = 120, what: str = ""
) -> T:
    """``call()`` again while Redis is away (connection errors), up to ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await call()
        except (RedisError, OSError) as error:
            if time.monotonic() > deadline:
                raise
            logger.info("retrying %s: %r", what, error)
            await asyncio.sleep(0.5)


@dataclass
class Agent:
    """A person at the console: claims, answers every customer message, resolves."""

    conversations: Conversations
    name: str = "Robin"
    agent_id: str = field(default_factory=lambda: "agent-" + secrets.token_hex(3))
    tokens: dict[str, int] = field(default_factory=dict)  # held chats
    joined: dict[str, str] = field(default_factory=dict)  # chat -> "joined" entry id
    # (chat, entry id) of answered customer messages: stream ids are per chat, and
    # two chats often store a message in the same millisecond (the same id).
    answered: set[tuple[str, str]] = field(default_factory=set)
    resolves: dict[str, int] = field(default_factory=dict)  # chat -> times resolved
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> None:
        """Go online; keep the presence alive and answer held chats."""
        queue = self.conversations.queue
        await retrying(
            lambda: queue.register_agent(AgentRecord(self.agent_id, self.name, 50))
        )
        await retrying(lambda: queue.set_presence(self.agent_id, Presence.ONLINE))
        self._tasks = [
            asyncio.create_task(self._heartbeat()),
            asyncio.create_task(self._answer()),
        ]

    async def stop(self) -> None:
        """Go away."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _heartbeat(self) -> None:
        while True:
            with contextlib.suppress(RedisError, OSError, HandoffError):
                await self.conversations.queue.heartbeat(self.agent_id)
            await asyncio.sleep(3)

    async def _answer(self) -> None:
        """Reply to every customer message that arrives while the agent holds a chat."""
        transcript = self.conversations.transcript
        while True:
            for cid, token in list(self.tokens.items()):
                try:
                    entries = await transcript.read(cid, after=self.joined[cid])
                    for entry in entries:
                        if entry.author is not Author.CUSTOMER:
                            continue
                        if (cid, entry.id) in self.answered:
                            continue
                        await self.conversations.agent_message(
                            self.agent_id, cid, token, f"{self.name} here: noted."
                        )
                        self.answered.add((cid, entry.id))
                except (RedisError, OSError):
                    pass
                except HandoffError as error:
                    logger.warning("agent lost %s: %r", cid, error)
                    self.tokens.pop(cid, None)
                except Exception:
                    logger.exception("agent failed on %s", cid)
                    raise
            await asyncio.sleep(0.3)

    async def claim(self, cid: str) -> int:
        """Take the chat (idempotent across a lost reply while Redis was away)."""
        conv = self.conversations

        async def take() -> int:
            try:
                claim = await conv.claim(self.agent_id, cid)
                return claim.token
            except HandoffError:
                ticket = await conv.queue.ticket(cid)
                if ticket.state is TicketState.ASSIGNED and (
                    ticket.agent_id == self.agent_id
                ):
                    return ticket.token  # the first try went through
                raise

        token = await retrying(take, what=f"claim {cid}")
        # Answer from the announcement on: messages after it reach an agent.
        recent = await retrying(lambda: conv.transcript.last(cid, 20))
        joined = [e for e in recent if e.kind is Kind.JOINED]
        self.joined[cid] = (joined or recent)[-1].id
        self.tokens[cid] = token
        return token

    async def resolve(self, cid: str) -> None:
        """Close the chat: the bot is back and asks for ratings."""
        token = self.tokens.pop(cid)
        conv = self.conversations

        async def close() -> None:
            try:
                await conv.resolve(self.agent_id, cid, token)
            except HandoffError:
                if await conv.queue.state(cid) is not TicketState.RESOLVED:
                    raise

        await retrying(close, what=f"resolve {cid}")
        self.resolves[cid] = self.resolves.get(cid, 0) + 1


def unanswered(entries: list[Entry]) -> list[str]:
    """The customer messages of a transcript that no reply follows, with context."""
    found = []
    for i, entry in enumerate(entries):
        if entry.author is not Author.CUSTOMER:
            continue
        after = []
        for later in entries[i + 1 :]:
            if later.author is Author.CUSTOMER:
                break
            after.append(later)
        if not any(e.kind.value in REPLY_KINDS for e in after):
            context = ", ".join(f"{e.author.value}/{e.kind.value}" for e in after)
            found.append(f"{entry.id} {entry.text!r} then [{context}]")
    return found


def replied(entries: list[Entry]) -> tuple[int, int, int, int]:
    """Customer messages in a transcript: (stored, answered, by the bot, apologies).

    A customer message counts as answered when a bot, system or agent reply (kind
    message or handoff) follows it before the next customer message.
    """
    stored = answered = by_bot = apologies = 0
    for i, entry in enumerate(entries):
        if entry.author is not Author.CUSTOMER:
            if entry.data.get("reason") == "bot_unavailable":
                apologies += 1
            continue
        stored += 1
        for later in entries[i + 1 :]:
            if later.author is Author.CUSTOMER:
                break
            if later.kind.value in REPLY_KINDS:
                answered += 1
                by_bot += later.author is Author.BOT
                break
    return stored, answered, by_bot, apologies
