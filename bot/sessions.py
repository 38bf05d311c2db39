"""Server-issued, signed conversation ids: a client writes only to its own.

A token is ``<session id>.<signature>``. ``Sessions`` also keeps a record of every
session it starts in Redis (``{p:<id>}:wsession``: when it started, the last customer
message, the keyed hash of the address that started it), which expires after
SESSION_IDLE_SECONDS without a customer message: a token whose record is gone is
refused, and the widget starts a new conversation. So the next visitor of a shared
computer does not see the previous customer's chat.

A session the shop vouched for (a signed customer token, bot/identity.py) is bound
to that customer (field ``customer`` of the record) for good: it is used again only
with a valid token for the same customer, never without one or with another's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any

from bot.ratelimit import TOO_MANY_SESSIONS, LimitExceeded, RateLimiter
from bot.rediskeys import AppKeys

SESSION_PREFIX = "web-"
CUSTOMER_FIELD = "customer"  # the customer a session is bound to (its record)
# KEYS[1] a session record, ARGV[1] the customer the shop vouches for ("" = none).
# 1 when the session exists and that customer may use it: a bound session only the
# customer it is bound to, an unbound one anybody (a vouched customer binds it now,
# HSETNX); else 0.
ADMIT = """
if redis.call("EXISTS", KEYS[1]) == 0 then return 0 end
if ARGV[1] ~= "" then redis.call("HSETNX", KEYS[1], ARGV[2], ARGV[1]) end
local bound = redis.call("HGET", KEYS[1], ARGV[2])
if not bound or bound == ARGV[1] then return 1 end
return 0
"""


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
        self.keys = AppKeys(self.settings.redis_prefix)
        self._admit = redis.register_script(ADMIT)

    @property
    def idle_s(self) -> int:
        """How long a session lives without a customer message."""
        return self.settings.session_idle_seconds

    async def start(self, ip: str, customer_id: str = "") -> str:
        """A new session token (bound to ``customer_id`` when the shop vouched for
        one); LimitExceeded when the address started too many."""
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
        if customer_id:
            fields[CUSTOMER_FIELD] = customer_id
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

    async def admit(self, session_id: str, customer_id: str) -> bool:
        """Whether the customer the shop vouched for ("" = nobody) may use the
        session; a vouched customer binds a session not bound yet."""
        key = self.keys.web_session(session_id)
        return bool(await self._admit(keys=[key], args=[customer_id, CUSTOMER_FIELD]))

    async def customer(self, session_id: str) -> str:
        """The customer the session is bound to; "" when none."""
        bound = await self.redis.hget(self.keys.web_session(session_id), CUSTOMER_FIELD)
        return bound or ""

    async def touch(self, session_id: str) -> None:
        """A customer message: the session lives SESSION_IDLE_SECONDS from now."""
        key = self.keys.web_session(session_id)
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(key, "last", round(time.time() * 1000))
        pipe.expire(key, self.idle_s)
        await pipe.execute()
