"""The Telegram webhook: ``POST /telegram/webhook`` (``TELEGRAM_MODE=webhook``).

Telegram posts every update with the ``X-Telegram-Bot-Api-Secret-Token`` header. The
route checks the header (403), the body's size (413) and shape (400: a JSON object
with an integer ``update_id``), drops an ``update_id`` seen before (Redis ``SET NX``
with a day's TTL) and hands the update to the channel's PTB ``Application``
(bot/telegram_channel.py), built with ``updater(None)`` as in PTB's
``customwebhookbot/starlettebot.py``. A handler that failed on Redis makes it answer
503, so Telegram delivers the update again later. In polling mode it answers 404.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError
from telegram import Update

from bot.rediskeys import TELEGRAM_UPDATE_TTL_S
from bot.telegram_channel import TelegramChannel, redis_failed

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
MAX_UPDATE_BYTES = 1 << 20  # a real update is a few kilobytes
MAX_DISCARD_BYTES = 64 << 20  # an oversized body is read and dropped up to this

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
    token = redis_failed.set(failed)
    try:
        await channel.application.process_update(update)
    finally:
        redis_failed.reset(token)
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
