"""The generated reports, kept in Redis so that every gateway's console lists and
serves them: ``python -m bot.report`` and the e-mailed reports (bot/report_mail.py)
store the HTML and the PDF of each period they write (the latest of a period wins).
The latest ``KEEP`` periods are kept; older ones are deleted as a new one arrives.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from bot.rediskeys import AppKeys
from bot.report import Period

KEEP = 80  # about a year of weekly and monthly reports
FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class ReportStore:
    """Store, list and read the generated reports of one deployment."""

    def __init__(self, client: Any, keys: AppKeys) -> None:
        self.redis = client
        self.keys = keys

    async def save(self, period: str, files: list[Path], at: float) -> None:
        """Keep the report ``files`` (``<period>.html`` and ``.pdf``) written at UNIX
        time ``at``."""
        Period.parse(period)  # a week or a month, nothing else
        values: dict[str, str] = {"at": str(round(at * 1000))}
        for path in files:
            kind = path.suffix.lstrip(".")
            if kind in FORMATS:
                values[kind] = base64.b64encode(path.read_bytes()).decode()
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(self.keys.report_file(period), mapping=values)
        pipe.zadd(self.keys.reports, {period: round(at * 1000)})
        await pipe.execute()
        old = await self.redis.zrange(self.keys.reports, 0, -KEEP - 1)
        if old:
            pipe = self.redis.pipeline(transaction=True)
            pipe.zrem(self.keys.reports, *old)
            pipe.delete(*(self.keys.report_file(_s(p)) for p in old))
            await pipe.execute()

    async def list(self) -> list[dict[str, Any]]:
        """The reports, newest written first: period, kind, dates and when written."""
        found = []
        for raw, ms in await self.redis.zrevrange(
            self.keys.reports, 0, -1, withscores=True
        ):
            period = Period.parse(_s(raw))
            found.append(
                {
                    "period": period.name,
                    "kind": period.kind,
                    "start": period.start.date().isoformat(),
                    "end": period.last_day.isoformat(),
                    "written_at": ms / 1000,
                }
            )
        return found

    async def read(self, period: str, kind: str) -> bytes | None:
        """The ``html`` or ``pdf`` of a period's report, None when there is none."""
        if kind not in FORMATS:
            return None
        raw = await self.redis.hget(self.keys.report_file(period), kind)
        return base64.b64decode(_s(raw)) if raw else None
