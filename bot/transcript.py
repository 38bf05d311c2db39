"""Every message of a conversation, whoever wrote it, in one Redis stream.

The same for the widget and Telegram: customer, bot, agent and system messages are
appended in order, each with a stream id that clients use as a cursor (resend after a
reconnect, no duplicates). A customer message carries the client's own message id;
appending it twice returns the first entry. Every append is announced on the
``{prefix}:live`` pub/sub channel, so any gateway process can push it to the customer's
open connection or to an agent's console. Customer messages get an emotion annotation
once it is known (the action server writes it in bot mode, the gateway while a person
owns the chat).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.handoff.keys import DEFAULT_RETENTION_S
from bot.handoff.scripts import FencedRun, fenced
from bot.rediskeys import TRANSCRIPT_MAX, AppKeys

# Conversations and their transcripts are kept ``retention_s`` (RETENTION_DAYS, by
# default DEFAULT_RETENTION_S) after the last message.

# KEYS: transcript stream, client-id hash, conversation hash (all in the
#       conversation's slot: bot/handoff/keys.py)
# ARGV: client id ('' for none), live channel, conversation id, maxlen, ttl (s),
#       now (ms), the fencing token whose claim this entry ends ('' for none:
#       scripts.fenced), then the entry's field/value pairs.
APPEND = r"""
local client_id = ARGV[1]
if ARGV[7] ~= '' then
  local ended = tonumber(redis.call('HGET', KEYS[3], 'claim_ended') or '0') or 0
  if tonumber(ARGV[7]) > ended then
    redis.call('HSET', KEYS[3], 'claim_ended', ARGV[7])
  end
end
if client_id ~= '' then
  local known = redis.call('HGET', KEYS[2], client_id)
  if known then return {known, 1} end
end
local fields = {}
for i = 8, #ARGV do fields[#fields + 1] = ARGV[i] end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', unpack(fields))
local ttl = tonumber(ARGV[5])
if client_id ~= '' then
  redis.call('HSET', KEYS[2], client_id, id)
  redis.call('EXPIRE', KEYS[2], ttl)
end
redis.call('HSET', KEYS[3], 'last_at', ARGV[6])
redis.call('HSETNX', KEYS[3], 'first_at', ARGV[6])
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[3], ttl)
redis.call('PUBLISH', ARGV[2], ARGV[3] .. ' ' .. id)
return {id, 0}
"""


class Author(StrEnum):
    """Who wrote a transcript entry."""

    CUSTOMER = "customer"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"


class Kind(StrEnum):
    """What a transcript entry is, beyond its text."""

    MESSAGE = "message"
    HANDOFF = "handoff"  # queued for a person (data: position, wait_s, availability)
    JOINED = "joined"  # an agent took the chat (agent_name)
    RELEASED = "released"  # back in the queue
    RESOLVED = "resolved"  # the agent closed it; the bot is back
    RATING_REQUEST = "rating_request"  # ask for CSAT and "did you feel understood?"
    RATED = "rated"  # the customer's ratings arrived


@dataclass
class Entry:
    """One transcript entry."""

    author: Author
    text: str
    kind: Kind = Kind.MESSAGE
    channel: str = ""
    client_id: str = ""
    agent_id: str = ""
    agent_name: str = ""
    buttons: list[dict[str, str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    at: float = 0.0  # UNIX seconds
    id: str = ""  # stream id, set once stored
    emotion: dict[str, Any] | None = None  # customer messages, once analysed

    def fields(self) -> list[str]:
        """Flat field/value pairs for XADD (empty values left out)."""
        values = {
            "author": self.author.value,
            "text": self.text,
            "kind": self.kind.value,
            "channel": self.channel,
            "client_id": self.client_id,
            "agent_id": self.agent_id,
            "agent_name": self.agent_name,
            "buttons": json.dumps(self.buttons) if self.buttons else "",
            "data": json.dumps(self.data) if self.data else "",
            "at": str(round(self.at * 1000)),
        }
        return [item for k, v in values.items() if v for item in (k, v)]

    @classmethod
    def from_stream(cls, entry_id: str, raw: dict[str, str]) -> Entry:
        """An entry read back from the stream."""
        return cls(
            author=Author(raw.get("author", "system")),
            text=raw.get("text", ""),
            kind=Kind(raw.get("kind", "message")),
            channel=raw.get("channel", ""),
            client_id=raw.get("client_id", ""),
            agent_id=raw.get("agent_id", ""),
            agent_name=raw.get("agent_name", ""),
            buttons=json.loads(raw["buttons"]) if raw.get("buttons") else [],
            data=json.loads(raw["data"]) if raw.get("data") else {},
            at=int(raw.get("at") or 0) / 1000,
            id=entry_id,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict for the widget and the console (customer-safe fields)."""
        out: dict[str, Any] = {
            "id": self.id,
            "author": self.author.value,
            "kind": self.kind.value,
            "text": self.text,
            "at": self.at,
        }
        if self.client_id:
            out["client_id"] = self.client_id
        if self.agent_name:
            out["agent_name"] = self.agent_name
        if self.buttons:
            out["buttons"] = self.buttons
        if self.data:
            out["data"] = self.data
        return out


def stream_id_after(a: str, b: str) -> bool:
    """Whether stream id ``a`` comes after ``b``."""

    def parts(value: str) -> tuple[int, int]:
        ms, _, seq = value.partition("-")
        return int(ms or 0), int(seq or 0)

    return parts(a) > parts(b)


def valid_cursor(value: object) -> bool:
    """Whether ``value`` looks like a stream id a client may send back."""
    if not isinstance(value, str) or len(value) > 40:
        return False
    ms, sep, seq = value.partition("-")
    return ms.isdigit() and (not sep or seq.isdigit()) and value.isascii()


LATEST_SCAN = 10  # entries read back to find a waiting customer's latest words


class Transcript:
    """Append to and read the transcripts of one deployment (one key prefix)."""

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "es",
        retention_s: int = DEFAULT_RETENTION_S,
    ) -> None:
        self.redis = client
        self.keys = AppKeys(prefix)
        self.retention_s = retention_s
        self._append = client.register_script(APPEND)
        self._append_fenced = client.register_script(fenced(APPEND))

    async def append(
        self,
        conversation_id: str,
        entry: Entry,
        *,
        fence: FencedRun | None = None,
        ends_claim: int | None = None,
    ) -> tuple[Entry, bool]:
        """Store ``entry``; returns it with its stream id, and whether it was a repeat.

        A customer message whose ``client_id`` was stored before is not stored
        again: the first entry's id comes back with ``True``. With ``fence``
        (``HandoffQueue.fence``), only while that claim holds (else the queue's
        refusal is raised and nothing is stored). ``ends_claim``: the entry tells
        the customer that the claim with this fencing token ended (resolved,
        released, transferred, reaped); no fenced write of that claim is stored
        after it (``scripts.fenced``).
        """
        k = self.keys
        entry.at = entry.at or time.time()
        info = k.conversation(conversation_id)
        keys = [k.transcript(conversation_id), k.client_ids(conversation_id), info]
        args = [
            entry.client_id,
            k.live,
            conversation_id,
            TRANSCRIPT_MAX,
            self.retention_s,
            round(entry.at * 1000),  # the conversation's first/last message times
            "" if ends_claim is None else int(ends_claim),
            *entry.fields(),
        ]
        if fence is None:
            reply = await self._append(keys=keys, args=args)
        else:
            reply = await fence(self._append_fenced, [info, *keys], args)
        entry_id = reply[0].decode() if isinstance(reply[0], bytes) else reply[0]
        entry.id = str(entry_id)
        return entry, bool(int(reply[1]))

    async def read(
        self, conversation_id: str, after: str = "", count: int = 1000
    ) -> list[Entry]:
        """Entries after stream id ``after`` (all when empty), oldest first."""
        start = f"({after}" if after else "-"
        raw = await self.redis.xrange(
            self.keys.transcript(conversation_id), min=start, count=count
        )
        entries = [Entry.from_stream(_s(i), _fields(f)) for i, f in raw]
        await self._annotate(conversation_id, entries)
        return entries

    async def last(self, conversation_id: str, count: int = 20) -> list[Entry]:
        """The latest ``count`` entries, oldest first."""
        raw = await self.redis.xrevrange(
            self.keys.transcript(conversation_id), count=count
        )
        entries = [Entry.from_stream(_s(i), _fields(f)) for i, f in reversed(raw)]
        await self._annotate(conversation_id, entries)
        return entries

    async def latest_said(
        self, conversation_ids: Sequence[str], scan: int = LATEST_SCAN
    ) -> dict[str, str]:
        """The text of each conversation's latest customer message (one round trip;
        looked for among its latest ``scan`` entries, "" when none is there)."""
        if not conversation_ids:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        for cid in conversation_ids:
            pipe.xrevrange(self.keys.transcript(cid), count=scan)
        found: dict[str, str] = {}
        for cid, raw in zip(conversation_ids, await pipe.execute(), strict=True):
            found[cid] = next(
                (
                    fields.get("text", "")
                    for fields in (_fields(f) for _, f in raw)
                    if fields.get("author") == Author.CUSTOMER.value
                    and fields.get("kind", "message") == Kind.MESSAGE.value
                ),
                "",
            )
        return found

    async def annotate(
        self, conversation_id: str, entry_id: str, emotion: dict[str, Any]
    ) -> None:
        """Attach the emotion analysis of a customer message to its entry."""
        key = self.keys.emotion(conversation_id)
        pipe = self.redis.pipeline(transaction=False)
        pipe.hset(key, entry_id, json.dumps(emotion))
        pipe.expire(key, self.retention_s)
        await pipe.execute()

    async def _annotate(self, conversation_id: str, entries: Sequence[Entry]) -> None:
        ids = [e.id for e in entries if e.author is Author.CUSTOMER]
        if not ids:
            return
        found = await self.redis.hmget(self.keys.emotion(conversation_id), ids)
        marks = dict(zip(ids, found, strict=True))
        for entry in entries:
            if raw := marks.get(entry.id):
                entry.emotion = json.loads(_s(raw))

    async def describe(self, conversation_id: str, **values: str) -> None:
        """Remember who the conversation is with (channel, name, customer ref)."""
        clean = {k: v for k, v in values.items() if v}
        if clean:
            key = self.keys.conversation(conversation_id)
            pipe = self.redis.pipeline(transaction=False)
            pipe.hset(key, mapping=clean)
            pipe.expire(key, self.retention_s)
            await pipe.execute()

    async def handles(self, conversation_ids: Sequence[str]) -> dict[str, str]:
        """The customer's handle on the channel (a Telegram @username) of each
        conversation that has one (one round trip)."""
        if not conversation_ids:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        for cid in conversation_ids:
            pipe.hget(self.keys.conversation(cid), "customer_handle")
        found = await pipe.execute()
        return {
            cid: _s(handle)
            for cid, handle in zip(conversation_ids, found, strict=True)
            if handle
        }

    async def about(self, conversation_id: str) -> dict[str, str]:
        """What ``describe`` stored, with first and last message times (ms)."""
        raw = await self.redis.hgetall(self.keys.conversation(conversation_id))
        return _fields(raw)


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _fields(raw: dict[Any, Any]) -> dict[str, str]:
    return {_s(k): _s(v) for k, v in raw.items()}
