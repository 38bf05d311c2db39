"""Live-update fan-out: what one queue event costs the gateway per open widget.

Usage: ``python -m bench.fanout [--widgets 200] [--events 200] [--repeat 3]``

Starts its own stack (bench/load.py's ``own_stack``). Opens ``--widgets`` widget
connections (``/ws/chat``) that chat with the bot, and one more whose customer is
waiting in the queue. Then other customers are handed over one after another
(``--events`` enqueues through the queue library, as the action server does), each
a queue event that every gateway connection hears. Measured while they happen, and
once more with no widget open (the baseline, same run):

- Redis commands per event and per open widget (Redis ``INFO`` total commands,
  minus the baseline's);
- gateway CPU per event (``/proc``), and its ratio to the baseline's;
- that the queued customer's widget still sees its position change (it must: each
  new higher-priority ticket moves it down the line).

Prints one JSON line per repetition, then the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from typing import Any

import redis
from websockets.asyncio.client import ClientConnection

from bench.load import own_stack
from bot.handoff import (
    Customer,
    EmotionSnapshot,
    HandoffQueue,
    HandoffRequest,
)
from bot.ops.stack import Stack
from bot.ops.widget import Widget
from bot.redisurl import async_client


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (children not included)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def commands(client: redis.Redis) -> int:
    return int(client.info("stats")["total_commands_processed"])


def handoff(conversation_id: str, intensity: float) -> HandoffRequest:
    return HandoffRequest(
        conversation_id=conversation_id,
        channel="web",
        customer=Customer("cust-" + conversation_id, "Customer"),
        emotion=EmotionSnapshot("frustration", intensity, 3),
        reasons=["frustration"],
        explanation="bench",
    )


async def open_widget(gateway: str) -> tuple[ClientConnection, str]:
    """A new widget customer's socket (welcomed) and its conversation id."""
    widget = await Widget.open(gateway, open_timeout=30)
    return widget.ws, widget.conversation


async def read_states(ws: ClientConnection, positions: list[int]) -> None:
    """Keep the queued widget's positions (and drain everything else)."""
    async for raw in ws:
        frame = json.loads(raw)
        if frame["type"] == "state" and isinstance(frame.get("position"), int):
            positions.append(frame["position"])


async def drain(ws: ClientConnection) -> None:
    async for _ in ws:
        pass


async def phase(
    stack: Stack, widgets: int, events: int, round_: int
) -> dict[str, float]:
    settings = stack.settings
    url = f"http://127.0.0.1:{settings.gateway_port}"
    sync = redis.Redis.from_url(settings.redis_url)
    client = async_client(settings.redis_url, decode_responses=True)
    queue = HandoffQueue(client, prefix=settings.redis_prefix)
    gateway = next(s for s in stack.services if s.name == "gateway").process.pid
    sockets = [await open_widget(url) for _ in range(widgets)]
    waiting, waiting_id = await open_widget(url)
    await queue.enqueue(handoff(waiting_id, 0.1))
    positions: list[int] = []
    tasks = [asyncio.create_task(drain(ws)) for ws, _ in sockets]
    tasks.append(asyncio.create_task(read_states(waiting, positions)))
    await asyncio.sleep(1.0)  # connections settled
    cpu, cmds, start = cpu_seconds(gateway), commands(sync), time.perf_counter()
    for i in range(events):
        await queue.enqueue(handoff(f"fan{round_}x{widgets}x{i}", 0.9))
        await asyncio.sleep(0.01)
    await asyncio.sleep(1.0)  # the pumps catch up
    result = {
        "cpu_s": cpu_seconds(gateway) - cpu,
        "commands": commands(sync) - cmds,
        "seconds": time.perf_counter() - start,
        "position_updates": len(set(positions)),
    }
    for task in tasks:
        task.cancel()
    for ws, _ in [*sockets, (waiting, "")]:
        await ws.close()
    await client.aclose()
    return result


async def measure(stack: Stack, widgets: int, events: int, round_: int) -> dict:
    base = await phase(stack, 0, events, 2 * round_)
    full = await phase(stack, widgets, events, 2 * round_ + 1)
    extra_cmds = max(0, full["commands"] - base["commands"])
    return {
        "repetition": round_ + 1,
        "widgets": widgets,
        "events": events,
        "redis_cmds_per_event_per_widget": round(extra_cmds / events / widgets, 3),
        "gateway_cpu_ms_per_event": round(1000 * full["cpu_s"] / events, 3),
        "baseline_gateway_cpu_ms_per_event": round(1000 * base["cpu_s"] / events, 3),
        "cpu_ratio_to_baseline": round(full["cpu_s"] / max(base["cpu_s"], 1e-3), 2),
        # the queued widget moves down with each more urgent ticket (updates may
        # be coalesced, so fewer than events, but never none)
        "queued_widget_position_updates": full["position_updates"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--widgets", type=int, default=200)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.widgets < 1 or args.events < 1 or args.repeat < 1:
        parser.error("--widgets, --events and --repeat must be at least 1")
    rows: list[dict[str, Any]] = []
    with own_stack() as stack:
        for r in range(args.repeat):
            row = asyncio.run(measure(stack, args.widgets, args.events, r))
            print(json.dumps(row), flush=True)
            rows.append(row)
    keys = [k for k in rows[0] if k not in ("repetition", "widgets", "events")]
    summary: dict[str, Any] = {"widgets": args.widgets, "events": args.events}
    summary |= {k: statistics.median(r[k] for r in rows) for k in keys}
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
