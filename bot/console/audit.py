"""The console's append-only audit log: a Redis stream nobody edits.

Claims, replies, notes, transfers, releases, resolves, sign-ins and the refusals of
signed-in people (missing role, someone else's chat, CSRF) are appended with who, which
chat, from where (a keyed hash of the address, never the address) and when.

Refusals of anonymous callers (failed or locked-out sign-ins, a sign-in without the
login page's token, a console socket from another site) are not one entry each: anyone
could send millions and push the real entries out. They are counted per minute in one
hash, and each minute with refusals becomes a single summary entry (``anonymous``,
outcome ``summary``, detail ``login:failed=812 login:locked=4700 ...``) once the minute
is over. So anonymous traffic adds at most one entry a minute.

The console has no route that changes or deletes entries; old ones leave after the
retention period (RETENTION_DAYS) or through the stream's length cap.
"""

from __future__ import annotations

import time
from typing import Any

from bot.rediskeys import AUDIT_MAXLEN, AppKeys

MAX_DETAIL = 500

# KEYS: the open minute's counts (hash), the audit stream
# ARGV: this minute (UNIX minutes), what to count ('' = only close an ended minute),
#       stream length cap, counts TTL (s)
# A minute's counts become one summary entry when a later minute begins (or the log
# is read); returns the summary's stream id, or '' when none was written.
COUNT_ANONYMOUS = r"""
local counts, stream = KEYS[1], KEYS[2]
local minute, what = ARGV[1], ARGV[2]
local written = ''
local open = redis.call('HGET', counts, '_minute')
if open and tonumber(open) < tonumber(minute) then
  local raw = redis.call('HGETALL', counts)
  local parts = {}
  for i = 1, #raw, 2 do
    if raw[i] ~= '_minute' then parts[#parts + 1] = raw[i] .. '=' .. raw[i + 1] end
  end
  table.sort(parts)
  written = redis.call('XADD', stream, 'MAXLEN', '~', ARGV[3], '*',
    'action', 'anonymous', 'outcome', 'summary', 'detail', table.concat(parts, ' '),
    'at', tostring(tonumber(open) * 60000))
  redis.call('DEL', counts)
end
if what ~= '' then
  -- (a gateway whose clock lags a little counts into the open, later minute)
  redis.call('HSETNX', counts, '_minute', minute)
  redis.call('HINCRBY', counts, what, 1)
  redis.call('EXPIRE', counts, ARGV[4])
end
return written
"""


class Audit:
    """Append to and read the audit stream of one deployment."""

    def __init__(self, client: Any, keys: AppKeys, *, retention_s: int) -> None:
        self.redis = client
        self.keys = keys
        self.retention_s = retention_s
        self._count = client.register_script(COUNT_ANONYMOUS)

    async def record(
        self,
        action: str,
        *,
        agent: str = "",
        ticket: str = "",
        ip: str = "",
        outcome: str = "ok",
        detail: str = "",
    ) -> str:
        """Append one entry of a signed-in person; returns its stream id.

        ``ip`` is the keyed hash of the caller's address (``client_ref`` gives it).
        """
        now = time.time()
        fields = {
            "action": action,
            "agent": agent,
            "ticket": ticket,
            "ip": ip,
            "outcome": outcome,
            "detail": detail[:MAX_DETAIL],
            "at": str(round(now * 1000)),
        }
        pipe = self.redis.pipeline(transaction=True)
        pipe.xadd(
            self.keys.audit,
            {k: v for k, v in fields.items() if v},
            maxlen=AUDIT_MAXLEN,
            approximate=True,
        )
        # exact: old entries leave one by one as new ones come (no backlog to trim)
        pipe.xtrim(self.keys.audit, minid=self._oldest_kept(now), approximate=False)
        pipe.expire(self.keys.audit, self.retention_s)
        entry_id, *_ = await pipe.execute()
        return str(entry_id)

    async def anonymous(self, action: str, outcome: str) -> None:
        """Count a refusal of an anonymous caller in this minute's summary."""
        await self._count(
            keys=[self.keys.audit_anonymous, self.keys.audit],
            args=[_minute(), f"{action}:{outcome}", AUDIT_MAXLEN, self.retention_s],
        )

    async def read(self, before: str = "+", count: int = 200) -> list[dict[str, Any]]:
        """The newest ``count`` entries up to ``before``, newest first (a minute of
        anonymous refusals that has ended is summed up first)."""
        await self._count(
            keys=[self.keys.audit_anonymous, self.keys.audit],
            args=[_minute(), "", AUDIT_MAXLEN, self.retention_s],
        )
        raw = await self.redis.xrevrange(self.keys.audit, max=before, count=count)
        out = []
        for entry_id, fields in raw:
            item: dict[str, Any] = {"id": str(entry_id), **fields}
            item["at"] = int(fields.get("at") or 0) / 1000
            out.append(item)
        return out

    def _oldest_kept(self, now: float) -> str:
        return f"{max(0, round((now - self.retention_s) * 1000))}-0"


def _minute() -> int:
    return int(time.time() // 60)
