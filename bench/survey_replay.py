"""The survey in the replay: asked when it should be, never when it must not be.

Usage: ``python -m bench.survey_replay [--data bench/scenarios.jsonl]``

The replay's customers are scripted, so a response rate from them would be invented.
What is measured instead, over the replay's conversations driven through a private
stack's widget (``/ws/chat``, the gateway asks the survey; no business hours, so the
result does not depend on the time of day), against each conversation's ``survey``
label, set by hand from its words (bench/scenarios.jsonl):

- ``ask``: a bot-only conversation that ends with thanks or goodbye and nothing left
  open: the survey should follow the last message;
- ``not``: mid-problem (the last message asks something or waits for an answer, or a
  person was asked for) or nothing to rate: no survey after the last message;
- ``never``: the customer is upset (angry, threatening, distressed, repeating
  themselves, sarcastic): no survey from the bot, now or after going quiet.

Then every conversation that was handed to a person is claimed and resolved by an
agent: the survey should follow each resolve (the customer wrote nothing since). Last
the quiet conversations are swept with the clock moved past ``quiet_minutes``
(``Surveys.sweep_quiet``), as the gateway's housekeeping would 15 minutes later: an
upset customer must not be asked then either. Every survey asked is answered once
through the widget (csat 4, understood 4) and counted when the answer is stored: a
check that answering works end to end, not a response rate. Prints one JSON line per
conversation, then the summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import time
from collections import Counter
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from bench.replay import answers_to
from bench.stack import LOG_DIR
from bot.conversations import Conversations
from bot.handoff import Agent, HandoffQueue, Presence, TicketState
from bot.handoff.keys import Keys
from bot.ops.preflight import ensure_redis
from bot.ops.private import always_open_handoff, private_settings, private_stack
from bot.ops.train import ensure_model
from bot.ops.widget import Widget
from bot.settings import ROOT, Settings, get_settings
from bot.transcript import Kind, Transcript
from bot.upstream import EmotionClient, RasaClient

LABELS = ("ask", "not", "never")
ANSWER = {"type": "rating", "csat": 4, "understood": 4}


def core(redis: Any, s: Settings) -> Conversations:
    """The gateway's conversation core, in this process, on the stack's Redis."""
    return Conversations(
        redis=redis,
        keys=Keys(s.redis_prefix),
        queue=HandoffQueue(redis, prefix=s.redis_prefix),
        transcript=Transcript(redis, prefix=s.redis_prefix),
        rasa=RasaClient(s.rasa_url, s.rasa_timeout_seconds, s.rasa_api_token()),
        emotion=EmotionClient(s.actions_url),
    )


async def surveys_in(conv: Conversations, cid: str) -> int:
    """How many surveys the conversation was asked so far."""
    entries = await conv.transcript.read(cid)
    return sum(e.kind is Kind.RATING_REQUEST for e in entries)


async def answered(widget: Widget, conv: Conversations, cid: str) -> bool:
    """Answer the open survey through the widget; whether the answer was stored."""
    await widget.send(ANSWER)
    try:
        await widget.entry(timeout=30, kind="rated")
    except AssertionError:
        return False
    return await conv.surveys.open_survey(cid) is None


async def one(
    gateway: str, conv: Conversations, agent: str, scenario: dict[str, Any]
) -> dict[str, Any]:
    """Replay one scenario; then a person resolves it if it was handed over."""
    widget = await Widget.open(gateway)
    cid = widget.conversation
    result: dict[str, Any] = {"id": scenario["id"], "label": scenario["survey"]}
    try:
        for text in scenario["turns"]:
            await answers_to(widget, await widget.say(text))
        result["asked_at_end"] = await surveys_in(conv, cid) > 0
        result["answer_stored"] = result["asked_at_end"] and await answered(
            widget, conv, cid
        )
        state = await conv.queue.state(cid)
        result["handed_over"] = state in (TicketState.QUEUED, TicketState.ASSIGNED)
        if result["handed_over"]:
            before = await surveys_in(conv, cid)
            claim = await conv.claim(agent, cid)
            await conv.resolve(agent, cid, claim.token, "replay: resolved")
            result["asked_after_person"] = await surveys_in(conv, cid) > before
            if result["asked_after_person"]:
                stored = await answered(widget, conv, cid)
                result["answer_stored"] = result["answer_stored"] or stored
    finally:
        await widget.close()
    result["conversation"] = cid
    return result


def wrongly_asked(result: dict[str, Any], swept: set[str]) -> bool:
    """Asked after its last message though not labelled ``ask``, or asked when quiet
    though upset."""
    quiet = result["label"] == "never" and result["conversation"] in swept
    return bool(result["asked_at_end"]) or quiet


def summarise(results: list[dict[str, Any]], swept: set[str]) -> dict[str, Any]:
    """Counts by label, with the rates the targets read."""
    n = Counter(r["label"] for r in results)
    at_end = Counter(r["label"] for r in results if r["asked_at_end"])
    quiet = Counter(r["label"] for r in results if r["conversation"] in swept)
    people = [r for r in results if r["handed_over"]]
    after_person = sum(bool(r.get("asked_after_person")) for r in people)
    asked = sum(
        bool(r["asked_at_end"]) + bool(r.get("asked_after_person")) for r in results
    )
    stored = sum(bool(r["answer_stored"]) for r in results)
    return {
        "n": len(results),
        "closing": n["ask"],
        "closing_asked": at_end["ask"],
        "closing_rate": round(at_end["ask"] / n["ask"], 4) if n["ask"] else 0.0,
        "closing_asked_when_quiet": quiet["ask"],
        "closing_eventually_rate": (
            round((at_end["ask"] + quiet["ask"]) / n["ask"], 4) if n["ask"] else 0.0
        ),
        "mid_problem": n["not"],
        "mid_problem_asked": at_end["not"],
        "upset": n["never"],
        "upset_asked": at_end["never"] + quiet["never"],
        "handed_over": len(people),
        "after_person_asked": after_person,
        "after_person_rate": round(after_person / len(people), 4) if people else 0.0,
        "must_not_asked": at_end["not"] + at_end["never"] + quiet["never"],
        "quiet_asked": sum(quiet.values()),
        "quiet_asked_not": quiet["not"],  # answered questions: asked when quiet
        "surveys_asked": asked,
        "answers_stored": stored,
        "ids_missed": sorted(
            r["id"] for r in results if r["label"] == "ask" and not r["asked_at_end"]
        ),
        "ids_wrongly_asked": sorted(
            r["id"] for r in results if r["label"] != "ask" and wrongly_asked(r, swept)
        ),
    }


async def run(s: Settings, scenarios: list[dict[str, Any]]) -> dict[str, Any]:
    """Every scenario through the widget of the stack of ``s``; the summary."""
    redis = aioredis.Redis.from_url(s.redis_url)
    conv = core(redis, s)
    agent = "replay-" + secrets.token_hex(3)
    await conv.queue.register_agent(Agent(agent, "Robin", capacity=len(scenarios)))
    await conv.queue.set_presence(agent, Presence.ONLINE)
    gateway = f"http://{s.gateway_host}:{s.gateway_port}"
    results = []
    try:
        for scenario in scenarios:
            results.append(await one(gateway, conv, agent, scenario))
            print(json.dumps(results[-1]), flush=True)
        later = conv.queue.now() + conv.surveys.config.quiet_s + 1
        swept = set(await conv.surveys.sweep_quiet(later))
    finally:
        await conv.rasa.close()
        await conv.emotion.close()
        await redis.aclose()
    return summarise(results, swept)


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "scenarios.jsonl")
    args = parser.parse_args()
    lines = args.data.read_text(encoding="utf-8").splitlines()
    scenarios = [json.loads(line) for line in lines if line.strip()]
    unlabelled = [c["id"] for c in scenarios if c.get("survey") not in LABELS]
    if unlabelled:
        raise SystemExit(f"no survey label ({', '.join(LABELS)}): {unlabelled}")
    os.environ["HANDOFF_CONFIG"] = str(always_open_handoff())
    settings = get_settings()
    ensure_redis(settings.redis_url)
    own = private_settings(settings.redis_url, "bench")
    started = time.perf_counter()
    with private_stack(own, ensure_model(), LOG_DIR):
        summary = asyncio.run(run(own, scenarios))
    summary["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
