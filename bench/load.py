"""Load test: the whole stack against bare Rasa and the stock ``rasa init`` Rasa.

Usage: ``python -m bench.load --customers N --messages M [--repeat R]``
(or ``--gateway URL --rasa-url URL`` to use a running stack).

Without URLs it starts its own stack (action server, Rasa, gateway) on free ports with
its own Redis key prefix, deleted afterwards. Each repetition runs three phases, each
with the same N concurrent customers sending M messages one after the other (no think
time unless ``--think S``: then each customer pauses S seconds on average between
its messages, as a person reading and typing would; 0.5-1.5 S, from a seeded random),
the same texts in the same order:

1. **full stack**: every customer is a widget on ``/ws/chat`` (protocol in
   bot/widget_protocol.py);
   the latency of a message is from sending it to the gateway's ``typing`` ``on:false``
   that follows its last answer. This path is gateway + Redis transcript and queue +
   Rasa + action server (emotion analysis, empathy, handoff) + the push back;
2. **bare Rasa**: ``POST /webhooks/rest/webhook`` of the same Rasa server (same model,
   same Redis tracker and lock stores, and the same custom actions, so the action
   server's work is inside this number too); the difference to 1 is the gateway;
3. **stock Rasa**: the same texts to a Rasa serving the stock ``rasa init`` model and
   pipeline (bench/stock.py: DIET + TED, in-memory tracker, no actions).

The texts are our own: a mix of everyday questions (orders, delivery, refunds,
payments, invoices, accounts) and upset turns. One customer in four gets angrier turn
by turn and is handed to a person at the 3rd message, another at the 9th; after that
the gateway no longer calls Rasa but scores the message with the action server's
emotion analysis and answers "a person will reply here" (bare Rasa, paused, only
logs it). At N=10, M=10 about 17 of the 100 messages take that path. A short warm-up
precedes the measured phases.

Prints one JSON line per phase and repetition (``escalated``: conversations handed
to a person; ``apologies``: answers that were the apology for a bot that did not
answer in time), a ``gateway_log`` line when it started its own stack (how often
the gateway's log says Rasa did not answer, a waiting customer's question got no
answer from the action server, ...), a ``breakdown`` line (NLU parse alone
and the emotion analysis alone, at the same concurrency), a ``memory_mb`` line
(resident memory, children included, of every process idle and at the peak under
load), a ``bot_answered_only`` line (p50 and overhead over the messages the bot
answered in both runs, leaving out handed-over chats), and last the medians over the
repetitions::

    {"customers", "messages", "p50_ms", "p95_ms", "p99_ms", "throughput_per_s",
     "rasa_p50_ms", "rasa_p95_ms", "rasa_throughput_per_s",
     "stock_rasa_throughput_per_s", "overhead_ratio_p50"}
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.customers import (
    MESSAGE_TIMEOUT_S,
    Phase,
    rest_customer,
    run_phase,
    timed_posts,
    widget_customer,
)
from bench.memory import MemorySampler, redis_pid, rss_mb, worker_cpu_s
from bench.stack import own_stack
from bench.stock import stock_rasa
from bot.settings import get_settings


async def breakdown(
    rasa_url: str, rasa_token: str, actions_url: str, customers: int, messages: int
) -> dict[str, Any]:
    """Rasa's NLU alone and the emotion analysis alone, at the same concurrency."""
    async with httpx.AsyncClient(timeout=MESSAGE_TIMEOUT_S) as http:

        async def parse(text: str) -> None:
            response = await http.post(
                f"{rasa_url}/model/parse",
                params={"token": rasa_token},
                json={"text": text},
            )
            response.raise_for_status()

        async def emotion(text: str) -> None:
            response = await http.post(
                f"{actions_url}/emotion", json={"text": text, "history": []}
            )
            response.raise_for_status()

        return {
            "breakdown": True,
            "nlu_parse": await timed_posts(customers, messages, parse),
            "emotion_analysis": await timed_posts(customers, messages, emotion),
        }


# What the gateway logs when an upstream fails it (bot/upstream.py,
# bot/conversations.py), counted in its log over the measured phases.
GATEWAY_LOG_LINES = {
    "rasa_did_not_answer": "rasa did not answer for",
    "bot_unavailable_queued": "bot unavailable for",
    "waiting_question_unanswered": "no answer for a waiting customer",
    "emotion_analysis_unavailable": "emotion analysis unavailable",
}


def log_counts(path: Path, since: int) -> dict[str, int]:
    """How often each of GATEWAY_LOG_LINES is in ``path`` after byte ``since``."""
    with path.open("rb") as log:
        log.seek(since)
        text = log.read().decode(errors="replace")
    return {name: text.count(line) for name, line in GATEWAY_LOG_LINES.items()}


@dataclass
class Targets:
    """Where the three phases send their messages."""

    gateway: str
    rasa: str
    rasa_token: str
    actions: str
    stock: str
    pids: dict[str, int]  # process name -> pid, for memory
    gateway_log: Path | None = None  # the gateway's log, when the bench started it


async def measure(
    targets: Targets, customers: int, messages: int, repeat: int, think_s: float = 0.0
) -> list[dict[str, Any]]:
    """Warm up, then ``repeat`` rounds of the three phases; returns their summaries."""
    async with httpx.AsyncClient(
        timeout=MESSAGE_TIMEOUT_S,
        limits=httpx.Limits(max_connections=customers * 2 + 4),
    ) as http:
        pause = 0.0  # seconds between a customer's messages; none in the warm-up

        async def widget(texts: list[str], phase: Phase) -> None:
            await widget_customer(targets.gateway, texts, phase, pause)

        async def rasa(texts: list[str], phase: Phase) -> None:
            await rest_customer(http, targets.rasa, texts, phase, pause)

        async def stock(texts: list[str], phase: Phase) -> None:
            await rest_customer(http, targets.stock, texts, phase, pause)

        for name, one in (("widget", widget), ("rasa", rasa), ("stock", stock)):
            warm = await run_phase(name, min(customers, 4), 4, one)
            if warm.errors:
                raise SystemExit(f"warm-up of {name} failed ({warm.errors} errors)")
        pause = think_s
        summaries = []
        for repetition in range(1, repeat + 1):
            for name, one in (("full_stack", widget), ("rasa", rasa), ("stock", stock)):
                rasa_pid = targets.pids.get("rasa")
                before = worker_cpu_s(rasa_pid) if rasa_pid else {}
                phase = await run_phase(name, customers, messages, one)
                after = worker_cpu_s(rasa_pid) if rasa_pid else {}
                summary = {
                    "repetition": repetition,
                    **phase.summary(customers, messages),
                    # how the phase's work fell on Rasa's worker processes
                    "rasa_worker_cpu_s": [
                        round(after[w] - before.get(w, 0.0), 2) for w in sorted(after)
                    ],
                    "load_1min": round(os.getloadavg()[0], 2),
                }
                print(json.dumps(summary), flush=True)
                summaries.append(summary)
        return summaries


def headline(
    summaries: list[dict[str, Any]], customers: int, messages: int
) -> dict[str, Any]:
    """Medians over the repetitions, in the issue's last-line format."""

    def median(target: str, key: str) -> float:
        values = [s[key] for s in summaries if s["target"] == target]
        return round(statistics.median(values), 2)

    ratios = [
        full["p50_ms"] / bare["p50_ms"]
        for full, bare in zip(
            [s for s in summaries if s["target"] == "full_stack"],
            [s for s in summaries if s["target"] == "rasa"],
            strict=True,
        )
    ]
    return {
        "customers": customers,
        "messages": messages,
        "p50_ms": median("full_stack", "p50_ms"),
        "p95_ms": median("full_stack", "p95_ms"),
        "p99_ms": median("full_stack", "p99_ms"),
        "throughput_per_s": median("full_stack", "throughput_per_s"),
        "rasa_p50_ms": median("rasa", "p50_ms"),
        "rasa_p95_ms": median("rasa", "p95_ms"),
        "rasa_throughput_per_s": median("rasa", "throughput_per_s"),
        "stock_rasa_throughput_per_s": median("stock", "throughput_per_s"),
        "overhead_ratio_p50": round(statistics.median(ratios), 3),
        # issue 17's measures: against bare Rasa in the same run, and the worst
        # repetition's tail
        "rasa_p99_ms": median("rasa", "p99_ms"),
        "throughput_ratio": round(
            median("full_stack", "throughput_per_s")
            / max(median("rasa", "throughput_per_s"), 1e-9),
            3,
        ),
        "p99_ratio": round(
            median("full_stack", "p99_ms") / max(median("rasa", "p99_ms"), 1e-9), 3
        ),
        "worst_p99_ms": max(
            s["p99_ms"] for s in summaries if s["target"] == "full_stack"
        ),
        "unanswered": sum(
            s["errors"] for s in summaries if s["target"] == "full_stack"
        ),
        "apologies": sum(
            s["apologies"] for s in summaries if s["target"] == "full_stack"
        ),
    }


def bot_only(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over repetitions, of the messages the bot answered in both runs."""
    full = [s["bot_p50_ms"] for s in summaries if s["target"] == "full_stack"]
    bare = [s["bot_p50_ms"] for s in summaries if s["target"] == "rasa"]
    return {
        "bot_answered_only": True,
        "p50_ms": round(statistics.median(full), 1),
        "rasa_p50_ms": round(statistics.median(bare), 1),
        "overhead_ratio_p50": round(
            statistics.median(f / b for f, b in zip(full, bare, strict=True)), 3
        ),
    }


def run(args: argparse.Namespace, targets: Targets) -> None:
    """Measure, then print the breakdown, memory and headline lines."""
    time.sleep(2)  # let start-up settle before "idle"
    idle = rss_mb(targets.pids)
    log = targets.gateway_log
    since = log.stat().st_size if log and log.exists() else 0
    with MemorySampler(targets.pids) as sampler:
        summaries = asyncio.run(
            measure(targets, args.customers, args.messages, args.repeat, args.think)
        )
    if log and log.exists():
        print(json.dumps({"gateway_log": log_counts(log, since)}), flush=True)
    print(
        json.dumps(
            asyncio.run(
                breakdown(
                    targets.rasa,
                    targets.rasa_token,
                    targets.actions,
                    args.customers,
                    args.messages,
                )
            )
        ),
        flush=True,
    )
    memory = {
        name: {"idle": idle[name], "peak_under_load": sampler.peak.get(name)}
        for name in targets.pids
    }
    print(json.dumps({"memory_mb": memory}), flush=True)
    print(json.dumps(bot_only(summaries)), flush=True)
    last = headline(summaries, args.customers, args.messages)
    if args.think:
        last["think_s"] = args.think
    print(json.dumps(last), flush=True)


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=10)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds; medians reported"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds a customer takes before the next message (mean; default 0)",
    )
    parser.add_argument("--gateway", help="a running gateway's URL (with --rasa-url)")
    parser.add_argument("--rasa-url", help="that stack's Rasa (loopback)")
    parser.add_argument("--actions-url", help="that stack's action server")
    args = parser.parse_args()
    if args.customers < 1 or args.messages < 1 or args.repeat < 1:
        parser.error("--customers, --messages and --repeat must be at least 1")
    if not 0 <= args.think <= 60:
        parser.error("--think must be between 0 and 60 seconds")
    if bool(args.gateway) != bool(args.rasa_url):
        parser.error("give both --gateway and --rasa-url, or neither")
    with stock_rasa() as (stock_url, stock_pid):
        pids: dict[str, int] = {}
        if args.gateway:
            settings = get_settings()
            targets = Targets(
                args.gateway.rstrip("/"),
                args.rasa_url.rstrip("/"),
                settings.rasa_api_token(),
                (args.actions_url or settings.actions_url).rstrip("/"),
                stock_url,
                {"stock_rasa": stock_pid},
            )
            run(args, targets)
            return
        with own_stack() as stack:
            s = stack.settings
            for service in stack.services:
                assert service.process is not None
                pids[service.name] = service.process.pid
            if (pid := redis_pid(s.redis_url)) is not None:
                pids["redis"] = pid
            pids["stock_rasa"] = stock_pid
            targets = Targets(
                f"http://127.0.0.1:{s.gateway_port}",
                s.rasa_url,
                s.rasa_api_token(),
                s.actions_url,
                stock_url,
                pids,
                stack.service("gateway").log_path,
            )
            run(args, targets)


if __name__ == "__main__":
    main()
