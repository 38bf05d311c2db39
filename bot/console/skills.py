"""Skill assessments over time (``/console/api/skills``): per agent and ISO week, the
practice scores (the practice store), the exercise accuracy (exercise answers), and
the automatic and peer empathy scores of their replies in real chats (empathy.py,
qa.py), all 0-100, with a trend per measure.

``GET /skills/{agent}``: one agent's weeks; agents may read only their own (403 for
anyone else's, written to the audit log); supervisors any. ``GET /skills``: the team
(supervisors only), each agent's latest week and trend.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request

from bot.console.deps import (
    Console,
    ConsoleDep,
    SignedIn,
    Supervising,
    fail,
    record_denied,
)
from bot.console.empathy import QA_ENTRIES, QA_TICKETS, score_transcript
from bot.console.exercises_api import answers_of
from bot.console.practice import score
from bot.console.qa import ratings
from bot.console.views import reply_context
from bot.transcript import Author

router = APIRouter(prefix="/console/api/skills")
MEASURES = ("practice", "exercises", "automatic", "peer")
WEEKS = 12  # weeks shown
TREND_STEP = 5  # points between the last two weeks that count as a change

# measure -> week -> scores (0-100)
Weekly = dict[str, dict[str, list[float]]]


def week(at: float) -> str:
    """The ISO week of a UNIX time, as ``2026-W49``."""
    year, number, _ = datetime.fromtimestamp(at, UTC).isocalendar()
    return f"{year}-W{number:02d}"


def trend(values: list[float | None]) -> str | None:
    """up, down or steady between the last two weeks with a value (None: fewer)."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return None
    change = known[-1] - known[-2]
    if change >= TREND_STEP:
        return "up"
    return "down" if change <= -TREND_STEP else "steady"


def summary(weekly: Weekly) -> dict[str, Any]:
    """Weeks (oldest first, the latest ``WEEKS`` with any value), means and trends."""
    names = sorted({w for by_week in weekly.values() for w in by_week})[-WEEKS:]

    def mean(found: list[float]) -> float | None:
        return round(statistics.fmean(found), 1) if found else None

    means = {
        m: [mean(weekly.get(m, {}).get(name, [])) for name in names] for m in MEASURES
    }
    weeks = [
        {
            "week": name,
            **{m: means[m][i] for m in MEASURES},
            "counts": {m: len(weekly.get(m, {}).get(name, [])) for m in MEASURES},
        }
        for i, name in enumerate(names)
    ]
    return {
        "weeks": weeks,
        "overall": {
            m: mean([s for found in weekly.get(m, {}).values() for s in found])
            for m in MEASURES
        },
        "trend": {m: trend(means[m]) for m in MEASURES},
    }


async def automatic_scores(console: Console) -> dict[str, dict[str, list[float]]]:
    """The automatic empathy score (0-100) of each agent reply in the latest
    handoffs, by agent and week."""
    tickets = sorted(
        await console.queue.tickets(await console.queue.ticket_ids()),
        key=lambda t: t.created_at or 0,
        reverse=True,
    )[:QA_TICKETS]
    found: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for ticket in tickets:
        entries = await console.transcript.last(ticket.id, QA_ENTRIES)
        cards = score_transcript(entries, *reply_context(ticket))
        for entry in entries:
            card = cards.get(entry.id)
            if card and entry.author is Author.AGENT and entry.agent_id:
                found[entry.agent_id][week(entry.at)].append(100 * card.score)
    return found


async def weekly_of(
    console: Console,
    agent_id: str,
    automatic: dict[str, dict[str, list[float]]],
    peer: list[dict[str, Any]],
) -> Weekly:
    """One agent's scores by measure and week."""
    weekly: Weekly = {m: defaultdict(list) for m in MEASURES}
    for practice in await console.practices.of_agent(agent_id, count=100):
        found = score(practice)
        if practice.finished and found is not None:
            weekly["practice"][week(practice.started_at)].append(found)
    for answer in await answers_of(console, agent_id):
        weekly["exercises"][week(float(answer["at"]))].append(float(answer["score"]))
    weekly["automatic"] = automatic.get(agent_id, {})
    for record in peer:
        if record.get("agent") == agent_id:
            weekly["peer"][week(float(record["at"]))].append(100 * record["score"])
    return weekly


@router.get("")
async def get_team(console: ConsoleDep, who: Supervising) -> dict[str, Any]:
    """Every agent's skills: the latest week, overall means and trends."""
    automatic = await automatic_scores(console)
    peer = list((await ratings(console)).values())
    team = []
    for account in await console.accounts.all():
        found = summary(await weekly_of(console, account.id, automatic, peer))
        team.append(
            {
                "agent": account.id,
                "name": account.name,
                "role": account.role.value,
                "latest": found["weeks"][-1] if found["weeks"] else None,
                "overall": found["overall"],
                "trend": found["trend"],
            }
        )
    return {"team": team, "measures": list(MEASURES)}


@router.get("/{agent_id}")
async def get_agent_skills(
    agent_id: str, request: Request, console: ConsoleDep, who: SignedIn
) -> dict[str, Any]:
    """One agent's skills by week (agents: only their own)."""
    if agent_id != who.id and not who.account.supervisor:
        await record_denied(
            console, request, who.id, "not_yours", detail=f"skills {agent_id[:64]}"
        )
        fail(403, "not_yours", "agents see only their own skills")
    account = await console.accounts.get(agent_id)
    if account is None:
        fail(404, "unknown_agent", "there is no such agent")
    automatic = await automatic_scores(console)
    peer = list((await ratings(console)).values())
    return {
        "agent": account.id,
        "name": account.name,
        "measures": list(MEASURES),
        **summary(await weekly_of(console, account.id, automatic, peer)),
    }
