"""Server-side console sessions in Redis, behind an opaque HttpOnly cookie.

The cookie holds a random token; Redis stores the session under the token's SHA-256,
so a copy of the database does not hand out working cookies. A session carries its own
CSRF token (sent back by the page in the ``X-CSRF-Token`` header on every state
change), expires after a spell of inactivity and, in any case, after a maximum age. It
remembers where it signed in from only as a keyed hash of the address. A new password
or a disabled account ends every session of the account.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from bot.rediskeys import AppKeys

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")


def digest(token: str) -> str:
    """The name a session token is stored under."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Session:
    """One signed-in console tab (or several tabs of one browser)."""

    agent_id: str
    csrf: str
    created_at: float
    ip: str  # a keyed hash of the address it signed in from, never the address


class SessionStore:
    """Create, look up and end console sessions."""

    def __init__(self, client: Any, keys: AppKeys, *, idle_s: int, max_s: int) -> None:
        self.redis = client
        self.keys = keys
        self.idle_s = idle_s
        self.max_s = max_s

    async def create(self, agent_id: str, ip: str) -> tuple[str, Session]:
        """A new session for the agent; returns the cookie value and the session."""
        token = secrets.token_urlsafe(32)
        session = Session(agent_id, secrets.token_urlsafe(32), time.time(), ip)
        key = self.keys.console_session(digest(token))
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(
            key,
            mapping={
                "agent": agent_id,
                "csrf": session.csrf,
                "created_at": str(round(session.created_at * 1000)),
                "ip": ip,
            },
        )
        pipe.expire(key, self.idle_s)
        pipe.sadd(self.keys.account_sessions(agent_id), digest(token))
        pipe.expire(self.keys.account_sessions(agent_id), self.max_s)
        await pipe.execute()
        return token, session

    async def get(self, token: str | None) -> Session | None:
        """The live session of a cookie value (its idle timer restarts), or None."""
        if not token or not TOKEN.match(token):
            return None
        key = self.keys.console_session(digest(token))
        raw = await self.redis.hgetall(key)
        if not raw or not raw.get("agent") or not raw.get("csrf"):
            return None
        created = int(raw.get("created_at") or 0) / 1000
        age = time.time() - created
        if age >= self.max_s:
            await self.end(token)
            return None
        await self.redis.expire(key, min(self.idle_s, max(1, int(self.max_s - age))))
        return Session(raw["agent"], raw["csrf"], created, raw.get("ip", ""))

    async def end(self, token: str | None) -> None:
        """Sign this session out."""
        if not token or not TOKEN.match(token):
            return
        key = self.keys.console_session(digest(token))
        agent = await self.redis.hget(key, "agent")
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(key)
        if agent:
            pipe.srem(self.keys.account_sessions(agent), digest(token))
        await pipe.execute()

    async def end_all(self, agent_id: str) -> int:
        """Sign every session of an agent out; returns how many there were."""
        return await end_all(self.redis, self.keys, agent_id)


async def end_all(client: Any, keys: AppKeys, agent_id: str) -> int:
    """Sign every console session of an agent out (disabled, or a new password);
    returns how many there were."""
    digests = await client.smembers(keys.account_sessions(agent_id))
    pipe = client.pipeline(transaction=True)
    for value in digests:
        pipe.delete(keys.console_session(value))
    pipe.delete(keys.account_sessions(agent_id))
    await pipe.execute()
    return len(digests)
