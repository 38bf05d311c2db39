"""One gateway process's Telegram channel: the PTB application, its life cycle, and
what the handlers (bot/telegram.py) and the webhook route (bot/telegram_webhook.py)
share: the customer of an update, one turn of a chat at a time, the typing
indicator, and handing the customer's text to ``Conversations.customer_message``.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hmac
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot.conversations import Conversations, Inbound
from bot.live import Hub
from bot.ratelimit import RateLimiter
from bot.rediskeys import AppKeys
from bot.settings import Settings
from bot.telegram_outbox import Outbox
from bot.transcript import Author, Entry

logger = logging.getLogger(__name__)

TgApplication = Application[Any, Any, Any, Any, Any, Any]
CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]
FIRST_START_S = 10.0  # start-up waits this long for the Bot API, then goes on
TYPING_EVERY_S = 4.5  # Telegram shows "typing" for 5 s

# Set by the webhook route for the update it processes: the handler failed on Redis,
# so the route answers 503 and Telegram delivers the update again later.
redis_failed: contextvars.ContextVar[list[bool] | None] = contextvars.ContextVar(
    "telegramredis_failed", default=None
)


@dataclass(frozen=True)
class Customer:
    """Who wrote, in which chat, with which update."""

    conversation_id: str
    chat_id: int
    first_name: str
    ref: str
    update_id: int
    handle: str = ""  # "@username" when the user has one

    @property
    def greeting_name(self) -> str:
        """The first name, or a friendly stand-in."""
        return self.first_name or "there"


@dataclass
class TelegramChannel:
    """Everything the handlers and the route need, for one gateway process."""

    settings: Settings
    redis: Any
    keys: AppKeys
    conversations: Conversations
    hub: Hub
    application: TgApplication
    outbox: Outbox = field(init=False)
    limits: RateLimiter = field(init=False)
    ready: bool = field(init=False, default=False)
    problem: str = field(init=False, default="starting")
    _task: asyncio.Task[None] | None = field(init=False, default=None)
    _turns: dict[str, tuple[asyncio.Lock, list[int]]] = field(
        init=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self.limits = RateLimiter(self.redis, self.settings)
        self.outbox = Outbox(
            self.application.bot,
            self.redis,
            self.conversations.transcript,
            self.hub,
            self.keys,
        )

    @property
    def mode(self) -> str:
        """``webhook`` or ``polling``."""
        return self.settings.telegram_mode

    @property
    def bot(self) -> Bot:
        """The PTB bot (sends through TELEGRAM_API_URL)."""
        return self.application.bot

    # -- life cycle ----------------------------------------------------------------

    async def start(self) -> None:
        """Bring the channel up; wait at most FIRST_START_S, then carry on meanwhile."""
        self._task = asyncio.create_task(self._bring_up(), name="telegram-start")
        await asyncio.wait({self._task}, timeout=FIRST_START_S)

    async def _bring_up(self) -> None:
        """Initialise PTB (getMe), set the webhook or start polling; retry until up."""
        delay = 1.0
        while True:
            try:
                await self._up()
                break
            except InvalidToken:
                # PTB's message repeats the token: never log it.
                self.problem = "TELEGRAM_TOKEN was rejected by the Bot API"
                logger.error("Telegram channel off: %s", self.problem)
                return
            except Exception as error:  # noqa: BLE001 - Bot API away: try again
                self.problem = "the Bot API is not reachable yet"
                logger.warning(
                    "Telegram not started (%s); retrying in %.0f s",
                    type(error).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
        await self.outbox.start()
        self.ready = True
        self.problem = ""
        logger.info("Telegram channel ready (%s)", self.mode)

    async def _up(self) -> None:
        app, s = self.application, self.settings
        await app.initialize()  # getMe: checks the token
        if self.mode == "webhook" and s.telegram_webhook_url:
            await self.bot.set_webhook(
                s.telegram_webhook_url,
                secret_token=s.telegram_secret_token,
                allowed_updates=ALLOWED_UPDATES,
            )
            logger.info("Telegram webhook set to %s", s.telegram_webhook_url)
        if app.updater is not None and not app.updater.running:
            await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        if not app.running:
            await app.start()

    async def stop(self) -> None:
        """Finish what is being sent, then stop PTB."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self.outbox.stop()
        app = self.application
        with contextlib.suppress(Exception):
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.shutdown()

    # -- what handlers use ---------------------------------------------------------

    def secret_ok(self, given: str | None) -> bool:
        """Whether the webhook's secret-token header is right (constant time)."""
        expected = self.settings.telegram_secret_token
        if not given or not expected:
            return False
        return hmac.compare_digest(
            given.encode("utf-8", "replace"), expected.encode("utf-8")
        )

    @contextlib.asynccontextmanager
    async def turn(self, customer: Customer) -> AsyncIterator[None]:
        """One update of a chat at a time in this process, in arrival order."""
        lock, users = self._turns.setdefault(
            customer.conversation_id, (asyncio.Lock(), [0])
        )
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if not users[0]:
                self._turns.pop(customer.conversation_id, None)

    async def remember(self, customer: Customer) -> None:
        """Keep the chat in the outbox's sweeps and its customer on the conversation."""
        await self.outbox.register(customer.conversation_id)
        await self.conversations.transcript.describe(
            customer.conversation_id,
            channel=CHANNEL,
            customer_name=customer.first_name,
            customer_ref=customer.ref,
            customer_handle=customer.handle,
        )

    async def say(
        self,
        customer: Customer,
        text: str,
        author: Author = Author.BOT,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Add a bot or system entry to the chat's transcript; the outbox sends it."""
        await self.conversations.transcript.append(
            customer.conversation_id,
            Entry(author, text, channel=CHANNEL, data=data or {}),
        )
        self.outbox.kick(customer.conversation_id)

    async def customer_says(self, customer: Customer, text: str) -> None:
        """Route the customer's text (bot or person) while showing "typing"."""
        async with self.turn(customer):
            await self.remember(customer)
            async with typing(self.bot, customer.chat_id):
                await self.conversations.customer_message(
                    Inbound(
                        customer.conversation_id,
                        CHANNEL,
                        text,
                        client_id=f"u{customer.update_id}",
                        customer_name=customer.first_name,
                        customer_ref=customer.ref,
                    )
                )
        self.outbox.kick(customer.conversation_id)


@contextlib.asynccontextmanager
async def typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing..." in the chat until the block ends (best effort)."""

    async def keep_typing() -> None:
        while True:
            try:
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError as error:
                logger.debug("typing action failed: %s", error.message)
            await asyncio.sleep(TYPING_EVERY_S)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
