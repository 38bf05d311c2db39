"""Supervisor numbers from real tickets (the queue library on a private key prefix
with a fake clock), the CSV export, the charts, and the dashboard routes on the real
stack."""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
import redis.asyncio as aioredis

from bot.console.metrics import (
    CHARTS,
    NOTHING_YET,
    chart_svg,
    collect,
    csv_text,
    percentile,
    summarize,
)
from bot.handoff import (
    Agent,
    Customer,
    EmotionSnapshot,
    HandoffQueue,
    HandoffRequest,
    Presence,
    Rating,
)
from bot.handoff.keys import Keys
from bot.settings import Settings
from bot.transcript import Transcript
from tests.bot.console.conftest import METRICS_TOKEN, ConsoleClient, Maker


class Clock:
    def __init__(self) -> None:
        self.now = 1_780_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def private(
    stack_settings: Settings,
) -> AsyncIterator[tuple[HandoffQueue, Clock]]:
    """A queue under its own prefix on the test database, removed afterwards."""
    client = aioredis.Redis.from_url(stack_settings.redis_url, decode_responses=True)
    prefix = "m" + secrets.token_hex(4)
    clock = Clock()
    queue = HandoffQueue(client, prefix=prefix, clock=clock)
    yield queue, clock
    keys = [k async for k in client.scan_iter(match=f"*{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def handoff(
    queue: HandoffQueue,
    clock: Clock,
    cid: str,
    *,
    channel: str = "web",
    name: str = "Ann",
    start: float = 0.3,
    end: float | None = None,
) -> None:
    await queue.enqueue(
        HandoffRequest(
            cid,
            channel,
            Customer(cid, name),
            EmotionSnapshot("anger", start, 2, clock.now),
            topic="track_order",
            reasons=["high_frustration"],
        )
    )
    if end is not None:
        await queue.rescore(cid, EmotionSnapshot("anger", end, 2, clock.now))


def test_percentiles() -> None:
    assert percentile([], 50) is None
    assert percentile([10.0], 95) == 10.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile(list(map(float, range(101))), 95) == 95.0


async def test_the_numbers_from_real_tickets(
    private: tuple[HandoffQueue, Clock], stack_settings: Settings
) -> None:
    queue, clock = private
    transcript = Transcript(queue.redis, prefix=queue.keys.prefix)
    for i in range(8):  # eight conversations, four of them handed over
        await transcript.describe(f"conv{i}", channel="web" if i % 2 else "telegram")
    for agent in ("amy", "bob"):
        await queue.register_agent(Agent(agent, agent.title(), capacity=5))
        await queue.set_presence(agent, Presence.ONLINE)

    await handoff(queue, clock, "conv0", start=0.9, end=0.4)
    await handoff(queue, clock, "conv1", channel="telegram", start=0.5, end=0.7)
    await handoff(queue, clock, "conv2", name='=HYPERLINK("http://x")')
    await handoff(queue, clock, "conv3")

    async def later(seconds: int) -> None:
        for _ in range(seconds // 20):  # agents' consoles keep beating
            clock.now += 20
            for agent in ("amy", "bob"):
                await queue.heartbeat(agent)

    await later(60)
    first = await queue.claim("amy", "conv0")
    await later(60)
    second = await queue.claim("bob", "conv1")
    third = await queue.claim("amy", "conv2")
    await queue.resolve("amy", "conv0", first.token, "sent a replacement")
    await queue.resolve("bob", "conv1", second.token)
    moved = await queue.transfer("amy", "conv2", third.token, to_agent="bob")
    await queue.resolve("bob", "conv2", moved.token)
    await queue.rate("conv0", Rating(csat=5, understood=4))
    await queue.rate("conv1", Rating(csat=3, understood=2))

    data = await collect(queue.redis, Keys(queue.keys.prefix), queue, now=clock.now)
    summary = summarize(data)
    o = summary["overall"]
    assert o["conversations"] == 8 and o["handoffs"] == 4
    assert o["escalation_rate"] == 0.5
    assert o["waiting_now"] == 1 and o["agents_online"] == 2
    assert o["time_to_human_p50_s"] == 120.0  # waits 60, 120, 120
    assert o["time_to_human_p95_s"] == 120.0
    assert o["csat"] == 4.0 and o["understood"] == 3.0 and o["ratings"] == 2
    assert o["resolved"] == 3
    assert o["first_contact_resolution"] == round(2 / 3, 3)  # conv2 was transferred
    assert o["intensity_start"] is not None and o["intensity_end"] is not None
    assert set(summary["channels"]) == {"web", "telegram"}
    assert summary["channels"]["telegram"]["csat"] == 3.0
    by_agent = {a["id"]: a for a in summary["agents"]}
    assert by_agent["amy"]["resolved"] == 1 and by_agent["amy"]["csat"] == 5.0
    assert by_agent["bob"]["resolved"] == 2
    assert summary["days"][-1]["handoffs"] == 4

    rows = list(csv.DictReader(io.StringIO(csv_text(data.tickets))))
    assert len(rows) == 4
    names = {r["conversation"]: r["customer_name"] for r in rows}
    assert names["conv2"] == '\'=HYPERLINK("http://x")'  # never a formula
    rated = next(r for r in rows if r["conversation"] == "conv0")
    assert rated["csat"] == "5" and rated["time_to_human_s"] == "60.0"

    for name in ("escalations", "time_to_human", "ratings", "agents"):
        svg = chart_svg(name, data, summary).decode()
        assert "<svg" in svg and "<script" not in svg


@pytest.fixture
async def roles(
    make_account: Maker, clients: Callable[..., ConsoleClient]
) -> dict[str, ConsoleClient]:
    agent = clients().login(*(await make_account("agent")))
    supervisor = clients().login(*(await make_account("supervisor")))
    return {"anonymous": clients(), "agent": agent, "supervisor": supervisor}


@pytest.mark.stack
@pytest.mark.parametrize(
    ("path", "expected", "kind"),
    [
        ("/console/api/dashboard", (401, 403, 200), "application/json"),
        ("/console/api/dashboard/charts/agents.svg", (401, 403, 200), "image/svg+xml"),
        ("/console/api/dashboard/charts/nope.svg", (401, 403, 404), "application/json"),
        ("/console/api/dashboard/handoffs.csv", (401, 403, 200), "text/csv"),
        ("/metrics", (401, 401, 401), "text/plain"),
        ("/console/api/metrics", (401, 403, 200), "text/plain"),
        ("/console/dashboard", (303, 403, 200), "text/html"),
    ],
)
async def test_supervisor_routes_need_the_role(
    roles: dict[str, ConsoleClient], path: str, expected: tuple[int, ...], kind: str
) -> None:
    for who, status in zip(("anonymous", "agent", "supervisor"), expected, strict=True):
        response = roles[who].get(path, follow_redirects=False)
        assert response.status_code == status, (who, path, response.text[:200])
        if status == 200:
            assert response.headers["content-type"].startswith(kind)


async def while_the_line_holds_still(
    queue: HandoffQueue, read: Callable[[], str]
) -> tuple[str, int]:
    """Read a page while the waiting line did not change around the request.

    The gateway's housekeeping puts chats of agents from earlier tests whose lease
    ran out back in line at any moment, so a count is only comparable with the
    line's length when that length was the same before and after the read.
    """
    for _ in range(50):
        before = len(await queue.waiting())
        page = read()
        if len(await queue.waiting()) == before:
            return page, before
    raise AssertionError("the waiting line never held still for one request")


@pytest.mark.stack
async def test_the_dashboard_counts_what_waits(
    roles: dict[str, ConsoleClient], queued_chat: Maker, queue: HandoffQueue
) -> None:
    supervisor = roles["supervisor"]
    await queued_chat(name="Waiting Wanda")
    page, waiting = await while_the_line_holds_still(
        queue, lambda: supervisor.get("/console/api/dashboard").text
    )
    overall = json.loads(page)["overall"]
    assert overall["waiting_now"] == waiting >= 1
    assert overall["handoffs"] >= 1
    metrics, waiting = await while_the_line_holds_still(
        queue, lambda: supervisor.get("/console/api/metrics").text
    )
    assert f"support_waiting_chats {float(waiting)}" in metrics


@pytest.mark.stack
def test_prometheus_scrapes_metrics_with_the_bearer_token(gateway_url: str) -> None:
    assert httpx.get(f"{gateway_url}/metrics").status_code == 401
    wrong = httpx.get(
        f"{gateway_url}/metrics", headers={"Authorization": "Bearer wrong"}
    )
    assert wrong.status_code == 401
    right = httpx.get(
        f"{gateway_url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert right.status_code == 200
    assert "# TYPE support_waiting_chats gauge" in right.text


def texts(svg: bytes) -> list[str]:
    """The texts of a matplotlib SVG (it writes each as a comment beside its paths)."""
    return re.findall(r"<!-- (.*?) -->", svg.decode(), re.S)


async def test_nothing_yet_is_said_not_drawn(
    private: tuple[HandoffQueue, Clock],
) -> None:
    queue, clock = private
    data = await collect(queue.redis, Keys(queue.keys.prefix), queue, now=clock.now)
    summary = summarize(data)
    assert summary["charts"] == dict.fromkeys(CHARTS, False)
    for name in CHARTS:  # the sentence and nothing else: no axes around nothing
        assert texts(chart_svg(name, data, summary)) == [NOTHING_YET[name]]

    # an agent, nobody busy: the load chart counts from 0 to 1 in whole chats
    await queue.register_agent(Agent("amy", "Amy"))
    data = await collect(queue.redis, Keys(queue.keys.prefix), queue, now=clock.now)
    summary = summarize(data)
    assert summary["charts"]["agents"] is True
    shown = texts(chart_svg("agents", data, summary))
    assert {"0", "1", "Amy", "Load per agent"} <= set(shown)
    assert not [t for t in shown if "." in t], shown  # no 0.04, no 0.2


async def test_an_agents_intensity_is_counted_as_their_intense_chats_are(
    private: tuple[HandoffQueue, Clock],
) -> None:
    """One intense chat in the last hour, calmed down since: the table says 1
    intense and 90% when taken (it once said a mean intensity of 0.043)."""
    queue, clock = private
    await queue.register_agent(Agent("amy", "Amy", capacity=3))
    await queue.set_presence("amy", Presence.ONLINE)
    await handoff(queue, clock, "old", start=0.2)
    claim = await queue.claim("amy", "old")
    await queue.resolve("amy", "old", claim.token)
    clock.now += 2 * 3600  # two hours later, one intense chat
    await queue.heartbeat("amy")
    await handoff(queue, clock, "hot", start=0.9)
    clock.now += 20
    await queue.heartbeat("amy")
    hot = await queue.claim("amy", "hot")
    for _ in range(10):  # the console keeps beating while they talk
        clock.now += 20
        await queue.heartbeat("amy")
    await queue.rescore("hot", EmotionSnapshot("neutral", 0.05, 0, clock.now))
    await queue.resolve("amy", "hot", hot.token)

    data = await collect(queue.redis, Keys(queue.keys.prefix), queue, now=clock.now)
    amy = summarize(data)["agents"][0]
    assert amy["recent_intense"] == 1
    assert amy["taken_recent"] == 1  # the chat from two hours ago is outside
    assert amy["taken_intensity"] == 0.9
    assert amy["resolved"] == 2
