"""Console accounts: agents and supervisors, their password hashes and lock-outs.

An account's id is its user name and also its agent id in the handoff queue, so
creating an account registers the agent there (name, capacity, skills). Passwords are
hashed with Argon2id (``argon2-cffi``, its recommended parameters); hashing runs in a
worker thread so a login never blocks the event loop. Sign-in attempts are counted per
account and per client address (a keyed hash of it) in a sliding window, before the
password is checked; past the limit, logins are refused (even with the right password)
until old failures leave the window.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.console.sessions import end_all
from bot.handoff import Agent, HandoffQueue
from bot.rediskeys import AppKeys

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SKILL = re.compile(r"^[a-z0-9][a-z0-9_:-]{0,39}$")  # "billing", "lang:de"
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
MAX_NAME = 80

_hasher = PasswordHasher()
# Verified against when the user does not exist, so both cases take as long.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class Role(StrEnum):
    """What an account may do: agents answer chats, supervisors also see everything."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"


@dataclass(frozen=True)
class Account:
    """A person who signs in to the console."""

    id: str
    name: str
    role: Role
    skills: frozenset[str] = field(default_factory=frozenset)
    capacity: int = 3
    disabled: bool = False

    @property
    def supervisor(self) -> bool:
        """Whether the account has the supervisor role."""
        return self.role is Role.SUPERVISOR

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (never the password hash)."""
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role.value,
            "skills": sorted(self.skills),
            "capacity": self.capacity,
        }


class AccountError(ValueError):
    """An account could not be created or changed (the message says why)."""


def check_username(value: str) -> str:
    """The user name, or AccountError."""
    if not isinstance(value, str) or not USERNAME.match(value):
        raise AccountError(
            "user name must be 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return value


def check_password(value: str) -> str:
    """The password, or AccountError when it is too short or too long."""
    if not isinstance(value, str) or not MIN_PASSWORD <= len(value) <= MAX_PASSWORD:
        raise AccountError(
            f"password must be {MIN_PASSWORD}-{MAX_PASSWORD} characters long"
        )
    return value


def parse_skills(value: str | list[str] | None) -> frozenset[str]:
    """Skills from ``a,b`` or a list; AccountError on a malformed one."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    skills = frozenset(s.strip().lower() for s in items if s.strip())
    for skill in skills:
        if not SKILL.match(skill):
            raise AccountError(f"invalid skill {skill!r} (a-z, 0-9, '_', '-', ':')")
    return skills


class Accounts:
    """Console accounts of one deployment (one key prefix)."""

    def __init__(self, client: Any, keys: AppKeys, queue: HandoffQueue) -> None:
        self.redis = client
        self.keys = keys
        self.queue = queue

    async def add(
        self,
        username: str,
        password: str,
        *,
        name: str = "",
        role: Role | str = Role.AGENT,
        skills: frozenset[str] = frozenset(),
        capacity: int = 3,
    ) -> Account:
        """Create or replace an account and register its agent in the queue.

        Replacing an account (a new password) signs out every session it had.
        """
        check_username(username)
        check_password(password)
        try:
            role = Role(role)
        except ValueError:
            raise AccountError("role must be agent or supervisor") from None
        if not isinstance(capacity, int) or not 0 <= capacity <= 100:
            raise AccountError("capacity must be an integer 0-100")
        name = (name or username).strip()[:MAX_NAME] or username
        digest = await asyncio.to_thread(_hasher.hash, password)
        account = Account(username, name, role, frozenset(skills), capacity)
        await self.queue.register_agent(
            Agent(id=username, name=name, capacity=capacity, skills=account.skills)
        )
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(
            self.keys.account(username),
            mapping={
                "name": name,
                "role": role.value,
                "skills": ",".join(sorted(account.skills)),
                "capacity": str(capacity),
                "password": digest,
                "disabled": "0",
                "created_at": str(round(time.time() * 1000)),
            },
        )
        pipe.sadd(self.keys.accounts, username)
        await pipe.execute()
        await end_all(self.redis, self.keys, username)  # the old password's sessions
        return account

    async def get(self, username: str) -> Account | None:
        """The account, or None when there is none (or the name is malformed)."""
        if not isinstance(username, str) or not USERNAME.match(username):
            return None
        raw = await self.redis.hgetall(self.keys.account(username))
        return _account(username, raw) if raw else None

    async def all(self) -> list[Account]:
        """Every account, sorted by id."""
        ids = sorted(await self.redis.smembers(self.keys.accounts))
        found = [await self.get(i) for i in ids]
        return [a for a in found if a is not None]

    async def set_disabled(self, username: str, disabled: bool) -> None:
        """Disable (or enable again) an account; a disabled one cannot sign in."""
        if await self.get(username) is None:
            raise AccountError(f"no account {username!r}")
        await self.redis.hset(
            self.keys.account(username), "disabled", "1" if disabled else "0"
        )

    async def authenticate(self, username: str, password: str) -> Account | None:
        """The account when the password matches (and it is enabled), else None."""
        raw: dict[str, str] = {}
        if isinstance(username, str) and USERNAME.match(username):
            raw = await self.redis.hgetall(self.keys.account(username))
        stored = raw.get("password") or _DUMMY_HASH
        if not isinstance(password, str) or len(password) > MAX_PASSWORD:
            password = ""
        try:
            await asyncio.to_thread(_hasher.verify, stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if not raw or raw.get("disabled") == "1":
            return None
        if _hasher.check_needs_rehash(stored):
            fresh = await asyncio.to_thread(_hasher.hash, password)
            await self.redis.hset(self.keys.account(username), "password", fresh)
        return _account(username, raw)


def _account(username: str, raw: dict[str, str]) -> Account:
    return Account(
        id=username,
        name=raw.get("name") or username,
        role=Role(raw.get("role") or "agent"),
        skills=frozenset(filter(None, (raw.get("skills") or "").split(","))),
        capacity=int(raw.get("capacity") or 0),
        disabled=raw.get("disabled") == "1",
    )


# KEYS: failed-attempt sets (per address, per account)
# ARGV: now (ms), window (ms), attempt id, then each set's limit
# Returns 0 when the attempt was reserved (added to every set), else the ms until
# one may try again (nothing added).
RESERVE_ATTEMPT = r"""
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local wait = 0
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local limit = math.max(1, tonumber(ARGV[i + 3]))
  if redis.call('ZCARD', key) >= limit then
    local oldest = redis.call('ZRANGE', key, -limit, -limit, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + window - now, 1)
  end
end
if wait > 0 then return wait end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, window)
end
return 0
"""


class Lockout:
    """Sign-in attempts per account and per client address in a sliding window.

    An attempt is reserved (counted) atomically before its password is verified and
    refused when either count is at its limit, so parallel attempts cannot all slip
    through while the hashes are checked. A failed attempt stays counted; a
    successful one is taken back and clears the account's earlier failures.
    """

    def __init__(
        self,
        client: Any,
        keys: AppKeys,
        *,
        max_account: int,
        max_ip: int,
        window_s: int,
    ) -> None:
        self.redis = client
        self.keys = keys
        self.max_account = max_account
        self.max_ip = max_ip
        self.window_s = window_s
        self._reserve = client.register_script(RESERVE_ATTEMPT)

    def _subjects(self, username: str, ip: str) -> list[tuple[str, int]]:
        subjects = [(self.keys.auth_failures("ip", ip or "-"), self.max_ip)]
        if isinstance(username, str) and USERNAME.match(username):
            subjects.append(
                (self.keys.auth_failures("user", username.lower()), self.max_account)
            )
        return subjects

    async def reserve(self, username: str, ip: str) -> tuple[str, float]:
        """Count a sign-in attempt before it is checked.

        Args:
            username: the name the attempt is for (as typed).
            ip: the keyed hash of the client's address.

        Returns:
            ``(attempt id, 0.0)`` when it may go ahead, else ``("", seconds until a
            sign-in may be tried again)``.
        """
        subjects = self._subjects(username, ip)
        attempt = f"{time.time() * 1000:.0f}-{secrets.token_hex(6)}"
        wait_ms = await self._reserve(
            keys=[key for key, _limit in subjects],
            args=[
                round(time.time() * 1000),
                self.window_s * 1000,
                attempt,
                *(limit for _key, limit in subjects),
            ],
        )
        if int(wait_ms) > 0:
            return "", int(wait_ms) / 1000
        return attempt, 0.0

    async def succeeded(self, username: str, ip: str, attempt: str) -> None:
        """Take a successful attempt back and forget the account's failures."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(self.keys.auth_failures("user", username.lower()))
        pipe.zrem(self.keys.auth_failures("ip", ip or "-"), attempt)
        await pipe.execute()
