"""The generated reports kept in Redis (bot/report_store.py) on a real Redis: the
latest ``KEEP`` periods are listed newest first with their files, older ones are
deleted as a new one arrives, a period written again replaces its files, and a name
that is no week or month is refused with nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.handoff.keys import Keys
from bot.report_store import KEEP, ReportStore
from tests.bot.handoff.conftest import client, prefix, shared_url  # noqa: F401

MONDAY = datetime(2026, 1, 5, tzinfo=UTC)  # 2026-W02


def files(folder: Path, period: str, text: str) -> list[Path]:
    page, pdf = folder / f"{period}.html", folder / f"{period}.pdf"
    page.write_text(f"<h1>{text}</h1>")
    pdf.write_bytes(b"%PDF-" + text.encode())
    return [page, pdf]


async def test_the_latest_reports_are_kept_and_older_ones_deleted(
    client: aioredis.Redis,  # noqa: F811
    prefix: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    keys = Keys(prefix)
    store = ReportStore(client, keys)
    weeks = []
    for n in range(KEEP + 2):
        year, week, _ = (MONDAY + timedelta(weeks=n)).isocalendar()
        weeks.append(f"{year}-W{week:02d}")
        await store.save(weeks[-1], files(tmp_path, weeks[-1], weeks[-1]), 1000.0 + n)
    listed = await store.list()
    assert [r["period"] for r in listed] == weeks[::-1][:KEEP]
    assert listed[0]["written_at"] == 1000.0 + KEEP + 1
    assert (listed[-1]["kind"], listed[-1]["start"]) == ("week", "2026-01-19")
    for old in weeks[:2]:
        assert await store.read(old, "pdf") is None
        assert not await client.exists(keys.report_file(old))
    # written again: the new files, listed as written later
    await store.save(weeks[5], files(tmp_path, weeks[5], "again"), 5000.0)
    assert await store.read(weeks[5], "html") == b"<h1>again</h1>"
    assert (await store.list())[0]["period"] == weeks[5]
    # not a week or a month: refused, nothing stored
    with pytest.raises(ValueError, match="not a week"):
        await store.save("../etc", files(tmp_path, "x", "x"), 6000.0)
    assert len(await store.list()) == KEEP
