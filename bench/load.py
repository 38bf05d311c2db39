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

Prints one JSON line per phase and repetition, a ``breakdown`` line (NLU parse alone
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
import random
import secrets
import statistics
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis

from bench.stock import stock_rasa
from bot.ops.preflight import ensure_redis
from bot.ops.private import private_settings, private_stack
from bot.ops.stack import Stack
from bot.ops.train import ensure_model
from bot.ops.widget import Widget
from bot.settings import ROOT, get_settings

LOG_DIR = ROOT / "var" / "bench-logs"
MESSAGE_TIMEOUT_S = 60.0
THINK_RANDOM = random.Random(7)  # the same sequence of pauses in every run
METADATA = {"channel": "web"}  # what the gateway sends Rasa too (plus name, entry)

# Our own texts: one conversation per persona, cycled when a customer sends more.
# Checked against the stack: personas 0 and 2 stay with the bot despite their mildly
# upset turns, persona 1 is handed to a person at its 9th message, persona 3 at its
# 3rd (its later messages go to the waiting-for-a-person path).
PERSONAS: list[list[str]] = [
    [  # calm questions, one grumble
        "hi there",
        "where is my package? it was supposed to come this week",
        "48213",
        "friday? ugh, that's later than I hoped",
        "how long does standard shipping usually take?",
        "which payment options do you accept?",
        "could you send me the invoice for that order?",
        "ok thank you, that is helpful",
        "can I still change the delivery address?",
        "how do I reset my password?",
        "what is your return policy for shoes?",
        "thanks a lot",
    ],
    [  # questions, then a complaint (handed over at the 9th message)
        "hello",
        "can you tell me the status of order 300418862?",
        "how long do refunds take if I send something back?",
        "do you ship to Austria?",
        "can I pay by bank transfer?",
        "how do I change the email on my account?",
        "can I get an invoice for order 300418862?",
        "what delivery options are faster?",
        "a bit annoying that the app logs me out all the time",
        "ok, thanks",
        "how do I unsubscribe from the newsletter?",
        "bye",
    ],
    [  # refund and account questions, a little impatient
        "I returned a jacket two weeks ago, has the refund gone through?",
        "228810",
        "hmm ok, kind of slow but fine",
        "do you deliver on saturdays?",
        "how much does express delivery cost?",
        "how can I update my card details in my account?",
        "can I cancel an order I placed this morning?",
        "what is the cancellation fee?",
        "thanks for checking",
        "goodbye",
        "can I create a second account for my partner?",
        "ok",
    ],
    [  # angrier turn by turn (handed over at the 3rd message)
        "where is my order",
        "48213",
        "it said two days. it has been ten. seriously??",
        "this is the third time I ask and nothing happens!!!",
        "YOU KEEP GIVING ME THE SAME USELESS ANSWER",
        "hello? is anyone there?",
        "still waiting...",
        "this is unacceptable",
        "please hurry, I need it for a trip",
        "anyone?",
        "my email is sam.tester@example.org",
        "ok",
    ],
]


def script(customer: int, messages: int) -> list[str]:
    """The texts customer number ``customer`` sends, in order."""
    persona = PERSONAS[customer % len(PERSONAS)]
    return [persona[i % len(persona)] for i in range(messages)]


# -- the stack ---------------------------------------------------------------------


@contextmanager
def own_stack(telegram_api_url: str = "") -> Iterator[Stack]:
    """A whole stack on free ports with its own key prefix, cleaned afterwards."""
    settings = get_settings()
    ensure_redis(settings.redis_url)
    telegram: dict[str, Any] = {}
    if telegram_api_url:
        telegram = {
            "telegram_token": f"{secrets.randbelow(10**9)}:b-{secrets.token_hex(8)}",
            "telegram_secret_token": secrets.token_urlsafe(16),
            "telegram_api_url": telegram_api_url,
        }
    own = private_settings(settings.redis_url, "bench", **telegram)
    print(f"starting a stack (logs in {LOG_DIR}) ...", flush=True)
    with private_stack(own, ensure_model(), LOG_DIR) as stack:
        yield stack


# -- resident memory ---------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return tree


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mb(pids: dict[str, int]) -> dict[str, float]:
    """Resident memory of each named process with all its descendants, in MiB."""
    tree = _children()
    out = {}
    for name, pid in pids.items():
        todo, total = [pid], 0
        while todo:
            current = todo.pop()
            total += _rss_kb(current)
            todo.extend(tree.get(current, []))
        out[name] = round(total / 1024, 1)
    return out


class MemorySampler:
    """Samples the resident memory of some processes in a thread; keeps the peaks."""

    def __init__(self, pids: dict[str, int], every_s: float = 0.25) -> None:
        self.pids = pids
        self.every_s = every_s
        self.peak: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> MemorySampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, value in rss_mb(self.pids).items():
                self.peak[name] = max(self.peak.get(name, 0.0), value)
            self._stop.wait(self.every_s)


def redis_pid(url: str) -> int | None:
    """The pid of the Redis server, when it runs on this machine."""
    try:
        info = redis.Redis.from_url(url).info("server")
    except redis.RedisError:
        return None
    pid = int(info.get("process_id", 0))
    return pid if pid and Path(f"/proc/{pid}").exists() else None


# -- customers ---------------------------------------------------------------------


@dataclass
class Phase:
    """What one phase measured."""

    target: str
    latencies_ms: list[float] = field(default_factory=list)
    # The same latencies of the messages the bot answered (the rest were handed-over
    # chats: "a person will reply" from the gateway, nothing from a paused Rasa).
    bot_ms: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    errors: int = 0
    retries: int = 0  # rate-limited messages sent again (widget only)
    escalated: int = 0  # conversations handed to a person

    def summary(self, customers: int, messages: int) -> dict[str, Any]:
        """JSON-ready statistics."""
        lat = sorted(self.latencies_ms)
        return {
            "target": self.target,
            "customers": customers,
            "messages": messages,
            "answered": len(lat),
            "errors": self.errors,
            "retries": self.retries,
            "escalated": self.escalated,
            "p50_ms": round(percentile(lat, 50), 1),
            "p95_ms": round(percentile(lat, 95), 1),
            "p99_ms": round(percentile(lat, 99), 1),
            "mean_ms": round(statistics.fmean(lat), 1) if lat else float("nan"),
            "bot_answered": len(self.bot_ms),
            "bot_p50_ms": round(percentile(sorted(self.bot_ms), 50), 1),
            "throughput_per_s": round(len(lat) / self.wall_s, 2)
            if self.wall_s
            else 0.0,
            "wall_s": round(self.wall_s, 2),
        }


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (linear interpolation) of already sorted values."""
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * q / 100
    low = int(k)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (k - low)


async def widget_answers(
    widget: Widget, client_id: str, timeout: float = MESSAGE_TIMEOUT_S
) -> tuple[str, list[dict[str, Any]]]:
    """Frames answering one message: ("done"|"rate_limited"|"error", entries)."""
    echoed = False
    entries: list[dict[str, Any]] = []
    outcome = "error"

    def answered(frame: dict[str, Any]) -> bool:
        nonlocal echoed, outcome
        kind = frame.get("type")
        if kind == "entry":
            entry = frame["entry"]
            if entry.get("client_id") == client_id:
                echoed = True
            elif echoed and entry.get("author") != "customer":
                entries.append(entry)
        elif kind == "typing" and echoed and not frame.get("on"):
            outcome = "done"
            return True
        elif kind == "error" and frame.get("id") == client_id:
            if frame.get("code") == "rate_limited":
                outcome = "rate_limited"
            return True
        return False

    try:
        await widget.next(answered, timeout)
    except (AssertionError, TimeoutError):  # no answer in time
        return "error", entries
    return outcome, entries


async def think(seconds: float) -> None:
    """A person reading the answer and typing the next message: ``seconds`` on
    average, uniformly 0.5x-1.5x so customers do not move in lockstep."""
    if seconds > 0:
        await asyncio.sleep(seconds * (0.5 + THINK_RANDOM.random()))


async def widget_customer(
    gateway: str, texts: list[str], phase: Phase, think_s: float = 0.0
) -> None:
    """One customer on the widget WebSocket, messages one after the other."""
    try:
        widget = await Widget.open(gateway, open_timeout=30)
        try:
            escalated = False
            for n, text in enumerate(texts):
                if n:
                    await think(think_s)
                client_id = secrets.token_hex(8)
                for _attempt in range(5):
                    started = time.perf_counter()
                    await widget.say(text, client_id)
                    result, entries = await widget_answers(widget, client_id)
                    if result != "rate_limited":
                        break
                    phase.retries += 1
                    await asyncio.sleep(1.0)
                if result == "done":
                    phase.latencies_ms.append(1000 * (time.perf_counter() - started))
                    if any(e.get("author") == "bot" for e in entries):
                        phase.bot_ms.append(phase.latencies_ms[-1])
                    escalated |= any(e.get("kind") == "handoff" for e in entries)
                else:
                    phase.errors += 1
            phase.escalated += escalated
        finally:
            await widget.close()
    except Exception as error:  # noqa: BLE001 - count it, keep the other customers
        print(json.dumps({"customer_failed": repr(error)[:300]}), flush=True)
        phase.errors += 1


async def rest_customer(
    http: httpx.AsyncClient,
    url: str,
    texts: list[str],
    phase: Phase,
    think_s: float = 0.0,
) -> None:
    """One customer on Rasa's REST channel, messages one after the other."""
    sender = f"bench-{secrets.token_hex(8)}"
    for n, text in enumerate(texts):
        if n:
            await think(think_s)
        started = time.perf_counter()
        try:
            response = await http.post(
                f"{url}/webhooks/rest/webhook",
                json={
                    "sender": sender,
                    "message": text,
                    "metadata": {"channel": "web"},
                },
            )
            response.raise_for_status()
            answers = response.json()
        except (httpx.HTTPError, ValueError):
            phase.errors += 1
            continue
        phase.latencies_ms.append(1000 * (time.perf_counter() - started))
        if answers:
            phase.bot_ms.append(phase.latencies_ms[-1])


async def run_phase(
    target: str,
    customers: int,
    messages: int,
    one: Callable[[list[str], Phase], Awaitable[None]],
) -> Phase:
    """N customers at once, each with its script; wall time from first to last."""
    phase = Phase(target)
    started = time.perf_counter()
    await asyncio.gather(*(one(script(i, messages), phase) for i in range(customers)))
    phase.wall_s = time.perf_counter() - started
    return phase


async def timed_posts(
    customers: int, messages: int, post: Callable[[str], Awaitable[Any]]
) -> dict[str, float]:
    """p50/p95 of ``post(text)`` over every text, N at a time."""
    latencies: list[float] = []

    async def one(texts: list[str]) -> None:
        for text in texts:
            started = time.perf_counter()
            await post(text)
            latencies.append(1000 * (time.perf_counter() - started))

    await asyncio.gather(*(one(script(i, messages)) for i in range(customers)))
    latencies.sort()
    return {
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
    }


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


# -- the benchmark -----------------------------------------------------------------


@dataclass
class Targets:
    """Where the three phases send their messages."""

    gateway: str
    rasa: str
    rasa_token: str
    actions: str
    stock: str
    pids: dict[str, int]  # process name -> pid, for memory


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
                phase = await run_phase(name, customers, messages, one)
                summary = {
                    "repetition": repetition,
                    **phase.summary(customers, messages),
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
    with MemorySampler(targets.pids) as sampler:
        summaries = asyncio.run(
            measure(targets, args.customers, args.messages, args.repeat, args.think)
        )
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
            )
            run(args, targets)


if __name__ == "__main__":
    main()
