"""Two Rasa models side by side: parse time per message, memory, and what each reads.

Usage: ``python -m bench.nlu_compare --before OLD.tar.gz [--after NEW.tar.gz]
[--data ../shared/datasets/bitext/dev.csv] [--messages 300] [--say TEXT ...]``

Starts a Rasa server of its own for each model (free ports, the workers ``make run``
gives Rasa), sends the same messages to both in turn (before, after, before, ...) so
both see the same load on a shared machine, and prints for each the median and p95
milliseconds per ``/model/parse`` over HTTP, the ratio after/before, and the resident
memory of each server with its workers once loaded and at the end. ``--say`` messages
are shown with each model's intent and confidence (a diagnostic, never training data).
Without ``--data`` the timed messages are the ``--say`` ones. ``--after`` defaults to
the model of the current training inputs. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import time
from pathlib import Path

import httpx

from bench.memory import rss_mb
from bench.rasa_server import RasaHandle, rasa_server
from bot.ops.train import ensure_model


def _timed_parse(rasa: RasaHandle, client: httpx.Client, text: str) -> float:
    started = time.perf_counter()
    rasa.parse(client, text)
    return 1000 * (time.perf_counter() - started)


def _summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
    }


def main() -> None:
    """Run the comparison."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", required=True, type=Path)
    parser.add_argument("--after", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--say", action="append", default=[])
    args = parser.parse_args()
    texts = list(args.say)
    if args.data:
        with args.data.open(encoding="utf-8") as handle:
            rows = [r["text"] for r in csv.DictReader(handle) if r.get("text")]
        texts = rows[: args.messages]
    if not texts:
        parser.error("nothing to send: give --data or --say")
    after = args.after or ensure_model()
    models = {"before": args.before, "after": after}
    with (
        rasa_server(model=models["before"], reuse=False) as old,
        rasa_server(model=models["after"], reuse=False) as new,
        httpx.Client(timeout=30) as client,
    ):
        servers = {"before": old, "after": new}
        pids = {k: s.pid for k, s in servers.items() if s.pid is not None}
        loaded = rss_mb(pids)
        for server in servers.values():  # warm up: first parses load lazily
            for text in texts[:5]:
                server.parse(client, text)
        ms: dict[str, list[float]] = {"before": [], "after": []}
        for text in texts:
            for name, server in servers.items():
                ms[name].append(_timed_parse(server, client, text))
        readings = {
            text: {
                name: (
                    lambda r: f"{r['intent']['name']} {r['intent']['confidence']:.2f}"
                )(server.parse(client, text))
                for name, server in servers.items()
            }
            for text in args.say
        }
        end = rss_mb(pids)
    for text, by_model in readings.items():
        print(f"{text!r}: before {by_model['before']}; after {by_model['after']}")
    result = {
        "messages": len(texts),
        "models": {k: v.name for k, v in models.items()},
        "before": _summary(ms["before"]),
        "after": _summary(ms["after"]),
        "ratio_median": round(
            statistics.median(ms["after"]) / statistics.median(ms["before"]), 2
        ),
        "rss_mb_loaded": loaded,
        "rss_mb_end": end,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
