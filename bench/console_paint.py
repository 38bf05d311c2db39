"""How fast the agent console shows a long line: first paint with 200 waiting chats.

Usage: ``python -m bench.console_paint [--waiting 200] [--loads 7]``

Starts a private redis-server and one gateway alone (``python -m bot.ops.serve
gateway``; the console needs neither Rasa nor the action server), adds an agent
account, and signs in with Debian's chromium through Playwright (1280x720). Then the
console page is loaded ``--loads`` times with nobody waiting (the baseline, in the
same run) and as often with ``--waiting`` chats waiting (enqueued through the queue
library, each with one or two customer messages in the transcript; seeded). Each
load reports the browser's first contentful paint and the moment the whole waiting
list is on screen (``performance.now()`` from the navigation, read in the frame the
last item appears, once the list has left ``aria-busy``), and the time of
``GET /console/api/queue``. Prints one JSON line
per set, then the medians with the ratio of the long line to the empty one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from playwright.async_api import Page, async_playwright

from bench.lone_gateway import start_gateway
from bot.console.accounts import Accounts
from bot.handoff import Customer, EmotionSnapshot, HandoffQueue, HandoffRequest
from bot.handoff.keys import Keys
from bot.ops.redis_server import RedisServer
from bot.transcript import Author, Entry, Transcript

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = secrets.token_urlsafe(18)  # of the throw-away account
EMOTIONS = ["anger", "frustration", "sadness", "anxiety", "confusion", "neutral"]
SAID = [
    "where is my parcel, it was due on Monday and nobody tells me anything",
    "I was charged twice for the same order",
    "the jacket arrived torn and I need it for a trip on Friday",
    "nobody answers my emails about the refund",
    "can I change the delivery address please",
]


async def fill_line(client: aioredis.Redis, prefix: str, count: int) -> None:
    """``count`` customers waiting, each having written once or twice (seeded)."""
    rng = random.Random(18)
    queue = HandoffQueue(client, prefix=prefix)
    transcript = Transcript(client, prefix=prefix)
    for n in range(count):
        cid = f"paint-{n:04d}"
        for text in rng.sample(SAID, rng.choice([1, 2])):
            await transcript.append(cid, Entry(Author.CUSTOMER, text))
        await queue.enqueue(
            HandoffRequest(
                cid,
                rng.choice(["web", "telegram"]),
                Customer(cid, f"Customer {n:04d}"),
                EmotionSnapshot(rng.choice(EMOTIONS), round(rng.random(), 2), 0),
                topic="order_status",
                reasons=["asked_for_person"],
            )
        )


async def one_load(page: Page, base: str, count: int) -> dict[str, float]:
    """Load the console once; when did it paint, when was the whole list shown."""
    await page.goto(base + "/console", wait_until="commit")
    shown = await page.wait_for_function(
        "(n) => document.querySelector('#queue-list[aria-busy=false]')"
        " && document.querySelectorAll('#queue-list .queue-item').length === n"
        " && performance.now()",
        arg=count,
        polling="raf",
    )
    paint = await page.wait_for_function(
        "() => (performance.getEntriesByName('first-contentful-paint')[0] || {})"
        ".startTime"
    )
    return {
        "first_paint_ms": float(await paint.json_value()),
        "list_shown_ms": float(await shown.json_value()),
    }


async def load_set(page: Page, base: str, count: int, loads: int) -> dict[str, Any]:
    """``loads`` loads (after one to warm up); medians."""
    await one_load(page, base, count)
    runs = [await one_load(page, base, count) for _ in range(loads)]
    api = []
    for _ in range(loads):
        started = time.perf_counter()
        response = await page.request.get(base + "/console/api/queue")
        api.append((time.perf_counter() - started) * 1000)
        assert len((await response.json())["items"]) == count
    return {
        "waiting": count,
        "first_paint_ms": round(
            statistics.median(r["first_paint_ms"] for r in runs), 1
        ),
        "list_shown_ms": round(statistics.median(r["list_shown_ms"] for r in runs), 1),
        "queue_api_ms": round(statistics.median(api), 1),
    }


async def measure(base: str, redis_url: str, prefix: str, args: Any) -> None:
    """Sign in, measure the empty console, fill the line, measure again."""
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    queue = HandoffQueue(client, prefix=prefix)
    user = "bench-" + secrets.token_hex(3)
    await Accounts(client, Keys(prefix), queue).add(user, PASSWORD, name="Bench")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"]
        )
        context = await browser.new_context(viewport={"width": 1280, "height": 720})
        page = await context.new_page()
        await page.goto(base + "/console/login")
        await page.get_by_test_id("login-user").fill(user)
        await page.get_by_test_id("login-password").fill(PASSWORD)
        await page.get_by_test_id("login-submit").click()
        await page.wait_for_url(base + "/console")
        empty = await load_set(page, base, 0, args.loads)
        print(json.dumps(empty), flush=True)
        await fill_line(client, prefix, args.waiting)
        full = await load_set(page, base, args.waiting, args.loads)
        print(json.dumps(full), flush=True)
        await browser.close()
    await client.aclose()
    print(
        json.dumps(
            {
                "waiting": args.waiting,
                "loads": args.loads,
                "first_paint_ms": full["first_paint_ms"],
                "list_shown_ms": full["list_shown_ms"],
                "queue_api_ms": full["queue_api_ms"],
                "baseline_first_paint_ms": empty["first_paint_ms"],
                "baseline_list_shown_ms": empty["list_shown_ms"],
                "list_shown_ratio": round(
                    full["list_shown_ms"] / max(1.0, empty["list_shown_ms"]), 2
                ),
            }
        )
    )


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--waiting", type=int, default=200)
    parser.add_argument("--loads", type=int, default=7)
    args = parser.parse_args()
    if not 1 <= args.waiting <= 5000 or not 1 <= args.loads <= 50:
        raise SystemExit("--waiting 1-5000, --loads 1-50")
    if not CHROMIUM.exists():
        raise SystemExit("Debian chromium is missing; run `bash scripts/browser.sh`")
    prefix = "paint" + secrets.token_hex(3)
    with tempfile.TemporaryDirectory(prefix="bench-paint-") as scratch:
        server = RedisServer(Path(scratch) / "redis", appendfsync=None)
        server.start()
        process, base = start_gateway(server.url, prefix, Path(scratch) / "gw.log")
        try:
            asyncio.run(measure(base, server.url, prefix, args))
        finally:
            process.terminate()
            process.wait(30)
            server.stop()


if __name__ == "__main__":
    main()
