"""Customer message rate limits shared by every gateway process (Redis counters).

Each limit counts the messages of one subject in a fixed one-minute window: a widget or
HTTP API session (whatever connection or gateway it writes through), a client address,
a Telegram chat. One Lua script checks every limit of a message and counts it in all
of them only when none is exhausted, so a refused message uses up nothing. Addresses
appear in key names only as a keyed hash (an IP address is personal data). When Redis
does not answer the message is let through: storing it fails a moment later with the
channel's own "please retry" answer.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError

from bot.handoff.keys import Keys
from bot.settings import Settings

logger = logging.getLogger(__name__)

WINDOW_MS = 60_000

# KEYS: one counter per limit; ARGV: window (ms), then each limit's maximum.
# Returns {0, 0} when counted, else {index of the exhausted limit, ms until it resets}.
CHECK_AND_COUNT = r"""
local window = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local used = tonumber(redis.call('GET', key) or '0')
  if used >= tonumber(ARGV[i + 1]) then
    local left = redis.call('PTTL', key)
    if left < 0 then
      redis.call('PEXPIRE', key, window)
      left = window
    end
    return {i, left}
  end
end
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, window) end
end
return {0, 0}
"""


@dataclass(frozen=True)
class Limit:
    """At most ``per_minute`` messages of ``subject`` (in ``scope``) per minute."""

    scope: str  # "session" | "ip" | "tg"
    subject: str
    per_minute: int


@dataclass(frozen=True)
class Verdict:
    """Whether a message may go on; if not, which limit and for how long."""

    allowed: bool
    scope: str = ""
    retry_after_s: float = 0.0


ALLOWED = Verdict(True)


class RateLimiter:
    """Checks and counts messages against the limits in the settings."""

    def __init__(self, redis: Any, settings: Settings) -> None:
        self.settings = settings
        self.keys = Keys(settings.redis_prefix)
        self._secret = settings.secret_key.encode()
        self._script = redis.register_script(CHECK_AND_COUNT)

    def address(self, ip: str) -> str:
        """The key subject for a client address: a keyed hash, never the address."""
        digest = hmac.new(self._secret, ip.encode(), hashlib.sha256)
        return digest.hexdigest()[:24]

    async def customer_message(self, session_id: str, ip: str) -> Verdict:
        """A widget or API message: per session, and per address unless exempt."""
        s = self.settings
        limits = [Limit("session", session_id, s.rate_session_per_minute)]
        if ip and ip not in s.rate_exempt_ips:
            limits.append(Limit("ip", self.address(ip), s.rate_ip_per_minute))
        return await self.check(*limits)

    async def telegram_update(self, conversation_id: str) -> Verdict:
        """An update from a Telegram chat."""
        limit = self.settings.rate_telegram_chat_per_minute
        return await self.check(Limit("tg", conversation_id, limit))

    async def check(self, *limits: Limit) -> Verdict:
        """Count one message in every limit, or say which one it would exceed."""
        if not limits:
            return ALLOWED
        keys = [self.keys.rate(limit.scope, limit.subject) for limit in limits]
        args = [WINDOW_MS, *(limit.per_minute for limit in limits)]
        try:
            index, left_ms = await self._script(keys=keys, args=args)
        except RedisError as error:
            logger.warning("rate limits not checked (%r); message let through", error)
            return ALLOWED
        if not int(index):
            return ALLOWED
        return Verdict(False, limits[int(index) - 1].scope, int(left_ms) / 1000)
