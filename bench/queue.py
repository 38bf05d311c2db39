"""Handoff queue benchmark: contested claims, double claims, throughput, latency.

Run from the repo root::

    .venv/bin/python -m bench.queue                  # own redis-server, random port
    .venv/bin/python -m bench.queue --tickets 1000 --workers 2
    .venv/bin/python -m bench.queue --redis-url redis://127.0.0.1:6379/12

Phases (each worker is an OS process with its own event loop and connections; all
start together at a barrier):

1. enqueue: the workers enqueue ``--tickets`` chats concurrently (one script call
   plus the wait estimate each).
2. contested claims: ``--claimers`` agents are split over the workers and *every*
   agent tries to claim *every* ticket, so each ticket gets ``--claimers`` attempts
   from different connections and processes at the same moment. Attempts go out in
   pipelines (``HandoffQueue.claim_many``) of ``--chunk`` tickets x the worker's
   agents; a claim's latency is its pipeline's round trip.
3. verification: exactly one winner per ticket, and the stored ticket names that
   winner and token. ``double_claims`` counts extra winners and mismatches.

An info line also gives ``claim_next`` throughput with one call per claim. The last
line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import secrets
import statistics
import time
from collections import defaultdict
from dataclasses import replace
from multiprocessing.synchronize import Barrier
from typing import Any

import redis.asyncio as aioredis

from bench.stack import given_or_own_redis
from bot.handoff import (
    Agent,
    Claim,
    Customer,
    EmotionSnapshot,
    HandoffConfig,
    HandoffQueue,
    HandoffRequest,
    Presence,
    load_config,
)
from bot.handoff.keys import Keys


def bench_config() -> HandoffConfig:
    """The shipped config, with leases and presence long enough for a run."""
    config = load_config()
    return replace(
        config, lease=3600.0, presence_ttl=3600.0, hours=replace(config.hours)
    )


def ticket_request(ticket_id: str, number: int) -> HandoffRequest:
    """A realistic handoff request."""
    return HandoffRequest(
        conversation_id=ticket_id,
        channel="web",
        customer=Customer(f"cust-{number}", f"Customer {number}"),
        emotion=EmotionSnapshot("frustration", (number % 10) / 10, number % 5),
        topic="refund_status",
        reasons=["frustration"],
        explanation="Frustration rising over 3 turns (1, 2, 3).",
        tried=["order lookup", "refund policy"],
        slots={"order_id": str(48000 + number)},
    )


def _client(url: str, connections: int) -> aioredis.Redis:
    pool = aioredis.ConnectionPool.from_url(
        url, decode_responses=True, max_connections=connections
    )
    return aioredis.Redis(connection_pool=pool)


async def _enqueue(
    url: str, prefix: str, ids: list[str], numbers: list[int], barrier: Barrier
) -> tuple[float, float]:
    client = _client(url, 32)
    queue = HandoffQueue(client, prefix=prefix, config=bench_config())
    semaphore = asyncio.Semaphore(32)

    async def one(ticket_id: str, number: int) -> None:
        async with semaphore:
            await queue.enqueue(ticket_request(ticket_id, number))

    barrier.wait()
    started = time.time()
    await asyncio.gather(*(one(t, n) for t, n in zip(ids, numbers, strict=True)))
    ended = time.time()
    await client.aclose()
    return started, ended


async def _claims(
    url: str,
    prefix: str,
    agents: list[str],
    tickets: list[str],
    chunk: int,
    barrier: Barrier,
) -> dict[str, Any]:
    client = _client(url, 8)
    queue = HandoffQueue(client, prefix=prefix, config=bench_config())
    chunks = [tickets[i : i + chunk] for i in range(0, len(tickets), chunk)]
    order = {ticket: i for i, ticket in enumerate(tickets)}
    latencies: list[float] = []
    wins: list[tuple[str, str, int]] = []
    attempts = 0
    refusals: dict[str, int] = defaultdict(int)

    async def lane(lane_chunks: list[list[str]]) -> None:
        nonlocal attempts
        for part in lane_chunks:
            pairs = [  # rotated, so wins (and load) spread over the agents
                (agents[(order[ticket] + i) % len(agents)], ticket)
                for ticket in part
                for i in range(len(agents))
            ]
            sent = time.perf_counter()
            results = await queue.claim_many(pairs)
            elapsed = (time.perf_counter() - sent) * 1000
            latencies.extend([elapsed] * len(pairs))
            attempts += len(pairs)
            for (agent, ticket), result in zip(pairs, results, strict=True):
                if isinstance(result, Claim):
                    wins.append((ticket, agent, result.token))
                else:
                    refusals[type(result).__name__] += 1

    lanes = 2
    barrier.wait()
    started = time.time()
    await asyncio.gather(*(lane(chunks[i::lanes]) for i in range(lanes)))
    ended = time.time()
    await client.aclose()
    return {
        "started": started,
        "ended": ended,
        "attempts": attempts,
        "wins": wins,
        "latencies": latencies,
        "refusals": dict(refusals),
    }


def _worker(phase: str, args: dict[str, Any], barrier: Barrier, out: Any) -> None:
    if phase == "enqueue":
        out.put(asyncio.run(_enqueue(barrier=barrier, **args)))
    else:
        out.put(asyncio.run(_claims(barrier=barrier, **args)))


def run_phase(phase: str, jobs: list[dict[str, Any]]) -> list[Any]:
    """Run one job per process, started together; their results in job order."""
    context = mp.get_context("spawn")
    barrier = context.Barrier(len(jobs))
    outs = [context.Queue() for _ in jobs]
    processes = [
        context.Process(target=_worker, args=(phase, job, barrier, out))
        for job, out in zip(jobs, outs, strict=True)
    ]
    for process in processes:
        process.start()
    results = [out.get(timeout=600) for out in outs]
    for process in processes:
        process.join(60)
    return results


async def setup_agents(url: str, prefix: str, agents: list[str]) -> None:
    """Register the agents (room for every win) and set them online."""
    client = _client(url, 8)
    queue = HandoffQueue(client, prefix=prefix, config=bench_config())
    for agent_id in agents:
        await queue.register_agent(Agent(agent_id, capacity=100))
        await queue.set_presence(agent_id, Presence.ONLINE)
    await client.aclose()


async def verify(
    url: str, prefix: str, tickets: list[str], wins: list[tuple[str, str, int]]
) -> tuple[int, int]:
    """(double claims, unclaimed tickets) from the wins and the stored tickets."""
    client = _client(url, 4)
    queue = HandoffQueue(client, prefix=prefix, config=bench_config())
    by_ticket: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for ticket, agent, token in wins:
        by_ticket[ticket].append((agent, token))
    doubles = sum(max(0, len(w) - 1) for w in by_ticket.values())
    unclaimed = sum(1 for t in tickets if t not in by_ticket)
    stored = {t.id: t for t in await queue.tickets(tickets)}
    for ticket, holders in by_ticket.items():
        record = stored[ticket]
        if len(holders) == 1 and (record.agent_id, record.token) != holders[0]:
            doubles += 1
    held = sum(len(v.chats) for v in await queue.agents())
    if held != len(by_ticket):
        doubles += abs(held - len(by_ticket))
    await client.aclose()
    return doubles, unclaimed


async def claim_next_rate(
    url: str, prefix: str, agents: list[str], n: int
) -> tuple[float, float]:
    """claim_next: claims per second and p95 ms, one call per claim, all agents
    calling at once."""
    client = _client(url, len(agents))
    queue = HandoffQueue(client, prefix=prefix + "n", config=bench_config())
    for agent_id in agents:
        await queue.register_agent(Agent(agent_id, capacity=100))
        await queue.set_presence(agent_id, Presence.ONLINE)
    semaphore = asyncio.Semaphore(len(agents))

    async def put(i: int) -> None:
        async with semaphore:
            await queue.enqueue(ticket_request(f"n{i}", i))

    await asyncio.gather(*(put(i) for i in range(n)))
    claimed = 0
    latencies: list[float] = []

    async def worker(agent_id: str) -> None:
        nonlocal claimed
        while True:
            sent = time.perf_counter()
            claim = await queue.claim_next(agent_id)
            latencies.append((time.perf_counter() - sent) * 1000)
            if claim is None:
                return
            claimed += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(a) for a in agents))
    elapsed = time.perf_counter() - started
    await client.aclose()
    assert claimed == n, (claimed, n)
    latencies.sort()
    return claimed / elapsed, latencies[int(0.95 * (len(latencies) - 1))]


async def cleanup(url: str, prefix: str) -> None:
    """Delete the benchmark's keys (only needed on a shared server)."""
    client = _client(url, 2)
    for name in (prefix, prefix + "n"):
        keys = [k async for k in client.scan_iter(match=Keys(name).all_pattern)]
        for start in range(0, len(keys), 500):
            await client.delete(*keys[start : start + 500])
    await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--claimers", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=2, help="tickets per pipeline")
    parser.add_argument("--claim-next", type=int, default=1000)
    parser.add_argument("--redis-url", default="")
    args = parser.parse_args()

    with given_or_own_redis(args.redis_url, "bench-queue") as (url, own):
        prefix = "b" + secrets.token_hex(4)
        workers = max(1, args.workers)
        tickets = [f"bench-{i}" for i in range(args.tickets)]
        agents = [f"agent{i}" for i in range(args.claimers)]
        try:
            asyncio.run(setup_agents(url, prefix, agents))
            jobs = [
                {
                    "url": url,
                    "prefix": prefix,
                    "ids": tickets[w::workers],
                    "numbers": list(range(w, len(tickets), workers)),
                }
                for w in range(workers)
            ]
            spans = run_phase("enqueue", jobs)
            enqueue_s = max(e for _, e in spans) - min(s for s, _ in spans)
            jobs = [
                {
                    "url": url,
                    "prefix": prefix,
                    "agents": agents[w::workers],
                    "tickets": tickets,
                    "chunk": max(1, args.chunk),
                }
                for w in range(workers)
            ]
            results = run_phase("claims", jobs)
            claim_s = max(r["ended"] for r in results) - min(
                r["started"] for r in results
            )
            attempts = sum(r["attempts"] for r in results)
            wins = [w for r in results for w in r["wins"]]
            latencies = sorted(x for r in results for x in r["latencies"])
            refusals: dict[str, int] = defaultdict(int)
            for r in results:
                for name, count in r["refusals"].items():
                    refusals[name] += count
            doubles, unclaimed = asyncio.run(verify(url, prefix, tickets, wins))
            next_rate, next_p95 = asyncio.run(
                claim_next_rate(url, prefix, agents, args.claim_next)
            )
            p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0
            print(
                f"enqueue: {len(tickets)} in {enqueue_s:.2f} s; contested claims: "
                f"{attempts} attempts on {len(tickets)} tickets by {len(agents)} "
                f"agents in {workers} processes, {len(wins)} won, "
                f"refusals {dict(refusals)}, "
                f"{unclaimed} unclaimed; median claim "
                f"{statistics.median(latencies):.2f} ms"
            )
            print(
                f"claim_next, one call per claim, {len(agents)} agents at once: "
                f"{next_rate:.0f} claims/s, p95 {next_p95:.1f} ms"
            )
            summary = {
                "contested_claims": attempts,
                "double_claims": doubles,
                "claims_per_s": round(attempts / claim_s),
                "enqueue_per_s": round(len(tickets) / enqueue_s),
                "p95_claim_ms": round(p95, 2),
            }
        finally:
            if not own:
                asyncio.run(cleanup(url, prefix))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
