"""How long a monthly report takes to build (bot/report.py, bot/report_render.py).

Usage::

    .venv/bin/python -m bench.report_build                 # own redis-server
    .venv/bin/python -m bench.report_build --redis-url redis://127.0.0.1:6379/13
    .venv/bin/python -m bench.report_build --conversations 200

Writes ``--conversations`` synthetic conversations (seeded) that began in 2026-11
under a prefix of its own: each conversation's record, one to four customer messages
with their emotion readings and a bot reply to each (an acknowledgement or not) as the
transcript stores them, a survey answer for about 60% of them as
bot/survey_answers.py stores it, and for about 15% a handoff through the real queue
(enqueued, claimed and resolved on an injected clock). Then it times the report of
``--month 2026-11`` in its three steps: gathering the numbers (``build``: this month
and the one before), the HTML and the PDF (the charts are drawn for each, as
``write`` does). It checks the report's overall numbers against those worked out from
what it wrote, deletes its keys and ends with one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from typing import Any

import redis.asyncio as aioredis

from bench.stack import given_or_own_redis
from bot.handoff import (
    Agent,
    Customer,
    EmotionSnapshot,
    HandoffQueue,
    HandoffRequest,
    Presence,
)
from bot.handoff.keys import Keys
from bot.report import Period, build
from bot.report_render import charts, to_html, to_pdf

MONTH = "2026-11"
TARGET_S = 10.0
AGENTS = ("ann", "bo", "cy", "di")
CHANNELS = ("web", "telegram")
BATCH = 500  # conversations per pipeline
LABELS = ("neutral", "neutral", "anger", "frustration")
REPLIES = (  # an acknowledgement of the templates, of an agent's kind, or none
    "I understand why you're angry about the late order. I'll check it now.",
    "I can see how frustrating the refund is. It is on its way.",
    "I hear you, and I'm sorry about the order.",
    "Your order ships on Monday.",
)


class Clock:
    """The queue's clock, moved by the benchmark (UNIX seconds)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _request(cid: str, channel: str) -> HandoffRequest:
    return HandoffRequest(
        conversation_id=cid,
        channel=channel,
        customer=Customer("cust-" + cid, "Customer " + cid),
        emotion=EmotionSnapshot("frustration", 0.5, 2),
        topic="refund_status",
        reasons=["frustration"],
        explanation="Frustration 2/4.",
        tried=["order lookup"],
        slots={},
    )


async def make(
    client: aioredis.Redis, queue: HandoffQueue, clock: Clock, n: int, seed: int
) -> dict[str, Any]:
    """Write ``n`` conversations; the overall numbers they must give."""
    rng = random.Random(seed)
    keys = queue.keys
    period = Period.parse(MONTH)
    start, span = period.start.timestamp(), (period.end - period.start).total_seconds()
    for agent in AGENTS:
        await queue.register_agent(Agent(agent, agent.title(), 5, frozenset()))
    csat: list[int] = []
    handed: list[tuple[str, str, float]] = []
    for first in range(0, n, BATCH):
        pipe = client.pipeline(transaction=False)
        for i in range(first, min(n, first + BATCH)):
            cid = f"bench-{i}"
            at = start + rng.uniform(0, span - 3600)
            channel = rng.choice(CHANNELS)
            ms = round(at * 1000)
            pipe.hset(
                keys.conversation(cid), mapping={"first_at": ms, "channel": channel}
            )
            readings = {
                f"{ms + 1000 * j}-0": json.dumps(
                    {"label": rng.choice(LABELS), "intensity": round(rng.random(), 3)}
                )
                for j in range(rng.randint(1, 4))
            }
            pipe.hset(keys.emotion(cid), mapping=readings)
            for j, entry_id in enumerate(readings):  # each message and a reply
                said = {"author": "customer", "text": f"message {j} about my order"}
                pipe.xadd(keys.transcript(cid), said, id=entry_id)
                reply = {"author": "bot", "text": rng.choice(REPLIES)}
                pipe.xadd(keys.transcript(cid), reply, id=entry_id[:-1] + "1")
            if rng.random() < 0.15:
                handed.append((cid, channel, at))
            if rng.random() < 0.6:
                answers = {
                    "csat": rng.randint(1, 5),
                    "understood": rng.randint(1, 5),
                    "effort": rng.randint(1, 7),
                    "recommend": rng.randint(0, 10),
                }
                csat.append(answers["csat"])
                record = {
                    "conversation": cid,
                    "survey": 1,
                    "kind": "bot",
                    "channel": channel,
                    "agent": "",
                    "at": at + 600,
                    "answers": answers,
                    "comment_emotion": None,
                }
                pipe.zadd(
                    keys.survey_answers,
                    {json.dumps(record, sort_keys=True): round((at + 600) * 1000)},
                )
        await pipe.execute()
    for number, (cid, channel, at) in enumerate(handed):
        agent = AGENTS[number % len(AGENTS)]
        clock.now = at + 5
        await queue.enqueue(_request(cid, channel))
        clock.now += 60 * rng.randint(1, 30)
        await queue.set_presence(agent, Presence.ONLINE)
        claim = await queue.claim(agent, cid)
        clock.now += 10
        await queue.resolve(agent, cid, claim.token)
    return {
        "conversations": n,
        "surveys": len(csat),
        "csat": round(statistics.fmean(csat), 2) if csat else None,
        "handoffs": len(handed),
        "escalation_rate": round(len(handed) / n, 3) if n else None,
    }


async def keys_of(client: aioredis.Redis, prefix: str) -> list[str]:
    """Every key of ``prefix``: the ``{prefix}`` slot's and the conversations'."""
    pattern = Keys(prefix).all_pattern
    return [k async for k in client.scan_iter(match=pattern, count=1000)]


async def delete_prefix(client: aioredis.Redis, prefix: str) -> None:
    """Delete every key of ``prefix``."""
    batch = await keys_of(client, prefix)
    for i in range(0, len(batch), 1000):
        await client.delete(*batch[i : i + 1000])


async def run(url: str, n: int, seed: int, prefix: str) -> dict[str, Any]:
    """Write, time, check, clean up; the result line."""
    client = aioredis.Redis.from_url(url, decode_responses=True)
    clock = Clock(Period.parse(MONTH).start.timestamp())
    queue = HandoffQueue(client, prefix=prefix, clock=clock)
    try:
        await delete_prefix(client, prefix)
        made = time.perf_counter()
        expected = await make(client, queue, clock, n, seed)
        write_s = time.perf_counter() - made
        began = time.perf_counter()
        report = await build(client, Keys(prefix), queue, Period.parse(MONTH))
        gathered = time.perf_counter()
        html = to_html(report, charts(report))
        drawn = time.perf_counter()
        pdf = to_pdf(report, charts(report))
        done = time.perf_counter()
    finally:
        await delete_prefix(client, prefix)
        left = len(await keys_of(client, prefix))
        await client.aclose()
    overall = report["overall"]
    got = {key: overall[key] for key in expected}
    total = done - began
    return {
        "month": MONTH,
        "n": n,
        "seed": seed,
        "expected": expected,
        "reported": got,
        "consistent": got == expected,
        "html_bytes": len(html.encode()),
        "pdf_bytes": len(pdf),
        "write_s": round(write_s, 2),
        "gather_s": round(gathered - began, 3),
        "html_s": round(drawn - gathered, 3),
        "pdf_s": round(done - drawn, 3),
        "build_s": round(total, 3),
        "phrase_families": len(report["what_works"]["rows"]),
        "highlights": sum(len(v) for v in report["highlights"].values()),
        "target_s": TARGET_S,
        "target_met": total < TARGET_S,
        "keys_left": left,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--redis-url", default="", help="else an own redis-server")
    parser.add_argument("--prefix", default="benchreport")
    args = parser.parse_args(argv)
    with given_or_own_redis(args.redis_url, "bench-report") as (url, _own):
        result = asyncio.run(run(url, args.conversations, args.seed, args.prefix))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
