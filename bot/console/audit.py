"""The console's append-only audit log: a Redis stream nobody edits.

Claims, replies, notes, transfers, releases, resolves, sign-ins and every refused
request (failed login, lock-out, missing role, someone else's chat, CSRF) are appended
with who, which chat, from where and when. The console has no route that changes or
deletes entries; old ones leave only through the stream's length cap.
"""

from __future__ import annotations

import time
from typing import Any

from bot.handoff.keys import AUDIT_MAXLEN, Keys

MAX_DETAIL = 500


class Audit:
    """Append to and read the audit stream of one deployment."""

    def __init__(self, client: Any, keys: Keys) -> None:
        self.redis = client
        self.keys = keys

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
        """Append one entry; returns its stream id."""
        fields = {
            "action": action,
            "agent": agent,
            "ticket": ticket,
            "ip": ip,
            "outcome": outcome,
            "detail": detail[:MAX_DETAIL],
            "at": str(round(time.time() * 1000)),
        }
        entry_id = await self.redis.xadd(
            self.keys.audit,
            {k: v for k, v in fields.items() if v},
            maxlen=AUDIT_MAXLEN,
            approximate=True,
        )
        return str(entry_id)

    async def read(self, before: str = "+", count: int = 200) -> list[dict[str, Any]]:
        """The newest ``count`` entries up to ``before``, newest first."""
        raw = await self.redis.xrevrange(self.keys.audit, max=before, count=count)
        out = []
        for entry_id, fields in raw:
            item: dict[str, Any] = {"id": str(entry_id), **fields}
            item["at"] = int(fields.get("at") or 0) / 1000
            out.append(item)
        return out
