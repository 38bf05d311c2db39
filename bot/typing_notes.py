"""Typing indicators both ways: "Alex is typing…" for the customer (in the widget,
and as Telegram's ``typing`` chat action), "customer is typing…" for the agent who
holds the chat.

A typing event travels the way a transcript entry's note does: on the
``{prefix}:live`` pub/sub channel that every gateway's hub follows (bot/live.py), so
the gateway that holds the other side's connection hears it, whichever gateway the
typist is connected to. Its note is ``typing <side> <conversation id> <stamp ms>``;
the hub hands it to the listeners of that conversation and of all of them
(``Changes.typing``): the widget shows an agent's typing (bot/widget_socket.py), the
console a customer's (bot/console/socket.py), the Telegram outbox turns an agent's
into ``sendChatAction`` (bot/telegram_outbox.py). Nothing is written to the
transcript; a typing event is gone once it was shown.

Throttled twice, at most one event per ``EVERY_S`` per conversation and side:

1. per connection, in memory (``LocalThrottle``): a client that sends typing frames
   in a loop costs no Redis command beyond one per ``EVERY_S``;
2. across gateways, in Redis (``Typing.announce``, one script): the last stamp of the
   conversation and side (``{<c>}:typing:<side>``, PX ``EVERY_S``) refuses a note
   less than ``EVERY_S`` after it, so two tabs or two gateways cannot double it.

Both take the time from the clock they are given, so the tests move it by hand.
The receiving side shows an indicator for ``SHOW_S`` unless another event renews it
or a message of that side arrives: a typist who goes quiet is not shown for ever.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from redis.exceptions import RedisError

from bot.handoff import HandoffError, Ticket, TicketState
from bot.handoff.keys import valid_id
from bot.rediskeys import AppKeys
from bot.widget_protocol import FrameError

logger = logging.getLogger(__name__)

EVERY_S = 3.0  # at most one typing event per conversation and side this often
SHOW_S = 6.0  # how long a client shows an indicator that is not renewed
NOTE_PREFIX = "typing "
TELEGRAM_CLAIM_PX = 60_000  # how long the last note sent to Telegram is remembered

# KEYS: the conversation's typing key of one side.
# ARGV: now (ms), every (ms), live channel, note.
ANNOUNCE = """
local last = tonumber(redis.call('GET', KEYS[1]) or '')
local now = tonumber(ARGV[1])
if last and now - last < tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
"""


class Side(StrEnum):
    """Who is typing."""

    AGENT = "agent"
    CUSTOMER = "customer"


@dataclass(frozen=True)
class TypingNote:
    """One typing event as it travels on the live channel."""

    side: Side
    conversation_id: str
    stamp: int  # ms on the announcing gateway's clock; tells two notes apart

    def text(self) -> str:
        """The note as published."""
        return f"{NOTE_PREFIX}{self.side.value} {self.conversation_id} {self.stamp}"

    @classmethod
    def parse(cls, text: str) -> TypingNote | None:
        """The note ``text`` is, or None when it is not a (well-formed) typing note."""
        if not text.startswith(NOTE_PREFIX):
            return None
        parts = text[len(NOTE_PREFIX) :].split(" ")
        if len(parts) != 3 or not parts[1] or not parts[2].isdigit():
            return None
        try:
            side = Side(parts[0])
        except ValueError:
            return None
        return cls(side, parts[1], int(parts[2]))


class LocalThrottle:
    """At most one pass per key every ``every_s`` on ``clock``, in memory (one per
    connection: what it refuses never reaches Redis)."""

    def __init__(
        self, every_s: float = EVERY_S, clock: Callable[[], float] = time.time
    ) -> None:
        self.every_s = every_s
        self.clock = clock
        self._last: dict[str, float] = {}

    def allow(self, key: str) -> bool:
        """Whether an event for ``key`` may go on now (and if so, note it)."""
        now = self.clock()
        last = self._last.get(key)
        if last is not None and 0 <= now - last < self.every_s:
            return False
        if len(self._last) > 100:  # a console follows at most a few dozen chats
            self._last.clear()
        self._last[key] = now
        return True


class Typing:
    """Announces typing events on the live channel, throttled across gateways."""

    def __init__(
        self,
        client: Any,
        keys: AppKeys,
        clock: Callable[[], float] = time.time,
        every_s: float = EVERY_S,
    ) -> None:
        self.redis = client
        self.keys = keys
        self.clock = clock
        self.every_s = every_s
        self._announce = client.register_script(ANNOUNCE)

    def throttle(self) -> LocalThrottle:
        """A connection's own throttle, on the same clock."""
        return LocalThrottle(self.every_s, self.clock)

    async def announce(self, conversation_id: str, side: Side) -> bool:
        """Publish that ``side`` is typing in the conversation; False when one was
        published less than ``every_s`` ago (by any gateway)."""
        stamp = round(self.clock() * 1000)
        note = TypingNote(side, conversation_id, stamp)
        published = await self._announce(
            keys=[self.keys.typing(conversation_id, side.value)],
            args=[stamp, round(self.every_s * 1000), self.keys.live, note.text()],
        )
        return bool(int(published))


async def claim_for_telegram(client: Any, keys: AppKeys, note: TypingNote) -> bool:
    """Whether this gateway's outbox is the one to send ``note`` to Telegram: every
    gateway hears it, the first to swap its stamp in sends it."""
    before = await client.set(
        keys.telegram_typing(note.conversation_id),
        str(note.stamp),
        px=TELEGRAM_CLAIM_PX,
        get=True,
    )
    return before != str(note.stamp)


class WidgetTyping:
    """A widget connection's customer typing: ``{"type": "typing"}`` frames,
    announced while a person has the chat (the bot does not read them)."""

    def __init__(self, typing: Typing) -> None:
        self.typing = typing
        self.throttle = typing.throttle()

    async def typed(
        self, frame: dict[str, Any], conversation_id: str, view: dict[str, Any] | None
    ) -> None:
        """Announce the customer's typing; FrameError for a malformed frame."""
        if set(frame) != {"type"}:
            raise FrameError("invalid_frame", 'a typing frame is {"type": "typing"}')
        if (view or {}).get("state") != "assigned":
            return  # no person to show it to
        if not self.throttle.allow(conversation_id):
            return
        try:
            await self.typing.announce(conversation_id, Side.CUSTOMER)
        except RedisError as error:  # an indicator is not worth an error frame
            logger.info("customer typing not announced: %r", error)


class ConsoleTyping:
    """A console connection's agent typing: ``{"type": "typing", "conversation":
    id}`` frames, only for a chat the agent holds."""

    def __init__(self, typing: Typing) -> None:
        self.typing = typing
        self.throttle = typing.throttle()

    async def typed(
        self,
        frame: dict[str, Any],
        agent_id: str,
        held: set[str],
        ticket: Callable[[str], Any],
    ) -> None:
        """Announce the agent's typing; FrameError for a malformed frame or a chat
        the agent does not hold (``held`` first, then the ticket itself, read with
        ``ticket``, once per ``EVERY_S``)."""
        cid = frame.get("conversation")
        if set(frame) != {"type", "conversation"} or not valid_id(cid):
            raise FrameError(
                "invalid_frame",
                'a typing frame is {"type": "typing", "conversation": <chat id>}',
            )
        assert isinstance(cid, str)
        if cid not in held:
            raise FrameError("forbidden", "you can only type in a chat you hold")
        if not self.throttle.allow(cid):
            return
        try:
            found: Ticket | None = await ticket(cid)
        except (HandoffError, RedisError):
            found = None
        if (
            found is None
            or found.state is not TicketState.ASSIGNED
            or found.agent_id != agent_id
        ):
            raise FrameError("forbidden", "you can only type in a chat you hold")
        try:
            await self.typing.announce(cid, Side.AGENT)
        except RedisError as error:
            logger.info("agent typing not announced: %r", error)


def widget_frame(
    notes: list[TypingNote], view: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The widget's ``typing`` frame for these notes of its chat: an agent typing,
    while a person has the chat; None when there is nothing to show."""
    if not any(note.side is Side.AGENT for note in notes):
        return None
    if (view or {}).get("state") != "assigned":
        return None
    return {
        "type": "typing",
        "author": "agent",
        "on": True,
        "name": (view or {}).get("agent_name") or "",
        "for_s": SHOW_S,
    }


def console_frames(notes: list[TypingNote], held: set[str]) -> list[dict[str, Any]]:
    """The console's ``typing`` frames for these notes: a customer typing in a chat
    this agent holds (one frame per chat)."""
    chats = {
        note.conversation_id
        for note in notes
        if note.side is Side.CUSTOMER and note.conversation_id in held
    }
    return [
        {"type": "typing", "conversation": cid, "author": "customer", "for_s": SHOW_S}
        for cid in sorted(chats)
    ]
