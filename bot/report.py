"""The weekly or monthly report: ``python -m bot.report --period 2026-W49`` (an ISO
week) or ``--month 2026-11`` writes an HTML and a PDF file (bot/report_render.py).

Its numbers come from what is stored (``REDIS_URL``, ``REDIS_PREFIX``): the
conversations that started in the period (their channel and the emotion readings of
the customer's messages), the handoffs that began in it (tickets and earlier
handoffs) and the surveys answered in it (bot/surveys.py). For everyone, by channel,
by agent and for the assistant (conversations no person took part in): CSAT, the
empathy rating ("How well did we understand and address your feelings?"), CES, NPS,
first-contact resolution, escalation rate, time to a person and the intensity of the
customer's feelings at the start vs the end of a conversation; each against the period
before and against a baseline period: ``--baseline 2026-W44`` (or a month), else the
one a supervisor marked with ``--mark-baseline 2026-W44`` (kept in Redis, one week and
one month, ``--unmark-baseline week``), which the e-mailed reports use too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.console.metrics import percentile
from bot.handoff import HandoffQueue, Ticket, TicketState
from bot.handoff.keys import Keys

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
PROMOTER, DETRACTOR = 9, 6  # NPS: 9-10 promote, 0-6 detract


@dataclass(frozen=True)
class Period:
    """A week or a month, [start, end) in UTC."""

    name: str
    start: datetime
    end: datetime

    @classmethod
    def parse(cls, name: str) -> Period:
        """``2026-W49`` (ISO week) or ``2026-11`` (month); ValueError otherwise."""
        if match := WEEK.match(name):
            start = datetime.fromisocalendar(int(match[1]), int(match[2]), 1)
            start = start.replace(tzinfo=UTC)
            return cls(name, start, start + timedelta(days=7))
        if match := MONTH.match(name):
            year, month = int(match[1]), int(match[2])
            start = datetime(year, month, 1, tzinfo=UTC)
            end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
            return cls(name, start, end)
        raise ValueError(f"not a week (2026-W49) or a month (2026-11): {name!r}")

    def previous(self) -> Period:
        """The week or month before."""
        if WEEK.match(self.name):
            start = self.start - timedelta(days=7)
            year, week, _ = start.isocalendar()
            return Period(f"{year}-W{week:02d}", start, self.start)
        start = (self.start - timedelta(days=1)).replace(day=1)
        return Period(start.strftime("%Y-%m"), start, self.start)

    @property
    def kind(self) -> str:
        """``week`` or ``month``."""
        return "week" if WEEK.match(self.name) else "month"

    def holds(self, at: float | None) -> bool:
        """Whether UNIX time ``at`` is in the period."""
        return at is not None and self.start.timestamp() <= at < self.end.timestamp()


@dataclass(frozen=True)
class Conversation:
    """A conversation that started in the period."""

    id: str
    channel: str
    started: float
    first: float | None  # intensity of the customer's first reading
    last: float | None  # ...and of their last


@dataclass
class PeriodData:
    """What one period's numbers are computed from."""

    period: Period
    conversations: list[Conversation]
    tickets: list[Ticket]
    surveys: list[dict[str, Any]]


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _stream_order(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms or 0), int(seq or 0)


async def collect(
    client: Any, keys: Keys, queue: HandoffQueue, period: Period
) -> PeriodData:
    """Read the period's conversations, handoffs and survey answers."""
    start_ms, end_ms = period.start.timestamp() * 1000, period.end.timestamp() * 1000
    conversations = []
    tag = "{" + keys.prefix + ":"
    async for raw in client.scan_iter(match=keys.conversation("*"), count=500):
        key = _s(raw)
        cid = key[len(tag) : key.rindex("}")]
        first_at, channel = await client.hmget(key, ["first_at", "channel"])
        if first_at is None or not start_ms <= int(first_at) < end_ms:
            continue
        readings = await client.hgetall(keys.emotion(cid))
        ordered = sorted(
            ((_s(k), _s(v)) for k, v in readings.items()),
            key=lambda kv: _stream_order(kv[0]),
        )
        values = [float(json.loads(v).get("intensity") or 0.0) for _, v in ordered]
        conversations.append(
            Conversation(
                cid,
                _s(channel or "") or "unknown",
                int(first_at) / 1000,
                values[0] if values else None,
                values[-1] if values else None,
            )
        )
    ids = [
        keys.ticket_id(_s(k))
        async for k in client.scan_iter(match=keys.ticket_pattern, count=500)
    ]
    tickets = await queue.tickets(ids) if ids else []
    for ticket_id in ids:
        tickets.extend(await queue.history(ticket_id))
    tickets = [t for t in tickets if period.holds(t.created_at or t.queued_at)]
    raw_surveys = await client.zrangebyscore(
        keys.survey_answers, start_ms, f"({end_ms:.0f}"
    )
    surveys = [json.loads(_s(r)) for r in raw_surveys]
    return PeriodData(
        period, sorted(conversations, key=lambda c: c.started), tickets, surveys
    )


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def _answers(surveys: list[dict[str, Any]], question: str) -> list[float]:
    return [float(v) for s in surveys if (v := s["answers"].get(question)) is not None]


def numbers(
    conversations: list[Conversation],
    tickets: list[Ticket],
    surveys: list[dict[str, Any]],
) -> dict[str, Any]:
    """One group's numbers (``None`` where there is nothing to count).

    FCR: of the conversations, those settled in one contact: never handed over, or
    handed over once and resolved by the first person without a transfer or a
    re-offer. Escalation rate: handoffs per conversation. NPS: % answers 9-10 minus %
    answers 0-6."""
    by_conversation: dict[str, list[Ticket]] = defaultdict(list)
    for ticket in tickets:
        by_conversation[ticket.id].append(ticket)
    settled = 0
    for conversation in conversations:
        handoffs = by_conversation.get(conversation.id, [])
        if not handoffs:
            settled += 1
        elif len(handoffs) == 1:
            t = handoffs[0]
            if t.state is TicketState.RESOLVED and not t.transfers and not t.reoffers:
                settled += 1
    waits = [w / 60 for t in tickets if (w := t.waited()) is not None]
    nps = _answers(surveys, "recommend")
    firsts = [c.first for c in conversations if c.first is not None]
    lasts = [c.last for c in conversations if c.last is not None]
    n = len(conversations)
    return {
        "conversations": n,
        "surveys": len(surveys),
        "csat": _mean(_answers(surveys, "csat")),
        "empathy": _mean(_answers(surveys, "understood")),
        "ces": _mean(_answers(surveys, "effort")),
        "nps": round(
            100
            * (sum(v >= PROMOTER for v in nps) - sum(v <= DETRACTOR for v in nps))
            / len(nps)
        )
        if nps
        else None,
        "nps_answers": len(nps),
        "fcr": round(settled / n, 3) if n else None,
        "handoffs": len(tickets),
        "escalation_rate": round(len(tickets) / n, 3) if n else None,
        "time_to_person_p50_min": _round(percentile(waits, 50)),
        "time_to_person_p95_min": _round(percentile(waits, 95)),
        "intensity_start": _mean(firsts),
        "intensity_end": _mean(lasts),
    }


def _round(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def summarize(data: PeriodData) -> dict[str, Any]:
    """Every group's numbers for one period."""
    convs, tickets, surveys = data.conversations, data.tickets, data.surveys
    handed = {t.id for t in tickets}
    channels = sorted(
        {c.channel for c in convs} | {t.channel or "unknown" for t in tickets}
    )
    agents = sorted({a for t in tickets if (a := t.agent_id or t.last_agent)})
    by_agent = {}
    for agent in agents:
        theirs = [t for t in tickets if (t.agent_id or t.last_agent) == agent]
        ids = {t.id for t in theirs}
        by_agent[agent] = numbers(
            [c for c in convs if c.id in ids],
            theirs,
            [s for s in surveys if s.get("agent") == agent],
        )
    return {
        "period": data.period.name,
        "start": data.period.start.date().isoformat(),
        "end": (data.period.end - timedelta(days=1)).date().isoformat(),
        "overall": numbers(convs, tickets, surveys),
        "assistant": numbers(
            [c for c in convs if c.id not in handed],
            [],
            [s for s in surveys if s.get("kind") == "bot"],
        ),
        "channels": {
            ch: numbers(
                [c for c in convs if c.channel == ch],
                [t for t in tickets if (t.channel or "unknown") == ch],
                [s for s in surveys if s.get("channel") == ch],
            )
            for ch in channels
        },
        "agents": by_agent,
    }


async def build(
    client: Any,
    keys: Keys,
    queue: HandoffQueue,
    period: Period,
    baseline: Period | None = None,
) -> dict[str, Any]:
    """The report of ``period``, the one before (``previous``) and ``baseline``
    (None without one)."""
    current = await collect(client, keys, queue, period)
    before = await collect(client, keys, queue, period.previous())
    report = summarize(current)
    report["previous"] = summarize(before)
    report["baseline"] = (
        summarize(await collect(client, keys, queue, baseline)) if baseline else None
    )
    report["tickets"] = current.tickets  # for the charts
    return report


async def marked_baseline(client: Any, keys: Keys, period: Period) -> Period | None:
    """The baseline a supervisor marked for reports of ``period``'s kind."""
    name = await client.hget(keys.report_baseline, period.kind)
    return Period.parse(_s(name)) if name else None


async def mark_baseline(client: Any, keys: Keys, baseline: Period) -> None:
    """Mark ``baseline`` for every later report of its kind (week or month)."""
    await client.hset(keys.report_baseline, baseline.kind, baseline.name)


async def unmark_baseline(client: Any, keys: Keys, kind: str) -> None:
    """No baseline for reports of ``kind`` (``week`` or ``month``) from now on."""
    await client.hdel(keys.report_baseline, kind)


async def _main(args: argparse.Namespace) -> list[Path]:
    from bot.redisurl import async_client
    from bot.report_render import write
    from bot.settings import get_settings

    settings = get_settings()
    client = async_client(settings.redis_url, decode_responses=True)
    keys = Keys(settings.redis_prefix)
    try:
        if args.mark_baseline:
            await mark_baseline(client, keys, Period.parse(args.mark_baseline))
            return []
        if args.unmark_baseline:
            await unmark_baseline(client, keys, args.unmark_baseline)
            return []
        period = Period.parse(args.period or args.month)
        baseline = (
            Period.parse(args.baseline)
            if args.baseline
            else await marked_baseline(client, keys, period)
        )
        queue = HandoffQueue(client, prefix=settings.redis_prefix)
        report = await build(client, keys, queue, period, baseline)
    finally:
        await client.aclose()
    return write(report, Path(args.out))


def main(argv: list[str] | None = None) -> int:
    """Write the report of a week or a month as HTML and PDF."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.report", description=__doc__.split("\n\n")[0]
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--period", help="an ISO week, e.g. 2026-W49")
    which.add_argument("--month", help="a month, e.g. 2026-11")
    which.add_argument(
        "--mark-baseline",
        metavar="PERIOD",
        help="mark a week or month as the baseline of later reports of its kind "
        "(also the e-mailed ones)",
    )
    which.add_argument(
        "--unmark-baseline", choices=("week", "month"), help="forget a marked baseline"
    )
    parser.add_argument(
        "--baseline",
        metavar="PERIOD",
        help="compare with this week or month (default: the marked one, if any)",
    )
    parser.add_argument(
        "--out", default="var/reports", help="folder for the files (var/reports)"
    )
    args = parser.parse_args(argv)
    try:
        for name in (args.period, args.month, args.mark_baseline, args.baseline):
            if name is not None:
                Period.parse(name)
    except ValueError as error:
        parser.error(str(error))
    for path in asyncio.run(_main(args)):
        print(path)
    if args.mark_baseline:
        period = Period.parse(args.mark_baseline)
        print(f"baseline of the {period.kind}ly reports: {period.name}")
    elif args.unmark_baseline:
        print(f"no baseline for the {args.unmark_baseline}ly reports")
    return 0


if __name__ == "__main__":
    sys.exit(main())
