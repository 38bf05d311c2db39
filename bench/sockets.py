"""Memory of idle widget connections: what one open ``/ws/chat`` costs a gateway.

Usage: ``python -m bench.sockets [--widgets 1000] [--repeat 3]``

Starts a private redis-server and one gateway alone (``python -m bot.ops.serve
gateway``, production settings; no Rasa or action server: an idle socket talks to
neither), opens ``--widgets`` widget sockets that each say hello and then wait, as
customers with the chat open do, and reads the gateway's resident memory
(``VmRSS``) before the first and after the last (once the process has settled:
three equal readings in a row). The widgets connect from loopback addresses
127.0.1.x, 256 per address, like customers behind a few networks. Prints one JSON
line per repetition, then the medians; docs/deploy.md uses the result for sizing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.lone_gateway import start_gateway
from bench.memory import settled_rss
from bot.ops.redis_server import RedisServer
from bot.ops.widget import Widget

PER_ADDRESS = 256


async def open_widgets(base: str, count: int) -> list[Widget]:
    widgets: list[Widget] = []
    for start in range(0, count, 50):  # 50 handshakes at a time
        batch = [
            Widget.open(
                base,
                origin=base,
                local_addr=(f"127.0.1.{1 + i // PER_ADDRESS}", 0),
                open_timeout=60,
            )
            for i in range(start, min(count, start + 50))
        ]
        widgets += await asyncio.gather(*batch)
    return widgets


def one_run(widgets: int, directory: Path) -> dict[str, Any]:
    server = RedisServer(directory / "redis", appendfsync=None)
    server.start()
    process, base = start_gateway(
        server.url,
        "sock" + secrets.token_hex(3),
        directory / "gateway.log",
        environment="production",
        extra={
            "RATE_IP_SESSIONS_PER_HOUR": "100000",
            "WIDGET_SOCKETS_PER_IP": "100000",
        },
        wait_s=60,
    )
    try:
        # one widget first: imports and pools that the first connection builds
        # are not counted as the cost of each
        async def measure() -> dict[str, Any]:
            warm = await open_widgets(base, 1)
            before = settled_rss(process.pid)
            opened = await open_widgets(base, widgets)
            after = settled_rss(process.pid)
            for widget in opened:  # all still open and answering
                await widget.alive()
            for widget in warm + opened:
                await widget.close()
            return {
                "widgets": widgets,
                "rss_before_mib": round(before / 1024, 1),
                "rss_after_mib": round(after / 1024, 1),
                "kib_per_widget": round((after - before) / widgets, 1),
            }

        return asyncio.run(measure())
    finally:
        process.terminate()
        process.wait(30)
        server.stop()


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--widgets", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not 1 <= args.widgets <= 20_000 or not 1 <= args.repeat <= 20:
        raise SystemExit("--widgets 1-20000, --repeat 1-20")
    runs = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="bench-sockets-") as scratch:
            run = one_run(args.widgets, Path(scratch))
        print(json.dumps(run), flush=True)
        runs.append(run)
    keys = ("rss_before_mib", "rss_after_mib", "kib_per_widget")
    print(json.dumps({k: statistics.median(r[k] for r in runs) for k in keys}))


if __name__ == "__main__":
    main()
