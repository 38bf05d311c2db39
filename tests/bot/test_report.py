"""The weekly and monthly report (bot/report.py, bot/report_render.py) on a real Redis:
two weeks of conversations made by the real transcript, queue and surveys (seeded, at
fixed times on the queue's fake clock), the report's numbers against the same numbers
worked out here from what was made, then ``python -m bot.report`` as a process: its
PDF rendered by poppler (``pdftoppm``) shows the title at the top, and its text has the
title and the CSAT. The baseline a supervisor marks: its column holds the numbers of
the stored conversations of that period."""

from __future__ import annotations

import os
import random
import statistics
import subprocess
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from PIL import Image

from bot.handoff import HandoffQueue, Presence
from bot.handoff.keys import Keys
from bot.report import Period, build, marked_baseline
from bot.settings import ROOT
from bot.surveys import Surveys
from bot.transcript import Author, Entry, Transcript
from bot.upstream import EmotionClient
from tests.bot.handoff.conftest import (  # noqa: F401 - fixtures
    Clock,
    client,
    clock,
    online_agent,
    prefix,
    queue,
    request,
    shared_url,
)

W48 = datetime(2026, 11, 23, tzinfo=UTC).timestamp()  # Monday of 2026-W48
WEEK = 7 * 86400
AGENTS = ("ann", "bo")


@dataclass
class Made:
    """One conversation as the test made it."""

    id: str
    channel: str
    week: int  # 0: W48, 1: W49
    at: float  # when it began
    intensities: list[float]
    agent: str = ""  # handed to this agent ("" never handed over)
    resolved: bool = False
    wait_min: float | None = None
    answers: dict[str, int] = field(default_factory=dict)


async def make_conversations(
    client: aioredis.Redis,  # noqa: F811
    queue: HandoffQueue,  # noqa: F811
    clock: Clock,  # noqa: F811
    seed: int,
) -> list[Made]:
    rng = random.Random(seed)
    name = queue.keys.prefix
    transcript = Transcript(client, prefix=name)
    surveys = Surveys(
        client, Keys(name), transcript, queue, EmotionClient("http://127.0.0.1:9", 0.5)
    )
    for agent in AGENTS:
        await online_agent(queue, agent)
    made = []
    for n in range(40):
        week = n % 2
        at = W48 + week * WEEK + rng.uniform(3600, WEEK - 7200)
        clock.now = at
        cid = f"web-r{n}"
        item = Made(cid, rng.choice(["web", "telegram"]), week, at, [])
        for i in range(rng.randint(1, 3)):
            intensity = round(rng.uniform(0.0, 0.45), 3)  # calm: surveys are asked
            entry, _ = await transcript.append(
                cid, Entry(Author.CUSTOMER, f"m{i}", channel=item.channel, at=at + i)
            )
            reading = {"label": "neutral", "intensity": intensity, "frustration": 0}
            await transcript.annotate(cid, entry.id, reading)
            item.intensities.append(intensity)
        await transcript.describe(cid, channel=item.channel, customer_ref=f"u{n}")
        answers = {
            "csat": rng.randint(1, 5),
            "understood": rng.randint(1, 5),
            "effort": rng.randint(1, 7),
            "recommend": rng.randint(0, 10),
        }
        if rng.random() < 0.4:  # handed to a person
            item.agent = rng.choice(AGENTS)
            await queue.enqueue(replace(request(cid), channel=item.channel))
            if rng.random() < 0.8:
                item.wait_min = rng.randint(1, 30)
                clock.now = at + 60 * item.wait_min
                await queue.set_presence(item.agent, Presence.ONLINE)  # at this time
                claim = await queue.claim(item.agent, cid)
                clock.now += 10  # within the claim's lease
                resolved = await queue.resolve(item.agent, cid, claim.token)
                item.resolved = True
                if await surveys.after_person(resolved.ticket, f"1:{claim.token}"):
                    await surveys.answer(cid, answers, now=clock.now + 5)
                    item.answers = answers
        else:
            closing, _ = await transcript.append(
                cid, Entry(Author.CUSTOMER, "thanks, that's all", at=at + 10)
            )
            calm = {"label": "joy", "intensity": 0.0, "frustration": 0}
            await transcript.annotate(cid, closing.id, calm)
            item.intensities.append(0.0)
            asked = await surveys.after_bot(cid, closing, item.channel, now=at + 11)
            if asked is not None and rng.random() < 0.7:
                await surveys.answer(cid, answers, now=at + 20)
                item.answers = answers
        made.append(item)
    return made


def expected(made: list[Made]) -> dict[str, object]:
    """The overall numbers, worked out from what was made."""
    answered = [m.answers for m in made if m.answers]

    def mean(key: str) -> float | None:
        values = [a[key] for a in answered]
        return round(statistics.fmean(values), 2) if values else None

    nps = [a["recommend"] for a in answered]
    waits = sorted(m.wait_min for m in made if m.wait_min is not None)
    handed = [m for m in made if m.agent]
    return {
        "conversations": len(made),
        "surveys": len(answered),
        "csat": mean("csat"),
        "empathy": mean("understood"),
        "ces": mean("effort"),
        "nps": round(
            100 * (sum(v >= 9 for v in nps) - sum(v <= 6 for v in nps)) / len(nps)
        ),
        "fcr": round(sum(1 for m in made if not m.agent or m.resolved) / len(made), 3),
        "handoffs": len(handed),
        "escalation_rate": round(len(handed) / len(made), 3),
        "time_to_person_p50_min": round(statistics.median(waits), 1),
        "intensity_start": round(statistics.fmean(m.intensities[0] for m in made), 2),
        "intensity_end": round(statistics.fmean(m.intensities[-1] for m in made), 2),
    }


def test_weeks_and_months() -> None:
    week = Period.parse("2026-W49")
    assert (week.start.date().isoformat(), week.end.date().isoformat()) == (
        "2026-11-30",
        "2026-12-07",
    )
    assert week.previous().name == "2026-W48"
    assert Period.parse("2026-W01").previous().name == "2025-W52"
    month = Period.parse("2026-12")
    assert month.end.date().isoformat() == "2027-01-01"
    assert month.previous().name == "2026-11"
    for bad in ("2026-W54", "2026-13", "last week", "2026-W4"):
        with pytest.raises(ValueError):
            Period.parse(bad)
    # any range of whole days, against as many days before
    days = Period.between(date(2026, 11, 2), date(2026, 11, 15))
    assert (days.name, days.kind) == ("2026-11-02..2026-11-15", "range")
    assert (days.start.isoformat(), days.end.isoformat()) == (
        "2026-11-02T00:00:00+00:00",
        "2026-11-16T00:00:00+00:00",
    )
    assert days.last_day == date(2026, 11, 15)
    assert days.previous().name == "2026-10-19..2026-11-01"
    one = Period.between(date(2026, 3, 1), date(2026, 3, 1))
    assert one.previous().name == "2026-02-28..2026-02-28"
    with pytest.raises(ValueError, match="ends .* before it starts"):
        Period.between(date(2026, 11, 15), date(2026, 11, 2))
    with pytest.raises(ValueError, match="at most 366 days"):
        Period.between(date(2025, 1, 1), date(2026, 1, 2))
    assert Period.between(date(2025, 1, 1), date(2026, 1, 1)).kind == "range"


async def test_the_report_numbers_are_those_of_the_stored_conversations(
    client: aioredis.Redis,  # noqa: F811
    queue: HandoffQueue,  # noqa: F811
    clock: Clock,  # noqa: F811
    shared_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    made = await make_conversations(client, queue, clock, seed=19)
    report = await build(
        client, Keys(queue.keys.prefix), queue, Period.parse("2026-W49")
    )
    this = [m for m in made if m.week == 1]
    before = [m for m in made if m.week == 0]
    overall = {k: report["overall"][k] for k in expected(this)}
    assert overall == expected(this)
    previous = {k: report["previous"]["overall"][k] for k in expected(before)}
    assert previous == expected(before)
    # the assistant: the conversations no person took part in
    alone = [m for m in this if not m.agent]
    assert report["assistant"]["conversations"] == len(alone)
    assert report["assistant"]["surveys"] == sum(1 for m in alone if m.answers)
    assert report["assistant"]["escalation_rate"] == 0
    # by channel and by agent
    for channel in ("web", "telegram"):
        mine = [m for m in this if m.channel == channel]
        assert report["channels"][channel]["conversations"] == len(mine)
        assert report["channels"][channel]["handoffs"] == sum(
            1 for m in mine if m.agent
        )
    for agent in AGENTS:
        rated = [m.answers["csat"] for m in this if m.agent == agent and m.answers]
        assert agent in report["agents"]
        assert report["agents"][agent]["csat"] == (
            round(statistics.fmean(rated), 2) if rated else None
        )
    # the whole month holds both weeks' conversations
    month = await build(client, Keys(queue.keys.prefix), queue, Period.parse("2026-11"))
    december = datetime(2026, 12, 1, tzinfo=UTC).timestamp()
    november = [m for m in made if m.at < december]
    assert month["overall"]["conversations"] == len(november) > len(before)

    # the command writes the HTML and the PDF; the PDF shows its title
    env = os.environ | {"REDIS_URL": shared_url, "REDIS_PREFIX": queue.keys.prefix}
    done = subprocess.run(
        [
            str(ROOT / ".venv/bin/python"),
            "-m",
            "bot.report",
            "--period",
            "2026-W49",
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
    page = (tmp_path / "2026-W49.html").read_text()
    assert "<h1>Support report 2026-W49</h1>" in page
    assert f"<td>{report['overall']['csat']:.2f}</td>" in page
    pdf = tmp_path / "2026-W49.pdf"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(tmp_path / "p"),
        ],
        check=True,
        timeout=60,
    )
    [png] = list(tmp_path.glob("p*.png"))
    with Image.open(png) as image:
        gray = image.convert("L")
        width, height = gray.size
        title_band = gray.crop((0, 0, width, height // 12))
        assert min(title_band.getdata()) < 100  # the title is drawn at the top
    text = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "Support report 2026-W49" in text.splitlines()[0]
    assert f"{report['overall']['csat']:.2f}" in text


def _report_command(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-m", "bot.report", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_the_baseline_column_holds_the_numbers_of_the_baseline_period(
    client: aioredis.Redis,  # noqa: F811
    queue: HandoffQueue,  # noqa: F811
    clock: Clock,  # noqa: F811
    shared_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    made = await make_conversations(client, queue, clock, seed=23)
    keys = Keys(queue.keys.prefix)
    w48, w50 = Period.parse("2026-W48"), Period.parse("2026-W50")
    baseline = expected([m for m in made if m.week == 0])  # W48
    previous = expected([m for m in made if m.week == 1])  # W49
    report = await build(client, keys, queue, w50, w48)
    assert {k: report["baseline"]["overall"][k] for k in baseline} == baseline
    assert {k: report["previous"]["overall"][k] for k in previous} == previous
    assert report["baseline"]["period"] == "2026-W48"
    assert report["overall"]["conversations"] == 0  # nothing in W50
    assert (await build(client, keys, queue, w50))["baseline"] is None

    # a supervisor marks W48 for the weekly reports; the command then uses it
    env = os.environ | {"REDIS_URL": shared_url, "REDIS_PREFIX": queue.keys.prefix}
    assert await marked_baseline(client, keys, w50) is None
    said = _report_command(env, "--mark-baseline", "2026-W48")
    assert "2026-W48" in said
    assert await marked_baseline(client, keys, w50) == w48
    assert await marked_baseline(client, keys, Period.parse("2026-12")) is None
    _report_command(env, "--period", "2026-W50", "--out", str(tmp_path))
    page = (tmp_path / "2026-W50.html").read_text()
    assert "<th>baseline 2026-W48</th><th>vs baseline</th>" in page
    csat = (
        f"<tr><td>CSAT (1-5)</td><td>-</td><td>{previous['csat']:.2f}</td><td></td>"
        f"<td>{baseline['csat']:.2f}</td><td></td></tr>"
    )
    assert csat in page
    chats = (
        f"<tr><td>Conversations</td><td>0</td><td>{previous['conversations']}</td>"
        f"<td>{-previous['conversations']:+d}</td><td>{baseline['conversations']}"
        f"</td><td>{-baseline['conversations']:+d}</td></tr>"
    )
    assert chats in page
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "2026-W50.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "baseline 2026-W48" in text

    _report_command(env, "--unmark-baseline", "week")
    assert await marked_baseline(client, keys, w50) is None
