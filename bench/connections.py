"""Idle widget connections: what thousands of open, quiet widgets cost one gateway.

Usage: ``python -m bench.connections [--idle 5000] [--customers 2] [--messages 12]
[--window 60]``

Starts its own stack (bench/stack.py's ``own_stack``; run it on a Redis of its own,
``REDIS_URL``, or other clients' commands count too). First, with no idle socket
open, ``--customers`` widget customers chat with the bot at once (bench/customers.py's
calm personas, each message sent when the last is answered) and the Redis commands
of ``--window`` quiet seconds are counted. Then a client in a process of its own
opens ``--idle`` widget sockets that say hello and then wait, as customers with the
chat open do, and the same is measured again with them open. Reported:

- the gateway's resident memory per idle connection (``VmRSS`` before and after,
  settled), KiB;
- Redis commands per idle connection per minute (the window with them open minus
  the one without; INFO ``total_commands_processed``);
- the active customers' p50 from a message to its answer with the idle connections
  open, and its ratio to the p50 with none (the mean of a round before they open and
  one after they close, so a machine that gets busier or quieter during the run
  moves both sides alike).

Each of the two processes that hold the sockets needs a file descriptor per socket:
the open-file soft limit is raised to the hard limit (the stack's processes and the
client inherit it); when even the hard limit is too low this says so and stops.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

import redis

from bench.customers import PERSONAS, Phase, widget_customer
from bench.memory import settled_rss
from bench.stack import own_stack
from bot.ops.widget import Widget
from bot.settings import ROOT

SPARE_FILES = 200  # descriptors besides the sockets (Redis pools, logs, imports)
OPEN_AT_ONCE = 100  # handshakes in flight in the client
CALM = (0, 2)  # bench/customers.py's personas that stay with the bot


def raise_file_limit(sockets: int) -> int:
    """Raise the open-file soft limit to the hard limit when ``sockets`` need it;
    SystemExit with what to do when the hard limit is too low. Returns the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = sockets + SPARE_FILES
    if soft >= need:
        return soft
    if hard != resource.RLIM_INFINITY and hard < need:
        raise SystemExit(
            f"{sockets:,} connections need about {need:,} open files, but this "
            f"process may open at most {hard:,} (the hard limit). Raise it (as root: "
            f"ulimit -Hn {need}; for a service: LimitNOFILE= in its unit) or ask for "
            "fewer with --idle."
        )
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


# -- the client that holds the idle sockets (its own process) ----------------------


async def hold(gateway: str, count: int) -> None:
    """Open ``count`` widget sockets, say so on stdout, keep them until stdin ends."""
    widgets: list[Widget] = []
    for start in range(0, count, OPEN_AT_ONCE):
        batch = range(start, min(count, start + OPEN_AT_ONCE))
        widgets += await asyncio.gather(
            *(Widget.open(gateway, open_timeout=60) for _ in batch)
        )
    print(json.dumps({"open": len(widgets)}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for widget in widgets:  # all still open and answering
        await widget.alive()
    print(json.dumps({"alive": len(widgets)}), flush=True)


class IdleClient:
    """``python -m bench.connections --hold N --gateway URL`` as a child process."""

    def __init__(self, gateway: str, count: int) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own module
            [sys.executable, "-m", "bench.connections", "--hold", str(count)]
            + ["--gateway", gateway],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def expect(self, key: str) -> int:
        """The next line of the client, which must say ``key``."""
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the idle client stopped (exit {self.process.wait()})")
        return int(json.loads(line)[key])

    def close(self) -> int:
        """Check every socket still answers, then end the client."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        alive = self.expect("alive")
        self.process.wait(120)
        return alive


# -- the measurement ---------------------------------------------------------------


def commands(client: redis.Redis) -> int:
    return int(client.info("stats")["total_commands_processed"])


def quiet_commands(client: redis.Redis, seconds: float) -> int:
    """Redis commands during ``seconds`` in which no customer writes."""
    before = commands(client)
    time.sleep(seconds)
    return commands(client) - before


def p50(gateway: str, customers: int, messages: int) -> tuple[float, Phase]:
    """The active customers' median time from a message to its answer; they chat
    at once, each with one of the calm personas of bench/customers.py."""

    async def chat() -> Phase:
        phase = Phase("gateway")
        scripts = [PERSONAS[CALM[i % len(CALM)]] for i in range(customers)]
        texts = [[t[n % len(t)] for n in range(messages)] for t in scripts]
        await asyncio.gather(*(widget_customer(gateway, t, phase) for t in texts))
        return phase

    phase = asyncio.run(chat())
    return statistics.median(phase.latencies_ms or [float("nan")]), phase


def measure(args: argparse.Namespace) -> dict[str, Any]:
    limit = raise_file_limit(args.idle)
    with own_stack() as stack:
        settings = stack.settings
        gateway = f"http://127.0.0.1:{settings.gateway_port}"
        process = stack.service("gateway").process
        assert process is not None  # started
        pid = process.pid
        sync = redis.Redis.from_url(settings.redis_url)
        try:
            # once to warm up: the first answers load what later ones reuse
            p50(gateway, args.customers, args.messages)
            alone_ms, alone = p50(gateway, args.customers, args.messages)
            quiet_alone = quiet_commands(sync, args.window)
            rss_before = settled_rss(pid)
            client = IdleClient(gateway, args.idle)
            opened = client.expect("open")
            rss_after = settled_rss(pid)
            quiet_idle = quiet_commands(sync, args.window)
            with_ms, with_idle = p50(gateway, args.customers, args.messages)
            alive = client.close()
            after_ms, after = p50(gateway, args.customers, args.messages)
        finally:
            sync.close()
    per_minute = max(0, quiet_idle - quiet_alone) / opened / (args.window / 60)
    return {
        "idle": opened,
        "still_open_at_end": alive,
        "open_files_limit": limit,
        "rss_before_mib": round(rss_before / 1024, 1),
        "rss_after_mib": round(rss_after / 1024, 1),
        "kib_per_connection": round((rss_after - rss_before) / opened, 1),
        "redis_cmds_window_alone": quiet_alone,
        "redis_cmds_window_idle": quiet_idle,
        "window_s": args.window,
        "redis_cmds_per_idle_connection_per_min": round(per_minute, 4),
        "customers": args.customers,
        "messages": args.messages,
        "p50_ms_alone_before": round(alone_ms, 1),
        "p50_ms_alone_after": round(after_ms, 1),
        "p50_ms_alone": round((alone_ms + after_ms) / 2, 1),
        "p50_ms_with_idle": round(with_ms, 1),
        "p50_ratio": round(with_ms / ((alone_ms + after_ms) / 2), 2),
        "errors": alone.errors + with_idle.errors + after.errors,
    }


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--idle", type=int, default=5000, help="idle widget sockets")
    parser.add_argument("--customers", type=int, default=2)
    parser.add_argument("--messages", type=int, default=12)
    parser.add_argument("--window", type=float, default=60.0, help="seconds")
    parser.add_argument("--hold", type=int, help=argparse.SUPPRESS)  # the client
    parser.add_argument("--gateway", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hold is not None:
        raise_file_limit(args.hold)
        asyncio.run(hold(args.gateway, args.hold))
        return
    if not 1 <= args.idle <= 50_000 or not 1 <= args.customers <= 50:
        parser.error("--idle must be 1-50,000 and --customers 1-50")
    if args.messages < 2 or args.window < 5:
        parser.error("--messages must be at least 2 and --window at least 5 s")
    print(json.dumps(measure(args)), flush=True)


if __name__ == "__main__":
    main()
