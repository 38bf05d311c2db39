"""Customer rate limits shared by every gateway process (Redis counters).

Each limit counts the messages (or new sessions) of one subject in a fixed window: a
widget or HTTP API session (whatever connection or gateway it writes through), a client
address, a Telegram chat. One Lua script checks every limit of a message and counts it
in all of them only when none is exhausted, so a refused message uses up nothing.

Anonymous customers cost nothing to make, so an address is also limited in the
sessions it starts per hour and in its open tickets (conversations queued or with a
person): a flood of sessions cannot push real customers down the queue.

Addresses appear in key names only as a keyed hash, an IPv6 address by its /64
network (bot/privacy.py). The addresses in RATE_IP_EXEMPT (this machine) are not
limited per address. When Redis does not answer the message is let through: storing
it fails a moment later with the channel's own "please retry" answer.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError

from bot.handoff.keys import Keys
from bot.privacy import address_key
from bot.settings import Settings

logger = logging.getLogger(__name__)

WINDOW_MS = 60_000
SESSION_WINDOW_MS = 3_600_000
OPEN_STATES = frozenset({"queued", "assigned"})
ADDRESS_CHATS_MAX = 100  # conversations remembered per address...
ADDRESS_CHATS_S = 7 * 24 * 3600  # ...that wrote within this time
OPEN_RETRY_S = 60.0
TOO_MANY_SESSIONS = (
    "too many new chats were started from your network; please try again later"
)
TOO_MANY_OPEN = (
    "several chats from your network are already waiting for our team; please "
    "continue in one of them, or try again once they are answered"
)

# KEYS: one counter per limit; ARGV: for each limit its maximum and window (ms).
# Returns {0, 0} when counted, else {index of the exhausted limit, ms until it resets}.
CHECK_AND_COUNT = r"""
for i, key in ipairs(KEYS) do
  local used = tonumber(redis.call('GET', key) or '0')
  if used >= tonumber(ARGV[2 * i - 1]) then
    local left = redis.call('PTTL', key)
    if left < 0 then
      left = tonumber(ARGV[2 * i])
      redis.call('PEXPIRE', key, left)
    end
    return {i, left}
  end
end
for i, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[2 * i]) end
end
return {0, 0}
"""


@dataclass(frozen=True)
class Limit:
    """At most ``most`` events of ``subject`` (in ``scope``) per ``window_ms``."""

    scope: str  # "session" | "ip" | "tg" | "newsession"
    subject: str
    most: int
    window_ms: int = WINDOW_MS


@dataclass(frozen=True)
class Verdict:
    """Whether a message may go on; if not, which limit and for how long."""

    allowed: bool
    scope: str = ""
    retry_after_s: float = 0.0


ALLOWED = Verdict(True)


class LimitExceeded(Exception):
    """A customer message refused by a limit, with what to tell the customer."""

    def __init__(self, verdict: Verdict, message: str) -> None:
        super().__init__(message)
        self.verdict = verdict
        self.message = message

    @property
    def retry_after(self) -> int:
        """Whole seconds for a Retry-After header (at least 1)."""
        return max(1, round(self.verdict.retry_after_s))


class RateLimiter:
    """Checks and counts messages against the limits in the settings."""

    def __init__(self, redis: Any, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings
        self.keys = Keys(settings.redis_prefix)
        self._script = redis.register_script(CHECK_AND_COUNT)

    def address(self, ip: str) -> str:
        """The key subject for a client address: a keyed hash, never the address."""
        return address_key(self.settings.secret_key, ip)

    def exempt(self, ip: str) -> bool:
        """Whether an address is not limited (unknown, or in RATE_IP_EXEMPT)."""
        return not ip or ip in self.settings.rate_exempt_ips

    async def customer_message(self, session_id: str, ip: str) -> Verdict:
        """A widget or API message: per session, and per address unless exempt."""
        s = self.settings
        limits = [Limit("session", session_id, s.rate_session_per_minute)]
        if not self.exempt(ip):
            limits.append(Limit("ip", self.address(ip), s.rate_ip_per_minute))
        return await self.check(*limits)

    async def new_session(self, ip: str) -> Verdict:
        """A new widget or API session: per address and hour, unless exempt."""
        if self.exempt(ip):
            return ALLOWED
        most = self.settings.rate_ip_sessions_per_hour
        subject = self.address(ip)
        return await self.check(Limit("newsession", subject, most, SESSION_WINDOW_MS))

    async def telegram_update(self, conversation_id: str) -> Verdict:
        """An update from a Telegram chat."""
        limit = self.settings.rate_telegram_chat_per_minute
        return await self.check(Limit("tg", conversation_id, limit))

    async def check(self, *limits: Limit) -> Verdict:
        """Count one message in every limit, or say which one it would exceed."""
        if not limits:
            return ALLOWED
        keys = [self.keys.rate(limit.scope, limit.subject) for limit in limits]
        args = [n for limit in limits for n in (limit.most, limit.window_ms)]
        try:
            index, left_ms = await self._script(keys=keys, args=args)
        except RedisError as error:
            logger.warning("rate limits not checked (%r); message let through", error)
            return ALLOWED
        if not int(index):
            return ALLOWED
        return Verdict(False, limits[int(index) - 1].scope, int(left_ms) / 1000)

    async def open_tickets(self, ip: str, conversation_id: str) -> Verdict:
        """Whether ``conversation_id`` may talk to the bot (and so be handed to a
        person): refused while OPEN_TICKETS_PER_IP other conversations of the
        address are queued or with a person. Remembers the conversation as one of
        the address's (unless the address is exempt)."""
        if self.exempt(ip):
            return ALLOWED
        key = self.keys.address_chats(self.address(ip))
        now_ms = round(time.time() * 1000)
        pipe = self.redis.pipeline(transaction=False)
        pipe.zadd(key, {conversation_id: now_ms})
        pipe.zremrangebyscore(key, "-inf", now_ms - ADDRESS_CHATS_S * 1000)
        pipe.zremrangebyrank(key, 0, -ADDRESS_CHATS_MAX - 1)
        pipe.expire(key, ADDRESS_CHATS_S)
        pipe.zrange(key, 0, -1)
        members = [_s(c) for c in (await pipe.execute())[-1]]
        others = [c for c in members if c != conversation_id]
        if not others:
            return ALLOWED
        pipe = self.redis.pipeline(transaction=False)
        for other in others:
            pipe.hget(self.keys.ticket(other), "state")
        states = await pipe.execute()
        open_now = sum(1 for state in states if _s(state) in OPEN_STATES)
        if open_now < self.settings.open_tickets_per_ip:
            return ALLOWED
        return Verdict(False, "open", OPEN_RETRY_S)


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")
