"""Supervisor numbers, computed from the handoff tickets in Redis.

``summarize`` reads every ticket (the current handoff of each conversation) and the
archived earlier handoffs, and returns: escalation rate (handoffs per conversation),
time to a human (p50/p95), waiting now, CSAT and "did you feel understood?" (the
empathy rating), first-contact resolution, intensity at the start vs the end of each
handoff, per-agent load (including emotional load: intense chats taken in the last
hour and over the shift, ``SHIFT_S``), and the same by channel and by day.
``chart_svg`` draws them with matplotlib as SVG (server-side: no chart script
in the browser; ``chart_figure`` is the same drawing for the reports,
bot/report_render.py). ``csv_text`` is the export, one row per handoff, with e-mail
addresses, card and phone numbers masked.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.handoff import AgentView, EmotionSnapshot, HandoffQueue, Ticket, TicketState
from bot.handoff.keys import Keys
from bot.privacy import redact

DAYS = 14
SHIFT_S = 8 * 3600  # an agent's shift: the intense chats taken in it (burnout care)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Data:
    """Everything the dashboard is computed from."""

    tickets: list[Ticket]
    conversations: int
    agents: list[AgentView]
    waiting: int
    now: float = field(default_factory=time.time)
    load_window: float = 3600.0  # "last hour" of the agents' emotional load (s)
    intense: tuple[float, int] = (0.7, 3)  # intense from this intensity or frustration
    shift: float = SHIFT_S  # an agent's shift, for the intense chats taken in it


async def collect(
    client: Any, keys: Keys, queue: HandoffQueue, now: float | None = None
) -> Data:
    """Read tickets, archived handoffs, the conversation count and agents."""
    k = keys
    ids = await queue.ticket_ids()
    tickets = await queue.tickets(ids) if ids else []
    for ticket_id in ids:
        tickets.extend(await queue.history(ticket_id))
    conversations = 0
    async for _key in client.scan_iter(match=k.conversation("*"), count=500):
        conversations += 1
    waiting = int(await client.zcard(k.queue))
    agents = await queue.agents()
    return Data(
        tickets,
        conversations,
        agents,
        waiting,
        now or time.time(),
        queue.config.load_window,
        (queue.config.intense_intensity, queue.config.intense_frustration),
    )


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 3) if values else None


def taken_intensity(ticket: Ticket) -> float | None:
    """How intense the customer was when the agent took the chat: the latest reading
    at or before the claim (what the agent's emotional load counted), not the
    latest one (a customer who calmed down with the agent's help reads low)."""
    taken = taken_reading(ticket)
    return float(taken.intensity) if taken else None


def taken_reading(ticket: Ticket) -> EmotionSnapshot | None:
    """The emotion reading at or before the claim (None when never taken)."""
    if not ticket.assigned_at:
        return None
    before = [s for s in ticket.timeline if s.at and s.at <= ticket.assigned_at]
    return before[-1] if before else ticket.emotion


def intense_in_shift(tickets: list[Ticket], data: Data) -> int:
    """Chats taken within the last shift that were intense when taken (the same
    thresholds as the queue's load accounting, data/handoff.yml)."""
    since = data.now - data.shift
    intensity, frustration = data.intense
    return sum(
        1
        for t in tickets
        if (t.assigned_at or 0) >= since
        and (taken := taken_reading(t)) is not None
        and (taken.intensity >= intensity or taken.frustration >= frustration)
    )


def _group(tickets: list[Ticket], conversations: int | None = None) -> dict[str, Any]:
    waits = [w for t in tickets if (w := t.waited()) is not None]
    rated = [t.rating for t in tickets if t.rating]
    resolved = [t for t in tickets if t.state is TicketState.RESOLVED]
    first_contact = [
        t for t in resolved if t.transfers == 0 and t.reoffers == 0 and t.episode == 1
    ]
    starts = [t.timeline[0].intensity for t in tickets if t.timeline]
    ends = [t.emotion.intensity for t in tickets if t.timeline]
    out: dict[str, Any] = {
        "handoffs": len(tickets),
        "resolved": len(resolved),
        "time_to_human_p50_s": _round(percentile(waits, 50)),
        "time_to_human_p95_s": _round(percentile(waits, 95)),
        "csat": _mean([float(r.csat) for r in rated]),
        "understood": _mean([float(r.understood) for r in rated]),
        "ratings": len(rated),
        "first_contact_resolution": round(len(first_contact) / len(resolved), 3)
        if resolved
        else None,
        "intensity_start": _mean(starts),
        "intensity_end": _mean(ends),
    }
    if conversations is not None:
        out["conversations"] = conversations
        out["escalation_rate"] = (
            round(len(tickets) / conversations, 3) if conversations else None
        )
    return out


def _round(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def summarize(data: Data) -> dict[str, Any]:
    """The dashboard's numbers."""
    overall = _group(data.tickets, data.conversations)
    overall["waiting_now"] = data.waiting
    overall["agents_online"] = sum(1 for a in data.agents if a.status.value == "online")
    channels: dict[str, list[Ticket]] = defaultdict(list)
    for ticket in data.tickets:
        channels[ticket.channel or "unknown"].append(ticket)
    by_agent: dict[str, list[Ticket]] = defaultdict(list)
    for ticket in data.tickets:
        if holder := (ticket.agent_id or ticket.last_agent):
            by_agent[holder].append(ticket)
    agents = []
    since = data.now - data.load_window
    for view in data.agents:
        handled = by_agent.get(view.agent.id, [])
        group = _group(handled)
        recent = [
            i
            for t in handled
            if (t.assigned_at or 0) >= since and (i := taken_intensity(t)) is not None
        ]
        agents.append(
            {
                "id": view.agent.id,
                "name": view.agent.name or view.agent.id,
                "status": view.status.value,
                "chats": len(view.chats),
                "capacity": view.agent.capacity,
                "recent_intense": view.recent_intense,
                "intense_run": view.intense_run,
                "break_suggested": view.break_suggested,
                "resolved": group["resolved"],
                "csat": group["csat"],
                "understood": group["understood"],
                # the same chats as recent_intense: taken in the load window, at the
                # intensity they had when taken
                "taken_recent": len(recent),
                "taken_intensity": _mean(recent),
                # burnout care: intense chats taken over the whole shift (8 h)
                "intense_shift": intense_in_shift(handled, data),
            }
        )
    summary = {
        "overall": overall,
        "channels": {c: _group(ts) for c, ts in sorted(channels.items())},
        "agents": agents,
        "days": _days(data),
        "at": data.now,
    }
    summary["charts"] = {name: has_data(name, data, summary) for name in CHARTS}
    return summary


def _day(at: float | None) -> str:
    return datetime.fromtimestamp(at or 0, UTC).strftime("%Y-%m-%d")


def _days(data: Data) -> list[dict[str, Any]]:
    today = int(data.now // 86400)
    keys = [_day((today - i) * 86400) for i in reversed(range(DAYS))]
    grouped: dict[str, list[Ticket]] = defaultdict(list)
    for ticket in data.tickets:
        grouped[_day(ticket.created_at or ticket.queued_at)].append(ticket)
    return [{"day": day, **_group(grouped.get(day, []))} for day in keys]


# -- export ---------------------------------------------------------------------------

COLUMNS = [
    "conversation",
    "episode",
    "channel",
    "state",
    "customer_name",
    "topic",
    "emotion",
    "intensity",
    "frustration",
    "reasons",
    "flags",
    "queued_at",
    "assigned_at",
    "resolved_at",
    "time_to_human_s",
    "agent",
    "transfers",
    "reoffers",
    "csat",
    "understood",
    "resolution",
]


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula, personal data masked."""
    text = "" if value is None else redact(str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


def _iso(at: float | None) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds") if at else ""


def csv_text(tickets: list[Ticket]) -> str:
    """Every handoff as CSV, newest first."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for t in sorted(tickets, key=lambda t: t.created_at or 0, reverse=True):
        wait = t.waited()
        writer.writerow(
            [
                _cell(v)
                for v in (
                    t.id,
                    t.episode,
                    t.channel,
                    t.state.value,
                    t.customer.name,
                    t.topic,
                    t.emotion.label,
                    round(float(t.emotion.intensity), 3),
                    t.emotion.frustration,
                    json.dumps(t.reasons, ensure_ascii=False),
                    ",".join(sorted(t.flags)),
                    _iso(t.queued_at),
                    _iso(t.assigned_at),
                    _iso(t.resolved_at),
                    round(wait, 1) if wait is not None else "",
                    t.agent_id or t.last_agent,
                    t.transfers,
                    t.reoffers,
                    t.rating.csat if t.rating else "",
                    t.rating.understood if t.rating else "",
                    t.resolution,
                )
            ]
        )
    return out.getvalue()


# -- charts (matplotlib, SVG) ----------------------------------------------------------

CHARTS = ("escalations", "time_to_human", "ratings", "agents")
# what each chart says instead of empty axes
NOTHING_YET = {
    "escalations": "No chat was handed to a person in the last 14 days.",
    "time_to_human": "No chat has reached a person yet, so there is no wait to show.",
    "ratings": "No customer has rated a chat with a person yet.",
    "agents": "No agent accounts yet.",
}


def has_data(name: str, data: Data, summary: dict[str, Any]) -> bool:
    """Whether chart ``name`` has anything to draw."""
    if name == "escalations":
        return any(d["handoffs"] for d in summary["days"])
    if name == "time_to_human":
        return any(t.waited() is not None for t in data.tickets)
    if name == "ratings":
        return any(t.rating for t in data.tickets)
    if name == "agents":
        return bool(summary["agents"])
    raise KeyError(name)


def chart_svg(name: str, data: Data, summary: dict[str, Any]) -> bytes:
    """One chart as SVG bytes (``name`` one of CHARTS)."""
    out = io.BytesIO()
    chart_figure(name, data, summary).savefig(
        out, format="svg", metadata={"Date": None}
    )
    return out.getvalue()


def new_figure() -> Any:
    """An empty chart of the dashboard's size (matplotlib, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(6.4, 3.2), dpi=100, layout="constrained")


def chart_figure(name: str, data: Data, summary: dict[str, Any]) -> Any:
    """One chart as a matplotlib figure (the dashboard's and the reports')."""
    from matplotlib.ticker import MaxNLocator

    figure = new_figure()
    ax = figure.add_subplot()
    counts = MaxNLocator(integer=True)  # chats come whole: no 0.04 ticks
    if name not in CHARTS:
        raise KeyError(name)
    if not has_data(name, data, summary):
        ax.axis("off")
        ax.text(0.5, 0.5, NOTHING_YET[name], ha="center", va="center", wrap=True)
    elif name == "escalations":
        days = summary["days"]
        labels = [d["day"][5:] for d in days]
        ax.bar(labels, [d["handoffs"] for d in days], color="#2456c7")
        ax.yaxis.set_major_locator(counts)
        ax.set_title("Handoffs to a person per day")
        ax.tick_params(axis="x", labelrotation=60, labelsize=7)
    elif name == "time_to_human":
        waits = [w / 60 for t in data.tickets if (w := t.waited()) is not None]
        ax.hist(waits, bins=20, color="#a15c00")
        ax.yaxis.set_major_locator(counts)
        ax.set_title("Time to a human (minutes)")
        ax.set_xlabel("minutes")
    elif name == "ratings":
        csat = Counter(t.rating.csat for t in data.tickets if t.rating)
        understood = Counter(t.rating.understood for t in data.tickets if t.rating)
        xs = [1, 2, 3, 4, 5]
        ax.bar([x - 0.2 for x in xs], [csat[x] for x in xs], 0.4, label="CSAT")
        ax.bar(
            [x + 0.2 for x in xs], [understood[x] for x in xs], 0.4, label="understood"
        )
        ax.set_xticks(xs)
        ax.yaxis.set_major_locator(counts)
        ax.legend()
        ax.set_title("Ratings after a person helped")
    elif name == "agents":
        agents = summary["agents"]
        names = [a["name"][:20] for a in agents]
        ax.barh(names, [a["chats"] for a in agents], label="chats now", color="#2456c7")
        ax.barh(
            names,
            [a["recent_intense"] for a in agents],
            left=[a["chats"] for a in agents],
            label="intense chats (last hour)",
            color="#b42318",
        )
        top = max((a["chats"] + a["recent_intense"] for a in agents), default=0)
        ax.set_xlim(0, max(1, top))  # nobody busy: 0 to 1, not -0.04 to 0.04
        ax.xaxis.set_major_locator(counts)
        ax.legend(fontsize=7)
        ax.set_title("Load per agent")
    return figure
