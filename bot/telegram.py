"""The Telegram channel (python-telegram-bot 22): updates in, the outbox out.

Off unless ``TELEGRAM_TOKEN`` is set (README, "Telegram"). Two ways in:

- **webhook** (``TELEGRAM_MODE=webhook``, production): Telegram posts every update to
  ``POST /telegram/webhook`` with the ``X-Telegram-Bot-Api-Secret-Token`` header. The
  route checks the header (403), the body's size (413) and shape (400: a JSON object
  with an integer ``update_id``), drops an ``update_id`` seen before (Redis ``SET NX``
  with a day's TTL) and hands the update to the PTB ``Application``, built with
  ``updater(None)`` as in PTB's ``customwebhookbot/starlettebot.py``;
- **polling** (``TELEGRAM_MODE=polling``, development): PTB's ``Updater`` fetches the
  updates, the webhook route answers 404.

A chat is the conversation ``tg-<chat id>``; its text goes to
``Conversations.customer_message`` like every channel's (bot, queue or person), with a
typing indicator while the bot thinks. ``/start`` greets by first name, ``/help`` says
what the bot can do, ``/human`` asks for a person in words Rasa understands, so a real
handoff ticket follows. Stickers, photos and the like get "I can only read text here";
edited messages, channel posts and group chats are ignored. The rating buttons store
satisfaction first (kept in Redis), then "did you feel understood?", then
``Conversations.rate``. A chat sending more than ``RATE_TELEGRAM_CHAT_PER_MINUTE``
messages and taps a minute is told so (once a minute) and the rest is not taken
(bot/ratelimit.py, counted in Redis across gateway processes).

Replies never go out from here: whatever a channel's handler, the console or another
gateway process appends to a ``tg-`` transcript is sent by the ``Outbox``
(bot/telegram_outbox.py) of whichever gateway takes the chat's lock, in order and once.
Everything goes out as plain text (no parse mode).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hmac
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError
from telegram import Bot, Update
from telegram.constants import ChatAction
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.conversations import Conversations, Inbound
from bot.handoff import AlreadyRated, HandoffError, Rating, TicketState
from bot.inputs import clean_text
from bot.live import Hub
from bot.ratelimit import RateLimiter
from bot.rediskeys import TELEGRAM_RATING_TTL_S, TELEGRAM_UPDATE_TTL_S, AppKeys
from bot.settings import Settings
from bot.telegram_outbox import (
    ASK_UNDERSTOOD,
    CID_PREFIX,
    RATING_DATA,
    Outbox,
)
from bot.transcript import Author, Entry

logger = logging.getLogger(__name__)

TgApplication = Application[Any, Any, Any, Any, Any, Any]

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
MAX_UPDATE_BYTES = 1 << 20  # a real update is a few kilobytes
MAX_DISCARD_BYTES = 64 << 20  # an oversized body is read and dropped up to this
ALLOWED_UPDATES = ["message", "callback_query"]
FIRST_START_S = 10.0  # start-up waits this long for the Bot API, then goes on
TYPING_EVERY_S = 4.5  # Telegram shows "typing" for 5 s
NOTICE_EVERY_S = 30  # "I can only read text here" at most this often per chat

START_TEXT = (
    "Hi {name}, I'm the shop's assistant. Ask me about an order, a delivery, a "
    "refund, an invoice, a payment or your account, and I'll do my best to help. "
    "If you'd rather talk to a person, send /human."
)
START_WITH_PERSON_TEXT = (
    "Hi {name}, your conversation with our team is still open. Write here and they'll "
    "see it; there's no need to repeat anything."
)
HELP_TEXT = (
    "I can help with orders and deliveries, refunds and returns, invoices, payments "
    "and your account. Just write your question in your own words.\n\n"
    "/human - talk to a person from our team\n/help - this message"
)
# What /human says on the customer's behalf: words the NLU and the emotion analysis
# read as a request for a person (data/rasa/nlu/service.yml, contact_human_agent).
HUMAN_REQUEST = "I'd like to talk to a person from your team, please."
NOT_TEXT = (
    "Sorry, I can only read text here. Could you write it out in a message? If it's "
    "about a photo or a file, a person from our team can help: send /human."
)
EMPTY_TEXT = "I couldn't find any text in that message. Could you write it again?"
TOO_LONG = (
    "That message is longer than {limit} characters, which is more than I can take "
    "at once. Could you send it in shorter parts?"
)
ASK_UNDERSTOOD_TEXT = (
    "And did you feel understood? Tap 1 (not at all) to 5 (completely)."
)
RATING_THANKS = "Thank you!"
RATING_DONE = "We already have your rating, thank you."
RATING_CLOSED = "This rating is no longer open, but thank you."
SLOW_DOWN_TEXT = (
    "You're writing faster than I can read, so I missed your last messages. Please "
    "wait a moment, then send them again."
)

# Set by the webhook route for the update it processes: the handler failed on Redis,
# so the route answers 503 and Telegram delivers the update again later.
_redis_failed: contextvars.ContextVar[list[bool] | None] = contextvars.ContextVar(
    "telegram_redis_failed", default=None
)


@dataclass(frozen=True)
class Customer:
    """Who wrote, in which chat, with which update."""

    conversation_id: str
    chat_id: int
    first_name: str
    ref: str
    update_id: int

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


def _channel(context: ContextTypes.DEFAULT_TYPE) -> TelegramChannel:
    channel = context.bot_data["channel"]
    assert isinstance(channel, TelegramChannel)
    return channel


def _customer(update: Update) -> Customer | None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return None
    name = ""
    if user is not None and user.first_name:
        with contextlib.suppress(ValueError):
            name = clean_text(user.first_name, 80)
    return Customer(
        conversation_id=f"{CID_PREFIX}{chat.id}",
        chat_id=chat.id,
        first_name=name,
        ref=f"tg-user-{user.id}" if user is not None else "",
        update_id=update.update_id,
    )


# -- handlers ----------------------------------------------------------------------


async def rate_limit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Over the chat's limit: say so (once a minute) and take nothing more."""
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        return
    if update.message is None and update.callback_query is None:
        return
    channel, customer = _channel(context), _customer(update)
    if customer is None:
        return
    verdict = await channel.limits.telegram_update(customer.conversation_id)
    if verdict.allowed:
        return
    logger.info("rate limit: update %s of %s refused", update.update_id, chat.id)
    key = channel.keys.telegram_slow(customer.conversation_id)
    window = max(1, round(verdict.retry_after_s))
    if await channel.redis.set(key, "1", nx=True, ex=window):
        async with channel.turn(customer):
            await channel.say(customer, SLOW_DOWN_TEXT, Author.SYSTEM)
    if update.callback_query is not None:
        await _answer(update.callback_query, "")
    raise ApplicationHandlerStop


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet the customer by their first name."""
    channel, customer = _channel(context), _customer(update)
    if customer is None:
        return
    async with channel.turn(customer):
        await channel.remember(customer)
        view = await channel.conversations.view(customer.conversation_id)
        text = START_TEXT if view.state is TicketState.BOT else START_WITH_PERSON_TEXT
        await channel.say(customer, text.format(name=customer.greeting_name))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what the bot can do and how to reach a person."""
    channel, customer = _channel(context), _customer(update)
    if customer is not None:
        async with channel.turn(customer):
            await channel.say(customer, HELP_TEXT)


async def human(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for a person, in words the bot understands (a real handoff follows)."""
    channel, customer = _channel(context), _customer(update)
    if customer is not None:
        await channel.customer_says(customer, HUMAN_REQUEST)


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Pass the customer's text on to the conversation."""
    channel, customer = _channel(context), _customer(update)
    message = update.effective_message
    if customer is None or message is None:
        return
    limit = channel.settings.max_message_chars
    try:
        text = clean_text(message.text, limit)
    except ValueError as error:
        problem = TOO_LONG.format(limit=limit) if "longer" in str(error) else EMPTY_TEXT
        async with channel.turn(customer):
            await channel.say(customer, problem, Author.SYSTEM)
        return
    if text.startswith("/"):  # "/intent" would drive Rasa directly: never pass it on
        await help_command(update, context)
        return
    await channel.customer_says(customer, text)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice and the like: say kindly that only text works here."""
    channel, customer = _channel(context), _customer(update)
    if customer is None:
        return
    key = channel.keys.telegram_notice(customer.conversation_id)
    if await channel.redis.set(key, "1", nx=True, ex=NOTICE_EVERY_S):
        async with channel.turn(customer):
            await channel.say(customer, NOT_TEXT, Author.SYSTEM)


async def rating_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store a rating button: satisfaction first (kept), then understood (rated)."""
    channel, customer, query = (
        _channel(context),
        _customer(update),
        update.callback_query,
    )
    match = RATING_DATA.match(query.data or "") if query is not None else None
    if query is None or customer is None or match is None:
        return
    scale, value = match[1], int(match[2])
    key = channel.keys.telegram_rating(customer.conversation_id)
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(None)  # one tap per question
    if scale == "c":
        # Kept with the message it answers: a tap on a newer request starts afresh.
        mark = f"{value}:{query.message.message_id if query.message else 0}"
        before = await channel.redis.set(key, mark, ex=TELEGRAM_RATING_TTL_S, get=True)
        if before is None or before.partition(":")[2] != mark.partition(":")[2]:
            await channel.say(
                customer, ASK_UNDERSTOOD_TEXT, data={"ask": ASK_UNDERSTOOD}
            )
        await _answer(query, RATING_THANKS)
        return
    csat = await channel.redis.get(key)
    if csat is None:
        await _answer(query, RATING_CLOSED)
        return
    try:
        await channel.conversations.rate(
            customer.conversation_id,
            Rating(csat=int(csat.partition(":")[0]), understood=value),
        )
        reply = RATING_THANKS
    except AlreadyRated:
        reply = RATING_DONE
    except HandoffError as error:
        logger.info("rating for %s not stored: %r", customer.conversation_id, error)
        reply = RATING_CLOSED
    await channel.redis.delete(key)
    await _answer(query, reply)


async def other_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button that is not ours (or is stale): just stop its spinner."""
    if update.callback_query is not None:
        await _answer(update.callback_query, "")


async def _answer(query: Any, text: str) -> None:
    with contextlib.suppress(TelegramError):
        await query.answer(text or None)


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a failed update; on a Redis failure let Telegram deliver it again."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("Telegram update %s failed", update_id, exc_info=context.error)
    if isinstance(context.error, RedisError):
        failed = _redis_failed.get()
        if failed is not None:
            failed.append(True)  # webhook: the route answers 503, Telegram retries
        elif isinstance(update, Update) and update.effective_chat is not None:
            with contextlib.suppress(TelegramError):
                await context.bot.send_message(
                    update.effective_chat.id,
                    "Sorry, I couldn't take that message just now. Please send it "
                    "again in a moment.",
                )


def build_application(settings: Settings) -> TgApplication:
    """The PTB application with every handler (no updater in webhook mode)."""
    builder = (
        Application.builder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_api_url)
    )
    if settings.telegram_mode == "webhook":
        builder = builder.updater(None)
    application = builder.build()
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(TypeHandler(Update, rate_limit), group=-1)
    application.add_handler(CommandHandler("start", start, filters=private))
    application.add_handler(CommandHandler("help", help_command, filters=private))
    application.add_handler(CommandHandler("human", human, filters=private))
    application.add_handler(MessageHandler(private & filters.COMMAND, help_command))
    application.add_handler(MessageHandler(private & filters.TEXT, text_message))
    application.add_handler(
        MessageHandler(private & ~filters.StatusUpdate.ALL, not_text)
    )
    application.add_handler(CallbackQueryHandler(rating_pressed, pattern=RATING_DATA))
    application.add_handler(CallbackQueryHandler(other_button))
    application.add_error_handler(error_handler)
    return application


async def start_channel(state: Any) -> TelegramChannel | None:
    """Start Telegram in this gateway (None when TELEGRAM_TOKEN is not set)."""
    settings: Settings = state.settings
    if not settings.telegram_token:
        logger.info("Telegram channel off: TELEGRAM_TOKEN is not set")
        return None
    application = build_application(settings)
    channel = TelegramChannel(
        settings, state.redis, state.keys, state.conversations, state.hub, application
    )
    application.bot_data["channel"] = channel
    await channel.start()
    return channel


async def stop_channel(channel: TelegramChannel | None) -> None:
    """Stop Telegram in this gateway (nothing when it was off)."""
    if channel is not None:
        await channel.stop()


# -- the webhook -------------------------------------------------------------------

router = APIRouter()


def _error(status: int, message: str, retry_after: int = 0) -> JSONResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def _read_body(request: Request) -> bytes | None:
    """The body, or None when it is over MAX_UPDATE_BYTES (the rest is dropped)."""
    declared = request.headers.get("content-length", "")
    body = bytearray()
    too_big = declared.isdigit() and int(declared) > MAX_UPDATE_BYTES
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if too_big or seen > MAX_UPDATE_BYTES:
            too_big = True
            body.clear()
            if seen > MAX_DISCARD_BYTES:
                break
            continue
        body.extend(chunk)
    return None if too_big else bytes(body)


def _parse(body: bytes) -> dict[str, Any] | str:
    """The update as a dict, or what is wrong with it."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return "the body is not valid JSON"
    if not isinstance(data, dict):
        return "an update is a JSON object"
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        return "an update needs an integer update_id"
    return data


@router.post("/telegram/webhook")
async def post_telegram_update(request: Request) -> JSONResponse:
    """One update from Telegram: secret, size and shape checked, repeats ignored."""
    channel: TelegramChannel | None = getattr(request.app.state, "telegram", None)
    if channel is None:
        return _error(404, "the Telegram channel is off: set TELEGRAM_TOKEN (README)")
    if channel.mode != "webhook":
        return _error(404, "Telegram runs in polling mode here (TELEGRAM_MODE=polling)")
    if not channel.secret_ok(request.headers.get(SECRET_HEADER)):
        return _error(403, f"wrong or missing {SECRET_HEADER}")
    if not channel.ready:
        return _error(503, f"the Telegram channel is not ready: {channel.problem}", 10)
    body = await _read_body(request)
    if body is None:
        return _error(413, f"an update is at most {MAX_UPDATE_BYTES} bytes")
    data = _parse(body)
    if isinstance(data, str):
        return _error(400, data)
    try:
        update = Update.de_json(data, channel.bot)
    except Exception as error:  # noqa: BLE001 - any malformed field
        logger.info("refused a malformed Telegram update: %s", type(error).__name__)
        return _error(400, "not a valid Telegram update")
    seen = channel.keys.telegram_update(update.update_id)
    try:
        first = await _first_handling(channel, seen)
    except RedisError:
        return _error(503, "storage unavailable, please retry", 2)
    if not first:
        return JSONResponse({"ok": True, "duplicate": True})
    failed: list[bool] = []
    token = _redis_failed.set(failed)
    try:
        await channel.application.process_update(update)
    finally:
        _redis_failed.reset(token)
    if failed:
        with contextlib.suppress(RedisError):
            await channel.redis.delete(seen)
        return _error(503, "storage unavailable, please retry", 2)
    with contextlib.suppress(RedisError):  # else the busy mark expires: handled again
        await channel.redis.set(seen, "done", ex=TELEGRAM_UPDATE_TTL_S)
    return JSONResponse({"ok": True})


async def _first_handling(channel: TelegramChannel, seen: str) -> bool:
    """Whether this request should handle the update (False: it was handled).

    The update is "busy" while one request handles it. A repeat waits until that
    request is done (then it is a duplicate); when the process handling it died,
    the busy mark expires and Telegram's next retry handles the update, so nothing
    is dropped.
    """
    busy_s = round(channel.settings.rasa_timeout_seconds) + 15
    while not await channel.redis.set(seen, "busy", nx=True, ex=busy_s):
        if await channel.redis.get(seen) not in ("busy", b"busy"):
            return False
        await asyncio.sleep(0.25)
    return True
