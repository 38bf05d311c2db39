"""The customers benchmarks simulate: their texts (``PERSONAS``, ``script``), one
customer on the widget or on Rasa's REST channel, N of them at once (``run_phase``)
and what a phase measured (``Phase``). Used by bench/load.py, bench/connections.py
and bench/handoff_latency.py.
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.ops.widget import Widget

MESSAGE_TIMEOUT_S = 60.0
THINK_RANDOM = random.Random(7)  # the same sequence of pauses in every run

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
    # answers that were the apology for a bot that did not answer in time
    # ("bot_unavailable": Rasa timed out or failed; widget only)
    apologies: int = 0

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
            "apologies": self.apologies,
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
                    phase.apologies += sum(
                        (e.get("data") or {}).get("reason") == "bot_unavailable"
                        for e in entries
                    )
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
    paused = False  # Rasa said nothing: the chat was handed to a person
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
        elif not paused:
            paused = True
            phase.escalated += 1


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
