"""Hand a conversation to a person: a ticket in the Redis queue, an honest message."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import replace
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker

from actions.emotion import Analysis, Decision
from actions.language import language_book
from actions.mood import compact, transcript_entry
from actions.order_checks import deadline_day
from actions.replies import reply_book
from actions.settings import get_settings
from bot.handoff import (
    Availability,
    Customer,
    EmotionSnapshot,
    EnqueueResult,
    HandoffQueue,
    HandoffRequest,
    urgency_flags,
)
from bot.redisurl import async_client
from bot.transcript import Transcript

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def redis_client() -> Any:
    """The Redis at REDIS_URL (one connection pool per process, made on first use;
    plain, Sentinel or Cluster: bot/redisurl.py)."""
    return async_client(get_settings().redis_url, decode_responses=True)


@lru_cache(maxsize=1)
def handoff_queue() -> HandoffQueue:
    """The queue in the Redis at REDIS_URL, under REDIS_PREFIX."""
    settings = get_settings()
    return HandoffQueue(
        redis_client(), prefix=settings.redis_prefix, retention_s=settings.retention_s
    )


@lru_cache(maxsize=1)
def transcript() -> Transcript:
    """The gateway's transcripts, to annotate customer messages with their emotion."""
    settings = get_settings()
    return Transcript(
        redis_client(), prefix=settings.redis_prefix, retention_s=settings.retention_s
    )


async def annotate(tracker: Tracker, analysis: Analysis) -> None:
    """Mark the latest customer message in the transcript with its emotion."""
    entry = transcript_entry(tracker)
    if entry is None:
        return  # not sent through the gateway (rasa shell, tests)
    try:
        await transcript().annotate(tracker.sender_id, entry, compact(analysis))
    except Exception:  # noqa: BLE001 - a missing mark must not cost the answer
        logger.exception("could not annotate %s", tracker.sender_id)


def handoff_request(
    tracker: Tracker,
    analysis: Analysis,
    decision: Decision,
    channel: str,
    name: str | None,
) -> HandoffRequest:
    """Everything the person taking over should see, from the conversation so far."""
    tried = [
        str(e.get("name"))
        for e in tracker.events
        if e.get("event") == "action"
        and str(e.get("name", "")).startswith("action_")
        and e.get("name") != "action_listen"
    ]
    slots = {
        k: v
        for k, v in (tracker.slots or {}).items()
        if v not in (None, "", []) and k in ("order_id", "invoice_id", "account_type")
    }
    timeline = [
        EmotionSnapshot(
            label=str(t.get("label", "neutral")),
            intensity=float(t.get("intensity", 0.0)),
            frustration=int(t.get("frustration", 0)),
        )
        for t in tracker.get_slot("emotion_timeline") or []
    ]
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""
    return HandoffRequest(
        conversation_id=tracker.sender_id,
        channel=channel,
        customer=Customer(id=tracker.sender_id, name=name or ""),
        emotion=EmotionSnapshot(
            label=analysis.label.value,
            intensity=round(analysis.intensity, 3),
            frustration=analysis.frustration,
        ),
        topic=intent,
        reasons=list(decision.reasons),
        explanation=decision.explanation,
        tried=list(dict.fromkeys(tried))[-10:],
        slots=slots,
        flags=urgency_flags(decision.reasons),
        timeline=timeline,
    )


async def for_language(
    request: HandoffRequest, language: str, decision: Decision, text: str = ""
) -> HandoffRequest:
    """The request of a customer who writes in ``language`` (not English): reason
    ``language`` and a note for the agent first, the language in the slots, and the
    skill ``lang:<code>`` only when an agent with it is at work now (else no one
    could claim it until they come back)."""
    skill = f"lang:{language}"
    try:
        held = await handoff_queue().skill_online(skill)
    except Exception:  # noqa: BLE001 - without the skill it still reaches a person
        logger.exception("could not look up who has %s", skill)
        held = False
    note = f"Customer writes in {language_book().name(language)}."
    # serious words in their language: flagged and named for the agent, as in English
    found = language_book().situations(language, text)
    if found:
        note += f" Mentions: {', '.join(found)}; handle with care."
    escalated = decision.escalate
    return replace(
        request,
        reasons=["language", *found, *(request.reasons if escalated else [])],
        explanation=f"{note} {request.explanation}" if escalated else note,
        slots={**request.slots, "language": language},
        skill=skill if held else "",
        flags=request.flags | urgency_flags(found),
    )


async def enqueue(request: HandoffRequest) -> EnqueueResult | None:
    """Put the conversation in the queue; None (and a log line) when Redis fails."""
    try:
        return await handoff_queue().enqueue(request)
    except Exception:  # noqa: BLE001 - the customer must still get an answer
        logger.exception("could not enqueue %s", request.conversation_id)
        return None


def waiting_values(result: EnqueueResult | None) -> tuple[str, dict[str, Any]]:
    """The waiting message that fits (``queue`` in empathy.yml) and its values."""
    if result is None:
        return "unknown", {}
    if result.availability is Availability.CLOSED:
        back = handoff_queue().closed_until()
        if not back:
            return "closed", {}
        # "at" and "zone" let another language write the time its own way
        zone = handoff_queue().config.hours.timezone
        return "closed_until", {"opens": back, "at": result.next_open, "zone": zone}
    if result.availability is Availability.NO_AGENT_ONLINE:
        return "no_agent_online", {}
    position = result.position.position or 1
    wait = result.position.expected_wait
    minutes = max(1, round(wait / 60)) if wait else None
    if minutes is None:
        return "position", {"position": position}
    return "position_and_wait", {"position": position, "minutes": minutes}


def too_late_for(
    analysis: Analysis | None, values: dict[str, Any], now: float | None = None
) -> str:
    """When the team is back (``values`` of ``closed_until``: ``at``, ``zone``) only
    on or after the day the customer said they need it by ("my son's birthday is
    tomorrow", the team back tomorrow at 08:00): that said plainly, not left for
    them to work out (English; ``handoff.past_deadline``); else ""."""
    at, zone = values.get("at"), values.get("zone")
    if analysis is None or not isinstance(at, (int, float)) or not zone:
        return ""
    where = ZoneInfo(str(zone))
    today = dt.datetime.fromtimestamp(time.time() if now is None else now, where)
    back = dt.datetime.fromtimestamp(at, where).date()
    for found in analysis.circumstances:
        if found.kind != "deadline" or not found.when:
            continue
        day = deadline_day(found.when, today.date())
        if day is not None and back >= day[0]:
            needed = f"the {found.what}" if found.what else f"{day[0]:%A}"
            return reply_book().pick("handoff.past_deadline", needed=needed)
    return ""
