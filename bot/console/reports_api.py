"""Supervisor routes for the reports (bot/report.py) and the dashboard's periods.

``GET /console/api/reports``: the generated reports (bot/report_store.py: period,
dates, when written) and the marked baselines; ``GET
/console/api/reports/{period}.html|pdf``: one of them; ``POST
/console/api/reports/baseline`` ``{"period": "2026-W44"}`` marks a week or a month as
the baseline of later reports of its kind, ``{"unmark": "week"}`` forgets one (as
``python -m bot.report --mark-baseline`` / ``--unmark-baseline``).

``GET /console/api/dashboard/range?start=2026-11-02&end=2026-11-15&baseline=week``:
the report's numbers for any range of days (UTC, both included), against as many days
before and, with ``baseline=week|month``, the marked baseline of that kind; and what
works (bot/report_phrases.py) in the range.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from bot.console.deps import ConsoleDep, Supervising, SupervisorActing, client_ref, fail

# bot.report reads bot.console.metrics, whose package imports this module: the
# report's modules are imported when a route runs.
router = APIRouter()
FILE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "img-src data:",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


class BaselineIn(BaseModel):
    """Mark a week or month as the baseline, or forget the one of a kind."""

    period: str | None = Field(default=None, max_length=20)
    unmark: str | None = Field(default=None, pattern=r"^(week|month)$")


async def _baselines(console: Any) -> dict[str, str | None]:
    from bot.report import Period, marked_baseline

    found = {}
    for kind, sample in (("week", "2026-W01"), ("month", "2026-01")):
        period = await marked_baseline(
            console.redis, console.keys, Period.parse(sample)
        )
        found[kind] = period.name if period else None
    return found


@router.get("/console/api/reports")
async def get_reports(console: ConsoleDep, who: Supervising) -> dict[str, Any]:
    """The generated reports, newest first, and the marked baselines."""
    from bot.report_store import FORMATS, ReportStore

    reports = await ReportStore(console.redis, console.keys).list()
    for report in reports:
        for kind in FORMATS:
            report[kind] = f"/console/api/reports/{report['period']}.{kind}"
    return {"reports": reports, "baselines": await _baselines(console)}


@router.get("/console/api/reports/{period}.{kind}")
async def get_report_file(
    period: str, kind: str, console: ConsoleDep, who: Supervising
) -> Response:
    """The HTML page or the PDF of a generated report."""
    from bot.report import Period
    from bot.report_store import FORMATS, ReportStore

    try:
        Period.parse(period)
    except ValueError as error:
        fail(404, "unknown_report", str(error))
    body = await ReportStore(console.redis, console.keys).read(period, kind)
    if body is None:
        fail(404, "unknown_report", f"no {kind} report of {period} has been written")
    headers = dict(FILE_HEADERS)
    if kind == "pdf":
        headers["Content-Disposition"] = f'inline; filename="{period}.pdf"'
    return Response(body, media_type=FORMATS[kind], headers=headers)


@router.post("/console/api/reports/baseline")
async def post_baseline(
    body: BaselineIn, request: Request, console: ConsoleDep, who: SupervisorActing
) -> dict[str, Any]:
    """Mark (``period``) or forget (``unmark``) a baseline; the baselines now."""
    from bot.report import Period, mark_baseline, unmark_baseline

    if (body.period is None) == (body.unmark is None):
        fail(
            422,
            "bad_baseline",
            "give a period to mark or a kind (week, month) to unmark",
        )
    if body.period is not None:
        try:
            period = Period.parse(body.period)
        except ValueError as error:
            fail(422, "bad_baseline", str(error))
        await mark_baseline(console.redis, console.keys, period)
        detail = f"mark {period.name}"
    else:
        assert body.unmark is not None
        await unmark_baseline(console.redis, console.keys, body.unmark)
        detail = f"unmark {body.unmark}"
    await console.audit.record(
        "report_baseline", agent=who.id, ip=client_ref(request), detail=detail
    )
    return {"baselines": await _baselines(console)}


@router.get("/console/api/dashboard/range")
async def get_range(
    console: ConsoleDep,
    who: Supervising,
    start: str = "",
    end: str = "",
    baseline: str = "",
) -> dict[str, Any]:
    """The numbers of a range of days against the range before (and a baseline)."""
    from bot.report import Period, build, marked_baseline
    from bot.report_render import ROWS, overview

    try:
        period = Period.between(date.fromisoformat(start), date.fromisoformat(end))
    except ValueError as error:
        fail(422, "bad_range", f"start and end are days (2026-11-02): {error}")
    against = None
    if baseline:
        if baseline not in ("week", "month"):
            fail(422, "bad_range", "baseline is week or month")
        sample = Period.parse("2026-W01" if baseline == "week" else "2026-01")
        against = await marked_baseline(console.redis, console.keys, sample)
        if against is None:
            fail(409, "no_baseline", f"no {baseline}ly baseline is marked")
    report = await build(console.redis, console.keys, console.queue, period, against)
    return {
        "period": {"name": period.name, "start": report["start"], "end": report["end"]},
        "previous": {
            "name": report["previous"]["period"],
            "start": report["previous"]["start"],
            "end": report["previous"]["end"],
        },
        "baseline": report["baseline"]["period"] if report["baseline"] else None,
        "overall": report["overall"],
        "keys": [key for key, _, _ in ROWS],
        "rows": overview(report),
        "what_works": report["what_works"],
    }
