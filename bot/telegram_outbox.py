"""Telegram's outbound side: every bot, agent and system entry of a ``tg-`` chat, once.

Any gateway process may have written an entry (the agent console runs in all of
them), so delivery cannot belong to the process that received the customer's update.
Every gateway runs one ``Outbox``; it listens to the ``Hub`` for all conversations and
drains a ``tg-<chat id>`` conversation that has news:

1. take the chat's sender lock (``SET NX PX``, renewed while sending), so one process
   at a time sends to a chat; the others look again a little later;
2. read the transcript after the chat's cursor (a Redis hash that survives restarts);
3. send each bot, agent or system entry (customer entries are skipped) as plain text
   (no parse mode: nothing anyone typed becomes markup), split into parts of at most
   4096 characters at a paragraph, line, sentence or word (bot/telegram_render.py),
   at most one message per ``MIN_INTERVAL_S`` per chat. A 429 waits its
   ``retry_after`` and sends the same part again; network errors back off and retry;
   nothing is dropped;
4. after every part, move the cursor with a Lua script that refuses when the lock was
   lost, so a restart resumes right after the last part that went out.

An agent typing in the console (a typing note on the live channel,
bot/typing_notes.py) becomes Telegram's ``typing`` chat action, sent by the one
gateway that swaps the note's stamp in first.

Quick-reply buttons become a reply keyboard; a ``rating_request`` becomes inline
buttons 1-5 for satisfaction, then (bot/telegram.py) for "did you feel understood?"
(bot/telegram_render.py).

A sweep at start-up, after a Redis hiccup and every ``SWEEP_S`` re-checks the chats
that wrote within ``SWEEP_DAYS`` (``{p}:tg:chats``), so a missed wake-up is late, never
lost. Each part goes out exactly once across clean stops and restarts; only if a
process dies between Telegram accepting a part and the cursor write (or a send times
out unanswered) can that one part be sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import logging
import secrets
import time
import warnings
from typing import Any

from redis.exceptions import RedisError
from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.live import Hub
from bot.rediskeys import AppKeys
from bot.telegram_render import Outgoing, render
from bot.transcript import Transcript, stream_id_after
from bot.typing_notes import Side, TypingNote, claim_for_telegram

logger = logging.getLogger(__name__)

CID_PREFIX = "tg-"
MIN_INTERVAL_S = 1.0  # per chat (Telegram: about one message per second)
LOCK_MS = 30_000  # sender lock; renewed before every send and while waiting
LOCK_RETRY_S = 2.0  # another process holds the lock: look again this much later
BATCH = 100  # entries read at a time
SWEEP_S = 60.0
SWEEP_DAYS = 30
OUTBOX_GRACE_S = 7 * 86400  # a cursor outlives its transcript (RETENTION_DAYS) by this
STOP_GRACE_S = 10.0  # a stopping process finishes the part it is sending
MAX_BACKOFF_S = 30.0
# KEYS: lock. ARGV: token, px.
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
# KEYS: lock. ARGV: token.
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# KEYS: lock, outbox hash. ARGV: token, px, ttl (s), then field/value pairs.
ADVANCE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local values = {}
for i = 4, #ARGV do values[#values + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], unpack(values))
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""


class LockLost(Exception):
    """Another process took the chat's sender lock (ours had expired)."""


class Stopping(Exception):
    """The outbox is stopping: leave the chat where it is."""


def chat_id_of(conversation_id: str) -> int | None:
    """The Telegram chat id of a ``tg-<chat id>`` conversation (None for others)."""
    if not conversation_id.startswith(CID_PREFIX):
        return None
    try:
        return int(conversation_id[len(CID_PREFIX) :])
    except ValueError:
        return None


def retry_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds (an int or a timedelta, depending on PTB settings)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    return float(value)


class Outbox:
    """Sends the entries of every ``tg-`` conversation, once and in order."""

    def __init__(
        self, bot: Bot, client: Any, transcript: Transcript, hub: Hub, keys: AppKeys
    ) -> None:
        self.bot = bot
        self.redis = client
        self.transcript = transcript
        self.hub = hub
        self.keys = keys
        # Were the cursor to expire before the transcript, a chat quiet that long
        # would get its whole history sent again.
        self.ttl_s = transcript.retention_s + OUTBOX_GRACE_S
        self._renew = client.register_script(RENEW)
        self._release = client.register_script(RELEASE)
        self._advance = client.register_script(ADVANCE)
        self._running: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self._later: set[asyncio.TimerHandle] = set()
        self._typing: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- life cycle ----------------------------------------------------------------

    async def start(self) -> None:
        """Follow the hub and drain chats (call once, after the bot is initialised)."""
        self._task = asyncio.create_task(self._follow(), name="telegram-outbox")

    async def stop(self) -> None:
        """Let every chat finish the part it is sending, then stop."""
        self._stopping.set()
        for handle in self._later:
            handle.cancel()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        tasks = list(self._running.values())
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=STOP_GRACE_S)
            for task in late:
                task.cancel()
            for task in late:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def register(self, conversation_id: str) -> None:
        """Remember a Telegram chat for the sweeps (called on every inbound update)."""
        await self.redis.zadd(
            self.keys.telegram_chats, {conversation_id: round(time.time() * 1000)}
        )

    def kick(self, conversation_id: str) -> None:
        """Drain this chat soon (again, if it is being drained right now)."""
        if self._stopping.is_set() or chat_id_of(conversation_id) is None:
            return
        if conversation_id in self._running:
            self._again.add(conversation_id)
            return
        self._running[conversation_id] = asyncio.create_task(
            self._run(conversation_id), name=f"telegram-out-{conversation_id}"
        )

    def _kick_later(self, conversation_id: str, delay: float) -> None:
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._later.discard(handle)
            self.kick(conversation_id)

        handle = loop.call_later(delay, fire)
        self._later.add(handle)

    # -- waking up -----------------------------------------------------------------

    async def _follow(self) -> None:
        with self.hub.listen(None) as listener:
            next_sweep = 0.0
            while True:
                if time.monotonic() >= next_sweep:
                    await self.sweep()
                    next_sweep = time.monotonic() + SWEEP_S
                changes = await listener.wait(SWEEP_S)
                if changes.resync:
                    next_sweep = 0.0
                for conversation_id in changes.conversations:
                    self.kick(conversation_id)
                for note in changes.typing:
                    self.show_typing(note)

    def show_typing(self, note: TypingNote) -> None:
        """An agent typing in a Telegram chat: its ``typing`` chat action, sent by
        one gateway (the notes are already throttled: bot/typing_notes.py)."""
        chat_id = chat_id_of(note.conversation_id)
        if note.side is not Side.AGENT or chat_id is None or self._stopping.is_set():
            return
        task = asyncio.create_task(self._send_typing(note, chat_id))
        self._typing.add(task)
        task.add_done_callback(self._typing.discard)

    async def _send_typing(self, note: TypingNote, chat_id: int) -> None:
        try:
            if await claim_for_telegram(self.redis, self.keys, note):
                await self.bot.send_chat_action(chat_id, ChatAction.TYPING)
        except (RedisError, TelegramError) as error:  # a lost indicator is fine
            logger.info("typing not shown in %s: %r", note.conversation_id, error)

    async def sweep(self) -> None:
        """Drain every recent chat whose transcript is ahead of its cursor."""
        k = self.keys
        since = round((time.time() - SWEEP_DAYS * 86400) * 1000)
        try:
            await self.redis.zremrangebyscore(k.telegram_chats, "-inf", f"({since}")
            chats = await self.redis.zrangebyscore(k.telegram_chats, since, "+inf")
            for start in range(0, len(chats), 200):
                batch = [str(c) for c in chats[start : start + 200]]
                pipe = self.redis.pipeline(transaction=False)
                for conversation_id in batch:
                    pipe.xrevrange(k.transcript(conversation_id), count=1)
                    pipe.hget(k.telegram_outbox(conversation_id), "cursor")
                replies = await pipe.execute()
                for i, conversation_id in enumerate(batch):
                    newest, cursor = replies[2 * i], replies[2 * i + 1]
                    if newest and (
                        not cursor or stream_id_after(str(newest[0][0]), str(cursor))
                    ):
                        self.kick(conversation_id)
        except RedisError as error:
            logger.warning("telegram sweep failed (%r); will retry", error)

    # -- draining one chat ---------------------------------------------------------

    async def _run(self, conversation_id: str) -> None:
        try:
            while not self._stopping.is_set():
                self._again.discard(conversation_id)
                retry = await self._drain(conversation_id)
                if retry is not None:
                    self._kick_later(conversation_id, retry)
                    break
                if conversation_id not in self._again:
                    break
        except Exception:  # noqa: BLE001 - keep the outbox alive, look again soon
            logger.exception("telegram outbox failed for %s", conversation_id)
            self._kick_later(conversation_id, 5.0)
        finally:
            self._running.pop(conversation_id, None)

    async def _drain(self, conversation_id: str) -> float | None:
        """Send what is new; a delay to look again when that was not possible now."""
        k = self.keys
        try:
            cursor = await self.redis.hget(k.telegram_outbox(conversation_id), "cursor")
            pending = await self.transcript.read(
                conversation_id, after=str(cursor or ""), count=1
            )
            if not pending:
                return None
            token = secrets.token_hex(8)
            lock = k.telegram_lock(conversation_id)
            if not await self.redis.set(lock, token, nx=True, px=LOCK_MS):
                return LOCK_RETRY_S
        except RedisError as error:
            logger.warning("telegram outbox for %s paused (%r)", conversation_id, error)
            return 1.0
        try:
            await self._send_all(conversation_id, token)
        except Stopping:
            return None
        except LockLost:
            logger.warning(
                "lost the sender lock of %s; another process goes on", conversation_id
            )
            return LOCK_RETRY_S
        except RedisError as error:
            logger.warning("telegram outbox for %s paused (%r)", conversation_id, error)
            return 1.0
        finally:
            with contextlib.suppress(RedisError):
                await self._release(keys=[lock], args=[token])
        return None

    async def _send_all(self, conversation_id: str, token: str) -> None:
        chat_id = chat_id_of(conversation_id)
        assert chat_id is not None
        while not self._stopping.is_set():
            state = await self.redis.hgetall(self.keys.telegram_outbox(conversation_id))
            cursor = state.get("cursor", "")
            partial_id, _, partial_done = state.get("partial", "").partition(":")
            sent_at = int(state.get("sent_at") or 0) / 1000
            keyboard = state.get("kb") == "1"
            entries = await self.transcript.read(
                conversation_id, after=cursor, count=BATCH
            )
            if not entries:
                return
            for entry in entries:
                messages = render(entry, keyboard)
                done = int(partial_done or 0) if entry.id == partial_id else 0
                if done >= len(messages):
                    await self._move(
                        conversation_id, token, cursor=entry.id, partial=""
                    )
                    continue
                for i in range(done, len(messages)):
                    if self._stopping.is_set():
                        raise Stopping
                    await self._sleep(
                        sent_at + MIN_INTERVAL_S - time.time(), conversation_id, token
                    )
                    await self._deliver(conversation_id, chat_id, token, messages[i])
                    sent_at = time.time()
                    last = i == len(messages) - 1
                    fields = {
                        "cursor": entry.id if last else cursor,
                        "partial": "" if last else f"{entry.id}:{i + 1}",
                        "sent_at": str(round(sent_at * 1000)),
                    }
                    if messages[i].keyboard is not None:
                        keyboard = messages[i].keyboard is True
                        fields["kb"] = "1" if keyboard else "0"
                    await self._move(conversation_id, token, **fields)
                cursor = entry.id

    async def _move(self, conversation_id: str, token: str, **fields: str) -> None:
        """Advance the chat's cursor (refused when another process holds the lock)."""
        k = self.keys
        args: list[str | int] = [token, LOCK_MS, self.ttl_s]
        for name, value in fields.items():
            args += [name, value]
        moved = await self._advance(
            keys=[k.telegram_lock(conversation_id), k.telegram_outbox(conversation_id)],
            args=args,
        )
        if not int(moved):
            raise LockLost(conversation_id)

    async def _hold(self, conversation_id: str, token: str) -> None:
        renewed = await self._renew(
            keys=[self.keys.telegram_lock(conversation_id)], args=[token, LOCK_MS]
        )
        if not int(renewed):
            raise LockLost(conversation_id)

    async def _sleep(self, seconds: float, conversation_id: str, token: str) -> None:
        """Wait, keeping the lock; Stopping when the outbox stops meanwhile."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), min(left, LOCK_MS / 3000))
            if self._stopping.is_set():
                raise Stopping
            await self._hold(conversation_id, token)

    async def _deliver(
        self, conversation_id: str, chat_id: int, token: str, message: Outgoing
    ) -> None:
        """Send one part; wait and retry until Telegram takes or refuses it for good."""
        markup = message.markup
        backoff = 1.0
        while True:
            await self._hold(conversation_id, token)
            try:
                await self.bot.send_message(chat_id, message.text, reply_markup=markup)
                return
            except RetryAfter as error:
                wait = retry_seconds(error)
                logger.warning(
                    "Telegram asks to wait %.1f s before writing to %s",
                    wait,
                    conversation_id,
                )
                await self._sleep(wait, conversation_id, token)
            except Forbidden:
                logger.warning(
                    "%s blocked the bot; an entry was not delivered", conversation_id
                )
                return
            except BadRequest as error:
                if markup is not None:
                    logger.warning(
                        "Telegram refused the buttons for %s (%s); sending text only",
                        conversation_id,
                        error.message,
                    )
                    markup = None
                    continue
                logger.error(
                    "Telegram refused a message for %s (%s); skipped",
                    conversation_id,
                    error.message,
                )
                return
            except TelegramError as error:
                logger.warning(
                    "sending to %s failed (%s); retrying in %.0f s",
                    conversation_id,
                    error.message,
                    backoff,
                )
                await self._sleep(backoff, conversation_id, token)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
