"""Where practice conversations are kept: their own Redis keys, with a TTL.

``{es}:practice:<id>`` holds one practice as JSON and ``{es}:practices:<agent>``
the agent's practices by start time (bot/rediskeys.py); both expire after
``PRACTICE_TTL_S``, and an agent keeps their latest ``PRACTICES_MAX``. Nothing here
writes a ticket, a transcript, the queue's events, a survey or the customer index, so
practices never reach the queue, the dashboards, the reports or the customer's
history. A change is a compare-and-set (a Lua script
on the one key), so two replies sent at once cannot both be taken.
"""

from __future__ import annotations

import json
from typing import Any

from bot.console.practice import Practice
from bot.rediskeys import PRACTICE_TTL_S, PRACTICES_MAX, AppKeys

# KEYS[1] the practice; ARGV[1] the record as read, ARGV[2] the new one
REPLACE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
"""


class PracticeStore:
    """Practice conversations of one deployment."""

    def __init__(self, client: Any, keys: AppKeys, ttl_s: int = PRACTICE_TTL_S):
        self.redis = client
        self.keys = keys
        self.ttl_s = ttl_s
        self._replace = client.register_script(REPLACE)

    async def create(self, practice: Practice) -> None:
        """Keep a new practice and list it under its agent (who keeps their latest
        ``PRACTICES_MAX``: older ones are deleted)."""
        index = self.keys.practices(practice.agent)
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(
            self.keys.practice(practice.id),
            json.dumps(practice.to_dict()),
            ex=self.ttl_s,
        )
        pipe.zadd(index, {practice.id: practice.started_at})
        pipe.zrange(index, 0, -PRACTICES_MAX - 1)
        pipe.expire(index, self.ttl_s)
        old = (await pipe.execute())[2]
        if old:
            pipe = self.redis.pipeline(transaction=True)
            pipe.delete(*[self.keys.practice(i) for i in old])
            pipe.zrem(index, *old)
            await pipe.execute()

    async def get(self, practice_id: str) -> tuple[Practice, str] | None:
        """The practice and its record as stored (for ``replace``), or None."""
        raw = await self.redis.get(self.keys.practice(practice_id))
        if raw is None:
            return None
        return Practice.from_dict(json.loads(raw)), str(raw)

    async def replace(self, practice: Practice, read: str) -> bool:
        """Store the changed practice, unless it changed since it was ``read``."""
        done = await self._replace(
            keys=[self.keys.practice(practice.id)],
            args=[read, json.dumps(practice.to_dict())],
        )
        return bool(done)

    async def of_agent(self, agent_id: str, count: int = 20) -> list[Practice]:
        """The agent's latest practices that are still kept, newest first."""
        ids = await self.redis.zrevrange(self.keys.practices(agent_id), 0, count - 1)
        if not ids:
            return []
        raws = await self.redis.mget([self.keys.practice(i) for i in ids])
        return [Practice.from_dict(json.loads(r)) for r in raws if r is not None]
