"""Server-issued, signed conversation ids: a client writes only to its own.

A token is ``<session id>.<signature>``. ``Sessions`` also keeps a record of every
session it starts in Redis (``{p}:wsession:<id>``: when it started, the last customer
message, the keyed hash of the address that started it), which expires after
SESSION_IDLE_SECONDS without a customer message: a token whose record is gone is
refused, and the widget starts a new conversation. So the next visitor of a shared
computer does not see the previous customer's chat.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any

from bot.handoff.keys import Keys
from bot.ratelimit import TOO_MANY_SESSIONS, LimitExceeded, RateLimiter

SESSION_PREFIX = "web-"


def issue(secret: str) -> str:
    """A new random session token ``<id>.<signature>``."""
    session_id = SESSION_PREFIX + secrets.token_urlsafe(18)
    return f"{session_id}.{_sign(secret, session_id)}"


def verify(secret: str, token: str | None) -> str | None:
    """The session id inside ``token`` when its signature is valid, else None."""
    if not token or token.count(".") != 1 or len(token) > 200:
        return None
    if not token.isascii():  # hmac and compare_digest take ASCII only
        return None
    session_id, signature = token.split(".")
    if not session_id.startswith(SESSION_PREFIX):
        return None
    return (
        session_id
        if hmac.compare_digest(signature, _sign(secret, session_id))
        else None
    )


def _sign(secret: str, session_id: str) -> str:
    mac = hmac.new(secret.encode(), session_id.encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


class Sessions:
    """Starts sessions (limited per address) and refuses idle ones."""

    def __init__(self, redis: Any, limits: RateLimiter) -> None:
        self.redis = redis
        self.limits = limits
        self.settings = limits.settings
        self.keys = Keys(self.settings.redis_prefix)

    @property
    def idle_s(self) -> int:
        """How long a session lives without a customer message."""
        return self.settings.session_idle_seconds

    async def start(self, ip: str) -> str:
        """A new session token; LimitExceeded when the address started too many."""
        verdict = await self.limits.new_session(ip)
        if not verdict.allowed:
            raise LimitExceeded(verdict, TOO_MANY_SESSIONS)
        token = issue(self.settings.secret_key)
        session_id = token.partition(".")[0]
        now_ms = round(time.time() * 1000)
        key = self.keys.web_session(session_id)
        fields: dict[str, str | int] = {"started": now_ms, "last": now_ms}
        if ip:
            fields["addr"] = self.limits.address(ip)
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(key, mapping=fields)
        pipe.expire(key, self.idle_s)
        await pipe.execute()
        return token

    async def resume(self, token: str | None) -> str | None:
        """The session id of a valid token whose session is not idle, else None."""
        session_id = verify(self.settings.secret_key, token)
        if session_id is None:
            return None
        if not await self.redis.exists(self.keys.web_session(session_id)):
            return None
        return session_id

    async def touch(self, session_id: str) -> None:
        """A customer message: the session lives SESSION_IDLE_SECONDS from now."""
        key = self.keys.web_session(session_id)
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(key, "last", round(time.time() * 1000))
        pipe.expire(key, self.idle_s)
        await pipe.execute()
