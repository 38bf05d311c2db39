"""The Telegram channel (python-telegram-bot 22): updates in, the outbox out.

Off unless ``TELEGRAM_TOKEN`` is set (docs/telegram.md). This module has the
handlers and builds the PTB application; the channel's state and life cycle are in
bot/telegram_channel.py. Two ways in:

- **webhook** (``TELEGRAM_MODE=webhook``, production): Telegram posts every update to
  ``POST /telegram/webhook`` (bot/telegram_webhook.py: secret, size and shape checked,
  repeats dropped), which hands it to the PTB ``Application``;
- **polling** (``TELEGRAM_MODE=polling``, development): PTB's ``Updater`` fetches the
  updates, the webhook route answers 404.

A chat is the conversation ``tg-<chat id>``; its text goes to
``Conversations.customer_message`` like every channel's (bot, queue or person), with a
typing indicator while the bot thinks. ``/start`` greets by first name, ``/help`` says
what the bot can do, ``/human`` asks for a person in words Rasa understands, so a real
handoff ticket follows. Stickers, photos and the like get "I can only read text here";
edited messages, channel posts and group chats are ignored. The survey's buttons
store one answer at a time, each next question follows, then the comment: the next
text, or the Skip button (bot/telegram_survey.py). A chat sending more than
``RATE_TELEGRAM_CHAT_PER_MINUTE`` messages and taps a minute is told so (once a
minute) and the rest is not taken (bot/ratelimit.py, counted in Redis across gateway
processes).

Replies never go out from here: whatever a channel's handler, the console or another
gateway process appends to a ``tg-`` transcript is sent by the ``Outbox``
(bot/telegram_outbox.py) of whichever gateway takes the chat's lock, in order and once.
Everything goes out as plain text (no parse mode).
"""

from __future__ import annotations

import contextlib
import logging
import re
from typing import Any

from redis.exceptions import RedisError
from telegram import Update
from telegram.error import TelegramError
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

from bot.handoff import TicketState
from bot.inputs import clean_text
from bot.settings import Settings
from bot.telegram_channel import (
    Customer,
    TelegramChannel,
    TgApplication,
    redis_failed,
)
from bot.telegram_outbox import CID_PREFIX
from bot.telegram_survey import SURVEY_DATA, button_tapped, take_comment
from bot.transcript import Author

logger = logging.getLogger(__name__)

# Telegram usernames: 5-32 letters, digits and underscores (anything else is not shown)
USERNAME = re.compile(r"^[A-Za-z0-9_]{4,32}$")
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
SLOW_DOWN_TEXT = (
    "You're writing faster than I can read, so I missed your last messages. Please "
    "wait a moment, then send them again."
)


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
    username = user.username if user is not None else None
    return Customer(
        conversation_id=f"{CID_PREFIX}{chat.id}",
        chat_id=chat.id,
        first_name=name,
        ref=f"tg-user-{user.id}" if user is not None else "",
        update_id=update.update_id,
        # what the agent sees besides the name (never the user's number)
        handle=f"@{username}" if username and USERNAME.match(username) else "",
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
    if await take_comment(channel, customer, text):
        return  # the survey's comment, not a message for the bot
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
    """A survey button: store its answer, ask what follows (bot/telegram_survey.py)."""
    channel, customer, query = (
        _channel(context),
        _customer(update),
        update.callback_query,
    )
    if query is None or customer is None:
        return
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(None)  # one tap per question
    await _answer(query, await button_tapped(channel, customer, query.data or ""))


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
        failed = redis_failed.get()
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
    application.add_handler(CallbackQueryHandler(rating_pressed, pattern=SURVEY_DATA))
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
