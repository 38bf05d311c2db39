"""Supervisor routes: the numbers, charts, CSV export and Prometheus ``/metrics``.

``GET /console/api/dashboard`` (JSON), ``GET /console/api/dashboard/charts/{name}.svg``
(matplotlib, drawn on the server), ``GET /console/api/dashboard/handoffs.csv`` and
``GET /metrics`` (Prometheus text format, for a scraper with ``Authorization: Bearer
$METRICS_TOKEN``; the same for supervisors at ``/console/api/metrics``). Everything
is computed from the tickets on request (see metrics.py), so it is right after any
restart.
"""

from __future__ import annotations

import asyncio
import hmac
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.console.deps import ConsoleDep, Supervising, client_ref, fail
from bot.console.empathy import empathy_summary
from bot.console.metrics import (
    CHARTS,
    NOTHING_YET,
    chart_svg,
    collect,
    csv_text,
    summarize,
)
from bot.console.qa import peer_summary

router = APIRouter()
SVG_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@router.get("/console/api/dashboard")
async def get_dashboard(console: ConsoleDep, who: Supervising) -> dict[str, Any]:
    """Escalation rate, time to a human, CSAT, empathy rating, load, by channel/day."""
    data = await collect(console.redis, console.keys, console.queue)
    summary = summarize(data)
    summary["nothing_yet"] = NOTHING_YET
    summary["flagged"] = [
        {"id": t.id, "customer_name": t.customer.name, "reoffers": t.reoffers}
        for t in await console.queue.flagged()
    ]
    return summary


@router.get("/console/api/dashboard/empathy")
async def get_empathy(console: ConsoleDep, who: Supervising) -> dict[str, Any]:
    """Automatic empathy scores of bot and agent replies (latest 200 handoffs), and
    people's ratings of sampled replies."""
    data = await collect(console.redis, console.keys, console.queue)
    summary = await empathy_summary(console.transcript, data.tickets)
    summary["peer"] = await peer_summary(console)
    return summary


@router.get("/console/api/dashboard/charts/{name}.svg")
async def get_chart(name: str, console: ConsoleDep, who: Supervising) -> Response:
    """One chart as SVG."""
    if name not in CHARTS:
        fail(404, "unknown_chart", f"charts: {', '.join(CHARTS)}")
    data = await collect(console.redis, console.keys, console.queue)
    svg = await asyncio.to_thread(chart_svg, name, data, summarize(data))
    return Response(svg, media_type="image/svg+xml", headers=SVG_HEADERS)


@router.get("/console/api/dashboard/handoffs.csv")
async def get_csv(request: Request, console: ConsoleDep, who: Supervising) -> Response:
    """Every handoff as CSV (for a spreadsheet)."""
    data = await collect(console.redis, console.keys, console.queue)
    await console.audit.record("export", agent=who.id, ip=client_ref(request))
    return Response(
        csv_text(data.tickets),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="handoffs.csv"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _bearer_ok(request: Request, token: str) -> bool:
    sent = request.headers.get("authorization", "")
    return bool(token) and hmac.compare_digest(
        sent.encode(), f"Bearer {token}".encode()
    )


@router.get("/metrics", include_in_schema=False)
async def get_metrics(request: Request, console: ConsoleDep) -> Response:
    """Prometheus metrics, for a scraper that sends the METRICS_TOKEN bearer."""
    if not _bearer_ok(request, console.settings.metrics_token):
        return Response(
            "metrics need Authorization: Bearer <METRICS_TOKEN> (set it for the "
            "gateway); supervisors see them at /console/api/metrics\n",
            status_code=401,
            media_type="text/plain",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return await _metrics(console)


@router.get("/console/api/metrics", include_in_schema=False)
async def get_console_metrics(console: ConsoleDep, who: Supervising) -> Response:
    """The same Prometheus metrics, for a signed-in supervisor."""
    return await _metrics(console)


async def _metrics(console: ConsoleDep) -> Response:
    summary = summarize(await collect(console.redis, console.keys, console.queue))
    overall = summary["overall"]
    registry = CollectorRegistry()

    def gauge(name: str, text: str, key: str) -> None:
        if overall.get(key) is not None:
            Gauge(name, text, registry=registry).set(float(overall[key]))

    gauge("support_waiting_chats", "Chats waiting for a person now", "waiting_now")
    gauge("support_agents_online", "Agents online now", "agents_online")
    gauge("support_handoffs", "Handoffs stored (current and archived)", "handoffs")
    gauge("support_conversations", "Conversations stored", "conversations")
    gauge("support_escalation_rate", "Handoffs per conversation", "escalation_rate")
    gauge(
        "support_time_to_human_p50_seconds",
        "Median time to a person",
        "time_to_human_p50_s",
    )
    gauge(
        "support_time_to_human_p95_seconds",
        "95th percentile time to a person",
        "time_to_human_p95_s",
    )
    gauge("support_csat_mean", "Mean CSAT (1-5)", "csat")
    gauge(
        "support_understood_mean", "Mean 'did you feel understood?' (1-5)", "understood"
    )
    held = Gauge(
        "support_agent_chats", "Chats an agent holds", ["agent"], registry=registry
    )
    for agent in summary["agents"]:
        held.labels(agent=agent["id"]).set(agent["chats"])
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
