"""The load run with two gateways and two Rasa servers on a Redis Cluster, next to
the same on a single Redis, as a ratio (issue 17).

Usage: ``python -m bench.cluster_load [--customers 20] [--messages 10] [--repeat 2]``

Starts, one after the other, two stacks of two of each process (action servers,
Rasa servers with one worker each, gateways; ``STACK_REPLICAS=2``, docs/deploy.md):
the first on the single Redis of ``REDIS_URL`` (its own key prefix, deleted after),
the second on a Redis Cluster of its own (3 masters and 3 replicas on loopback, as
tests/ha starts it; gone after). On each, N widget customers (bench/customers.py,
the scripts of bench/load.py) send M messages one after the other, customer i on
gateway i mod 2, after a short warm-up. Prints one JSON line per Redis and
repetition, and last the medians and the ratios cluster / single::

    {"customers", "messages", "single_p50_ms", "single_p99_ms",
     "single_throughput_per_s", "cluster_p50_ms", "cluster_p99_ms",
     "cluster_throughput_per_s", "throughput_ratio", "p50_ratio", "p99_ratio"}
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.customers import Phase, run_phase, widget_customer
from bench.stack import LOG_DIR
from bot.ops.preflight import ensure_redis
from bot.ops.private import private_settings, private_stack
from bot.ops.redisha import ClusterSetup, running
from bot.ops.stack import Stack
from bot.ops.train import ensure_model
from bot.settings import get_settings


def gateway_urls(stack: Stack) -> list[str]:
    """The base URLs of the stack's gateways."""
    return [
        f"http://127.0.0.1:{s.port}"
        for s in stack.services
        if s.name.startswith("gateway")
    ]


async def measure(
    stack: Stack, redis: str, customers: int, messages: int, repeat: int
) -> list[dict[str, Any]]:
    """Warm up, then ``repeat`` rounds of N customers over both gateways."""
    urls = gateway_urls(stack)
    turn = iter(range(10**9))

    async def widget(texts: list[str], phase: Phase) -> None:
        await widget_customer(urls[next(turn) % len(urls)], texts, phase)

    warm = await run_phase("warm-up", 4, 4, widget)
    if warm.errors:
        raise SystemExit(f"warm-up on the {redis} failed ({warm.errors} errors)")
    rounds = []
    for repetition in range(1, repeat + 1):
        phase = await run_phase(redis, customers, messages, widget)
        summary = {
            "repetition": repetition,
            **phase.summary(customers, messages),
            "load_1min": round(os.getloadavg()[0], 2),
        }
        print(json.dumps(summary), flush=True)
        rounds.append(summary)
    return rounds


@contextmanager
def cluster_stack(root: Path, model: Path) -> Iterator[Stack]:
    """Two of each process on a Redis Cluster of its own (3 masters, 3 replicas)."""
    with running(ClusterSetup(root, replicas=1)) as setup:
        settings = private_settings(
            setup.url,
            "cl",
            rasa_workers=1,
            stack_replicas=2,  # type: ignore[attr-defined]
        )
        stack = Stack(settings, model, log_dir=LOG_DIR / "cluster")
        stack.start()
        try:
            yield stack
        finally:
            stack.stop()


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    if min(args.customers, args.messages, args.repeat) < 1:
        parser.error("--customers, --messages and --repeat must be at least 1")
    settings = get_settings()
    ensure_redis(settings.redis_url)
    model = ensure_model()
    n, m, r = args.customers, args.messages, args.repeat
    (LOG_DIR / "cluster").mkdir(parents=True, exist_ok=True)
    (LOG_DIR / "single").mkdir(parents=True, exist_ok=True)
    single = private_settings(
        settings.redis_url, "sg", rasa_workers=1, stack_replicas=2
    )
    print("starting two of each on the single Redis ...", flush=True)
    with private_stack(single, model, LOG_DIR / "single") as stack:
        alone = asyncio.run(measure(stack, "single", n, m, r))
    print("starting a Redis Cluster and two of each on it ...", flush=True)
    with (
        tempfile.TemporaryDirectory() as root,
        cluster_stack(Path(root), model) as stack,
    ):
        spread = asyncio.run(measure(stack, "cluster", n, m, r))

    def median(rounds: list[dict[str, Any]], key: str) -> float:
        return round(statistics.median(x[key] for x in rounds), 1)

    last: dict[str, Any] = {"customers": n, "messages": m}
    for name, rounds in (("single", alone), ("cluster", spread)):
        for key in ("p50_ms", "p99_ms", "throughput_per_s"):
            last[f"{name}_{key}"] = median(rounds, key)
        last[f"{name}_errors"] = sum(x["errors"] for x in rounds)
        last[f"{name}_apologies"] = sum(x["apologies"] for x in rounds)
    for key, label in (
        ("throughput_per_s", "throughput_ratio"),
        ("p50_ms", "p50_ratio"),
        ("p99_ms", "p99_ratio"),
    ):
        last[label] = round(last[f"cluster_{key}"] / last[f"single_{key}"], 3)
    print(json.dumps(last), flush=True)


if __name__ == "__main__":
    main()
