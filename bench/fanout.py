"""Live-update fan-out: what one queue event costs the gateway per open widget.

Usage: ``python -m bench.fanout [--widgets 200] [--waiting 1] [--events 200]
[--repeat 3] [--seed 1]``

Starts its own stack (bench/stack.py's ``own_stack``). Opens ``--widgets`` widget
connections (``/ws/chat``) that chat with the bot and ``--waiting`` more whose
customers wait in the queue (enqueued with seeded random urgency, so their places are
mixed). Then ``--events`` queue events happen one after another, as the action server
and the console cause them: an urgent customer is handed over (everyone waiting moves
down one place), then an agent takes that chat (everyone moves up again), and so on.
Each event changes every waiting customer's place. After each one the bench reads
the true line from Redis and waits until every waiting widget shows its right place
(at most 5 s; an event not shown by then counts as stale). Measured while they
happen, and once more with the same customers queued but no widget open (the
baseline, same run, same events):

- Redis commands per event, and per event and open widget (Redis ``INFO`` total
  commands, minus the baseline's); run it on a Redis of its own (``REDIS_URL``),
  or other clients' commands count too;
- gateway CPU per event (``/proc``), and its ratio to the baseline's;
- the time from an event until every waiting widget shows its right place (median
  and slowest over the events), and how many events left a widget at a wrong place;
- how many different places the first waiting widget was shown.

Prints one JSON line per repetition, then the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import time
from typing import Any

import redis
from websockets.asyncio.client import ClientConnection

from bench.stack import own_stack
from bot.handoff import (
    Agent,
    Customer,
    EmotionSnapshot,
    HandoffQueue,
    HandoffRequest,
    Presence,
)
from bot.ops.stack import Stack
from bot.ops.widget import Widget
from bot.redisurl import async_client

STALE_AFTER_S = 5.0  # an event not shown to every waiting widget by then is stale


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (children not included)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def commands(client: redis.Redis) -> int:
    return int(client.info("stats")["total_commands_processed"])


def handoff(
    conversation_id: str, intensity: float, frustration: int = 1
) -> HandoffRequest:
    return HandoffRequest(
        conversation_id=conversation_id,
        channel="web",
        customer=Customer("cust-" + conversation_id, "Customer"),
        emotion=EmotionSnapshot("frustration", intensity, frustration),
        reasons=["frustration"],
        explanation="bench",
    )


async def open_widget(gateway: str) -> tuple[ClientConnection, str]:
    """A new widget customer's socket (welcomed) and its conversation id."""
    widget = await Widget.open(gateway, open_timeout=30)
    return widget.ws, widget.conversation


class Screens:
    """What every waiting widget shows now, and whether all show the truth."""

    def __init__(self) -> None:
        self.shown: dict[str, int | None] = {}
        self.truth: dict[str, int | None] = {}
        self.wrong: set[str] = set()
        self.changed = asyncio.Event()
        self.first_positions: set[int] = set()

    def expect(self, truth: dict[str, int | None]) -> None:
        self.truth = truth
        self.wrong = {c for c, t in truth.items() if self.shown.get(c) != t}

    def see(self, cid: str, position: int | None, first: bool) -> None:
        self.shown[cid] = position
        if first and position is not None:
            self.first_positions.add(position)
        if cid in self.truth:
            if self.truth[cid] == position:
                self.wrong.discard(cid)
            else:
                self.wrong.add(cid)
        self.changed.set()

    async def settled(self, within: float) -> bool:
        """Wait until every waiting widget shows its truth (False: not in time)."""
        deadline = time.perf_counter() + within
        while self.wrong:
            left = deadline - time.perf_counter()
            if left <= 0:
                return False
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), left)
        return True


async def read_states(
    ws: ClientConnection, cid: str, screens: Screens, first: bool
) -> None:
    """Keep what a waiting widget shows (and drain everything else)."""
    async for raw in ws:
        frame = json.loads(raw)
        if frame["type"] == "state":
            position = frame.get("position") if frame["state"] == "queued" else None
            screens.see(cid, position, first)


async def drain(ws: ClientConnection) -> None:
    async for _ in ws:
        pass


async def truth(queue: HandoffQueue, waiting: list[str]) -> dict[str, int | None]:
    """Every waiting customer's true place, read from the queue's sorted set in one
    step (not through the line the gateway reads: the truth is checked apart)."""
    ids = await queue.redis.zrange(queue.keys.queue, 0, -1)
    rank = {_id(ticket_id): i + 1 for i, ticket_id in enumerate(ids)}
    return {cid: rank.get(cid) for cid in waiting}


def _id(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def phase(
    stack: Stack,
    widgets: int,
    waiting: int,
    events: int,
    tag: str,
    seed: int,
    open_widgets: bool,
) -> dict[str, Any]:
    """One run of the events, with the widgets open or (baseline) without."""
    settings = stack.settings
    url = f"http://127.0.0.1:{settings.gateway_port}"
    sync = redis.Redis.from_url(settings.redis_url)
    client = async_client(settings.redis_url, decode_responses=True)
    queue = HandoffQueue(client, prefix=settings.redis_prefix)
    gateway = next(s for s in stack.services if s.name == "gateway").process.pid
    rng = random.Random(seed)
    screens = Screens()
    tasks = []
    sockets = []
    if open_widgets:
        for _ in range(widgets):
            ws, _cid = await open_widget(url)
            sockets.append(ws)
            tasks.append(asyncio.create_task(drain(ws)))
        waiting_ids = []
        for i in range(waiting):
            ws, cid = await open_widget(url)
            sockets.append(ws)
            waiting_ids.append(cid)
            tasks.append(asyncio.create_task(read_states(ws, cid, screens, i == 0)))
    else:
        waiting_ids = [f"web-fan{tag}w{i}" for i in range(waiting)]
    for cid in waiting_ids:
        await queue.enqueue(handoff(cid, round(rng.uniform(0.05, 0.85), 3)))
    agents = []
    for i in range(events // 200 + 1):  # each takes up to 100 chats
        agent_id = f"fan{tag}a{i}"
        await queue.register_agent(Agent(agent_id, "Bench", capacity=100))
        await queue.set_presence(agent_id, Presence.ONLINE)
        agents.append(agent_id)
    screens.expect(await truth(queue, waiting_ids))
    settled_at_start = not open_widgets or await screens.settled(30.0)
    await asyncio.sleep(1.0)  # connections settled
    times: list[float] = []
    stale = 0
    cpu, cmds, start = cpu_seconds(gateway), commands(sync), time.perf_counter()
    for i in range(events):
        urgent = f"fan{tag}u{i // 2}"
        began = time.perf_counter()
        if i % 2 == 0:  # an urgent customer goes first: everyone moves down
            await queue.enqueue(handoff(urgent, 1.0, frustration=4))
        else:  # an agent takes that chat: everyone moves up again
            await queue.heartbeat(agents[i // 200])  # online all along
            await queue.claim(agents[i // 200], urgent)
        screens.expect(await truth(queue, waiting_ids))
        if open_widgets:
            if await screens.settled(STALE_AFTER_S):
                times.append(time.perf_counter() - began)
            else:
                stale += 1
        await asyncio.sleep(0.01)
    await asyncio.sleep(1.0)  # the pumps catch up
    result: dict[str, Any] = {
        "cpu_s": cpu_seconds(gateway) - cpu,
        "commands": commands(sync) - cmds,
        "seconds": time.perf_counter() - start,
        "times": times,
        "stale": stale + (0 if settled_at_start else 1),
        "still_wrong": len(screens.wrong) if open_widgets else 0,
        "first_positions": len(screens.first_positions),
    }
    for task in tasks:
        task.cancel()
    for ws in sockets:
        await ws.close()
    await close_all(queue, agents, waiting_ids, tag)
    await client.aclose()
    sync.close()
    return result


async def close_all(
    queue: HandoffQueue, agents: list[str], waiting: list[str], tag: str
) -> None:
    """Resolve every chat of a phase and take its agents offline, so the next
    phase starts with the same line."""
    for agent_id in agents:
        for ticket_id in (await queue.agent(agent_id)).chats:
            claim_token = (await queue.ticket(ticket_id)).token
            await queue.resolve(agent_id, ticket_id, claim_token)
    closer = f"fan{tag}closer"
    await queue.register_agent(Agent(closer, "Bench", capacity=1))
    await queue.set_presence(closer, Presence.ONLINE)
    for ticket_id in waiting:
        claim = await queue.claim(closer, ticket_id)
        await queue.resolve(closer, ticket_id, claim.token)
    for agent_id in [*agents, closer]:
        await queue.set_presence(agent_id, Presence.OFFLINE)


async def measure(
    stack: Stack, widgets: int, waiting: int, events: int, round_: int, seed: int
) -> dict[str, Any]:
    base = await phase(
        stack, widgets, waiting, events, f"{round_}b", seed + round_, False
    )
    full = await phase(
        stack, widgets, waiting, events, f"{round_}f", seed + round_, True
    )
    extra_cmds = max(0, full["commands"] - base["commands"])
    times = sorted(full["times"]) or [float("nan")]
    return {
        "repetition": round_ + 1,
        "widgets": widgets,
        "waiting": waiting,
        "events": events,
        "redis_cmds_per_event": round(extra_cmds / events, 1),
        "redis_cmds_per_event_per_widget": round(
            extra_cmds / events / (widgets + waiting), 3
        ),
        "gateway_cpu_ms_per_event": round(1000 * full["cpu_s"] / events, 3),
        "baseline_gateway_cpu_ms_per_event": round(1000 * base["cpu_s"] / events, 3),
        "cpu_ratio_to_baseline": round(full["cpu_s"] / max(base["cpu_s"], 1e-3), 2),
        "right_place_ms_p50": round(1000 * statistics.median(times), 1),
        "right_place_ms_max": round(1000 * times[-1], 1),
        # events after which some waiting widget did not show its right place
        # within STALE_AFTER_S, plus widgets still wrong at the end: must be 0
        "stale_places": full["stale"] + full["still_wrong"],
        # the first waiting widget moves with every event (updates may be
        # coalesced, so fewer than events, but never none)
        "queued_widget_position_updates": full["first_positions"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--widgets", type=int, default=200, help="chatting widgets")
    parser.add_argument("--waiting", type=int, default=1, help="waiting widgets")
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.widgets < 0 or args.waiting < 1 or args.events < 2 or args.repeat < 1:
        parser.error(
            "--widgets must be at least 0, --waiting and --repeat at least 1, "
            "--events at least 2"
        )
    rows: list[dict[str, Any]] = []
    with own_stack() as stack:
        for r in range(args.repeat):
            row = asyncio.run(
                measure(stack, args.widgets, args.waiting, args.events, r, args.seed)
            )
            print(json.dumps(row), flush=True)
            rows.append(row)
    fixed = ("repetition", "widgets", "waiting", "events")
    keys = [k for k in rows[0] if k not in fixed]
    summary: dict[str, Any] = {
        "widgets": args.widgets,
        "waiting": args.waiting,
        "events": args.events,
    }
    summary |= {k: statistics.median(r[k] for r in rows) for k in keys}
    summary["stale_places"] = sum(r["stale_places"] for r in rows)
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
