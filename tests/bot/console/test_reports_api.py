"""The reports and the dashboard's periods through the console's API on the real
stack (bot/console/reports_api.py): a report written by ``python -m bot.report`` is
listed with its HTML and PDF, which are served to supervisors only; a supervisor marks
and forgets a baseline (bad input refused, nothing changed); the numbers of any range
of days are those of the report of the same days, against as many days before and the
baseline, with what works in it. The conversations are made in 2031 (seeded, by the
real transcript and surveys), where nothing else of the test stack is."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import redis.asyncio as aioredis

from bot.handoff import HandoffQueue
from bot.handoff.keys import Keys
from bot.report import Period, build, marked_baseline
from bot.settings import ROOT, Settings
from tests.bot.console.conftest import ConsoleClient, Maker
from tests.bot.handoff.conftest import Clock
from tests.bot.test_report_highlights import TEMPLATE, make

W10 = datetime(2031, 3, 3, tzinfo=UTC).timestamp()  # Monday of 2031-W10


async def _forget(rds: aioredis.Redis, keys: Keys, base: float) -> None:
    """The 2031 conversations, answers and reports the test made (under its own
    prefix: another run on the same Redis makes conversations of the same names)."""
    match = f"*{keys.prefix}*web-h{round(base)}-*"
    found = [k async for k in rds.scan_iter(match=match)]
    for period in ("2031-W10", "2031-W09"):
        found += [keys.report_file(period), keys.report(period)]
        await rds.zrem(keys.reports, period)
    await rds.delete(*found)
    await rds.zremrangebyscore(keys.survey_answers, base * 1000, "+inf")


async def test_reports_baselines_and_any_period(
    rds: aioredis.Redis,
    stack_settings: Settings,
    make_account: Maker,
    clients: Callable[..., ConsoleClient],
    tmp_path: Path,
) -> None:
    prefix = stack_settings.redis_prefix
    keys = Keys(prefix)
    clock = Clock(W10)
    queue = HandoffQueue(rds, prefix=prefix, clock=clock)
    marked = await rds.hgetall(keys.report_baseline)
    try:
        made = await make(rds, queue, clock, base=W10)
        env = os.environ | {
            "REDIS_URL": stack_settings.redis_url,
            "REDIS_PREFIX": prefix,
        }
        for period in ("2031-W09", "2031-W10"):
            done = subprocess.run(
                [
                    str(ROOT / ".venv/bin/python"),
                    "-m",
                    "bot.report",
                    "--period",
                    period,
                    "--out",
                    str(tmp_path),
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert done.returncode == 0, done.stderr

        supervisor = clients().login(*await make_account("supervisor"))
        agent = clients().login(*await make_account("agent"))
        listed = supervisor.get("/console/api/reports").json()
        mine = {
            r["period"]: r for r in listed["reports"] if r["period"].startswith("2031")
        }
        assert set(mine) == {"2031-W09", "2031-W10"}
        w10 = mine["2031-W10"]
        assert (w10["kind"], w10["start"], w10["end"]) == (
            "week",
            "2031-03-03",
            "2031-03-09",
        )
        assert w10["html"] == "/console/api/reports/2031-W10.html"
        page = supervisor.get(w10["html"])
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "<h1>Support report 2031-W10</h1>" in page.text
        assert "Interactions to celebrate" in page.text
        assert page.text == (tmp_path / "2031-W10.html").read_text()
        pdf = supervisor.get(w10["pdf"])
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf.content == (tmp_path / "2031-W10.pdf").read_bytes()
        for bad in ("2031-W11.html", "2031-W10.exe", "2031-W99.html", "..%2Fx.html"):
            refused = supervisor.get("/console/api/reports/" + bad)
            assert refused.status_code == 404, bad
        assert agent.get("/console/api/reports").status_code == 403
        assert agent.get(w10["pdf"]).status_code == 403

        # a supervisor marks a baseline; bad input is refused and changes nothing
        said = supervisor.post("/console/api/reports/baseline", {"period": "2031-W09"})
        assert said.status_code == 200, said.text
        assert said.json()["baselines"]["week"] == "2031-W09"
        assert await marked_baseline(
            rds, keys, Period.parse("2031-W10")
        ) == Period.parse("2031-W09")
        for body in (
            {"period": "last week"},
            {"period": "2031-W09", "unmark": "week"},
            {},
            {"unmark": "year"},
        ):
            refused = supervisor.post("/console/api/reports/baseline", body)
            assert refused.status_code == 422, body
            assert await rds.hget(keys.report_baseline, "week") == "2031-W09"
        assert (
            agent.post(
                "/console/api/reports/baseline", {"period": "2031-W10"}
            ).status_code
            == 403
        )
        no_token = supervisor.http.post(
            "/console/api/reports/baseline", json={"period": "2031-W10"}
        )
        assert no_token.status_code == 403
        assert await rds.hget(keys.report_baseline, "week") == "2031-W09"

        # any range of days: the report's numbers of the same days
        got = supervisor.get(
            "/console/api/dashboard/range",
            params={"start": "2031-03-03", "end": "2031-03-09", "baseline": "week"},
        )
        assert got.status_code == 200, got.text
        data = got.json()
        report = await build(
            rds, keys, queue, Period.parse("2031-W10"), Period.parse("2031-W09")
        )
        assert data["overall"] == report["overall"]
        assert data["overall"]["conversations"] == len(made)
        assert data["previous"] == {
            "name": "2031-02-24..2031-03-02",
            "start": "2031-02-24",
            "end": "2031-03-02",
        }
        assert data["baseline"] == "2031-W09"
        assert data["rows"][0][-2:] == ["baseline 2031-W09", "vs baseline"]
        assert data["what_works"] == report["what_works"]
        assert {r["family"] for r in data["what_works"]["rows"]} >= {TEMPLATE}
        for params, code in (
            ({"start": "2031-03-09", "end": "2031-03-03"}, 422),
            ({"start": "yesterday", "end": "2031-03-03"}, 422),
            ({"start": "2029-01-01", "end": "2031-03-03"}, 422),
            ({"start": "2031-03-03", "end": "2031-03-09", "baseline": "year"}, 422),
        ):
            refused = supervisor.get("/console/api/dashboard/range", params=params)
            assert refused.status_code == code, (params, refused.text)
            assert refused.json()["detail"]["message"]

        said = supervisor.post("/console/api/reports/baseline", {"unmark": "week"})
        assert said.json()["baselines"]["week"] is None
        refused = supervisor.get(
            "/console/api/dashboard/range",
            params={"start": "2031-03-03", "end": "2031-03-09", "baseline": "week"},
        )
        assert refused.status_code == 409
    finally:
        await rds.delete(keys.report_baseline)
        if marked:
            await rds.hset(keys.report_baseline, mapping=marked)
        await _forget(rds, keys, W10)
