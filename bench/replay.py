"""Drive whole conversations through the running assistant and report escalations.

Usage: ``python -m bench.replay --data bench/scenarios.jsonl [--rasa-url URL]``
or ``python -m bench.replay --data bench/scenarios.jsonl --gateway http://127.0.0.1:8000``
Input lines: ``{"id", "channel", "turns": [customer texts], "expect_escalation"?}``.
Prints one JSON line per conversation ``{"id", "escalated_at_turn", "replies",
"emotion"}`` and, last, ``{"n", "escalation_precision", "escalation_recall", ...}``
over the conversations that say what they expect. By default it talks to Rasa's REST
channel (and reads the emotion slots from the tracker); without a running stack it
starts one (action server, Rasa, gateway) on free ports and stops it afterwards. With
``--gateway`` it is a widget instead: the ``/ws/chat`` protocol of a running gateway,
where an escalation is the handoff entry (emotion is not shown to customers, so it is
left out of that mode's lines).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import secrets
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.stack import LOG_DIR
from bot.ops.preflight import ensure_redis
from bot.ops.private import private_settings, private_stack
from bot.ops.train import ensure_model
from bot.ops.widget import Widget
from bot.settings import ROOT, get_settings


@contextmanager
def assistant(rasa_url: str | None) -> Iterator[tuple[str, str]]:
    """(Rasa URL, API token) of a running assistant, started here if needed."""
    settings = get_settings()
    token = settings.rasa_api_token()
    url = rasa_url or settings.rasa_url
    try:
        if httpx.get(f"{url}/status", params={"token": token}, timeout=2).is_success:
            yield url, token
            return
    except httpx.HTTPError:
        pass
    ensure_redis(settings.redis_url)
    own = private_settings(settings.redis_url, "bench", rasa_token=token)
    with private_stack(own, ensure_model(), LOG_DIR):
        yield own.rasa_url, token


def replay(
    http: httpx.Client, url: str, token: str, conversation: dict[str, Any]
) -> dict[str, Any]:
    """Send every customer turn; collect replies, emotion and the escalation turn."""
    sender = f"replay-{conversation['id']}-{secrets.token_hex(3)}"
    metadata = {"channel": conversation.get("channel", "web")}
    result: dict[str, Any] = {
        "id": conversation["id"],
        "escalated_at_turn": None,
        "replies": [],
        "emotion": [],
    }
    for number, text in enumerate(conversation["turns"], start=1):
        response = http.post(
            f"{url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "metadata": metadata},
        )
        response.raise_for_status()
        result["replies"].append([m.get("text", "") for m in response.json()])
        tracker = http.get(
            f"{url}/conversations/{sender}/tracker", params={"token": token}
        ).json()
        slots = tracker.get("slots", {})
        result["emotion"].append(
            {
                "label": slots.get("emotion"),
                "intensity": slots.get("emotion_intensity"),
                "frustration": slots.get("frustration_level"),
                "reasons": slots.get("escalation_reasons") or [],
            }
        )
        if slots.get("handoff") and result["escalated_at_turn"] is None:
            result["escalated_at_turn"] = number
    return result


def replay_widget(gateway: str, conversation: dict[str, Any]) -> dict[str, Any]:
    """Like ``replay``, through the gateway's widget WebSocket."""
    return asyncio.run(_replay_widget(gateway, conversation))


async def _replay_widget(gateway: str, conversation: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": conversation["id"],
        "escalated_at_turn": None,
        "replies": [],
    }
    widget = await Widget.open(gateway)
    try:
        for number, text in enumerate(conversation["turns"], start=1):
            client_id = await widget.say(text)
            replies, escalated = await answers_to(widget, client_id)
            result["replies"].append(replies)
            if escalated and result["escalated_at_turn"] is None:
                result["escalated_at_turn"] = number
    finally:
        await widget.close()
    return result


async def answers_to(
    widget: Widget, client_id: str, timeout: float = 60
) -> tuple[list[str], bool]:
    """Entries answering one message (the gateway stops "typing" after the last)."""
    replies: list[str] = []
    echoed = escalated = False

    def done(frame: dict[str, Any]) -> bool:
        nonlocal echoed, escalated
        if frame["type"] == "entry":
            entry = frame["entry"]
            if entry.get("client_id") == client_id:
                echoed = True
            elif echoed and entry["author"] != "customer":
                replies.append(entry["text"])
                escalated |= entry["kind"] == "handoff"
        elif frame["type"] == "typing" and echoed and not frame["on"]:
            return True
        elif frame["type"] == "error":
            raise RuntimeError(f"gateway refused a message: {frame}")
        return False

    with contextlib.suppress(
        AssertionError
    ):  # no end of typing in time: as far as seen
        await widget.next(done, timeout)
    return replies, escalated


def summarise(
    conversations: list[dict[str, Any]], results: list[dict[str, Any]]
) -> dict[str, Any]:
    """Escalation precision and recall against ``expect_escalation``."""
    tp = fp = fn = tn = 0
    for conversation, result in zip(conversations, results, strict=True):
        if "expect_escalation" not in conversation:
            continue
        expected = bool(conversation["expect_escalation"])
        escalated = result["escalated_at_turn"] is not None
        tp += expected and escalated
        fp += escalated and not expected
        fn += expected and not escalated
        tn += not expected and not escalated
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "n": len(results),
        "escalation_precision": round(precision, 4),
        "escalation_recall": round(recall, 4),
        "escalation_f1": round(f1, 4),
        "true_pos": tp,
        "false_pos": fp,
        "false_neg": fn,
        "true_neg": tn,
    }


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "scenarios.jsonl")
    parser.add_argument("--rasa-url", default=None)
    parser.add_argument("--gateway", default=None, help="a running gateway's URL")
    args = parser.parse_args()
    lines = args.data.read_text(encoding="utf-8").splitlines()
    conversations = [json.loads(line) for line in lines if line.strip()]
    results: list[dict[str, Any]] = []
    seconds: list[float] = []

    def run(one: Any) -> None:
        for conversation in conversations:
            started = time.perf_counter()
            results.append(one(conversation))
            seconds.append((time.perf_counter() - started) / len(conversation["turns"]))
            print(json.dumps(results[-1]), flush=True)

    if args.gateway:
        run(lambda conversation: replay_widget(args.gateway, conversation))
    else:
        with assistant(args.rasa_url) as (url, token), httpx.Client(timeout=60) as h:
            run(lambda conversation: replay(h, url, token, conversation))
    summary = summarise(conversations, results)
    summary["turn_ms_median"] = round(1000 * statistics.median(seconds), 1)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
