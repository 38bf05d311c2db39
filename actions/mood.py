"""How the actions read the customer's feelings: one analysis per message, in slots.

The analysis of the latest message (with the conversation so far as context) and the
escalation decision are computed once and kept in the ``emotion_*`` slots, so a second
action in the same turn reuses them and the agent later sees the whole timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.emotion import Analysis, Decision, EmotionAnalyzer, EscalationPolicy, Turn
from actions.identity import attempts_proof
from actions.language_detection import conversation_language

TIMELINE_LENGTH = 20
# a message of at most this many words that gives an e-mail address or a postcode
# ("jonas@example.net", "postcode is 10115") answers our question, asks nothing
DETAILS_WORDS = 4
DETAILS_OTHER_WORDS = 2  # words without a digit or an "@" among them
# Slots written here; domain.yml declares them.
EMOTION_SLOTS = (
    "emotion",
    "emotion_intensity",
    "frustration_level",
    "emotion_trend",
    "escalation_reasons",
    "escalation_explanation",
    "emotion_timeline",
    "emotion_analysis",
)


@lru_cache(maxsize=1)
def analyzer() -> EmotionAnalyzer:
    """The process-wide analyzer (loads the sentence-transformers model once)."""
    return EmotionAnalyzer.load()


@lru_cache(maxsize=1)
def policy() -> EscalationPolicy:
    """The escalation policy from data/emotion/policy.yml."""
    return EscalationPolicy.load()


@dataclass
class Mood:
    """The customer's state after their latest message."""

    analysis: Analysis
    decision: Decision
    events: list[EventType] = field(default_factory=list)


def history(tracker: Tracker) -> list[Turn]:
    """Earlier turns of the conversation (the latest customer message excluded).

    A conversation a person resolved starts afresh: turns before the last ``resume``
    do not count against the customer's mood now. A message undone (``rewind``, when
    it is replayed as the question it asked) counts once. NLU's confidence is left
    out for a message it did not read (``read_by_nlu``) and for one that answered a
    form's question: neither asked NLU anything, so a low confidence is no failure.
    """
    turns: list[Turn] = []
    requested = None  # the slot a form had asked for
    said: list[str] = []  # the customer's messages so far
    for event in tracker.events:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        if kind == "resume":
            turns = []
        elif kind == "rewind":
            # UserUtteranceReverted: the latest customer message and what followed
            # it are undone (a message replayed as another question comes again)
            while turns and not turns[-1].is_customer:
                turns.pop()
            if turns:
                turns.pop()
        elif kind == "user":
            parse_data = event.get("parse_data") or {}
            intent = parse_data.get("intent") or {}
            text = str(event.get("text") or "")
            said.append(text)
            read = not requested and read_by_nlu(text, said[:-1])
            turns.append(
                Turn(
                    author="customer",
                    text=text,
                    intent=intent.get("name"),
                    confidence=_understood(parse_data) if read else None,
                    fallback=intent.get("name") == "nlu_fallback",
                )
            )
        elif kind == "bot" and event.get("text"):
            turns.append(Turn(author="bot", text=str(event["text"])))
        elif kind == "slot" and event.get("name") == "missed" and event.get("value"):
            # the reply just before could not help (ReplyBook.misses)
            bot = next((t for t in reversed(turns) if not t.is_customer), None)
            if bot is not None:
                bot.fallback = True
    if turns and turns[-1].is_customer:
        turns.pop()  # the latest message is the one being analysed
    timeline = tracker.get_slot("emotion_timeline") or []
    customer_turns = [t for t in turns if t.is_customer]
    for turn, earlier in zip(
        reversed(customer_turns), reversed(timeline), strict=False
    ):
        turn.analysis = Analysis.from_dict(earlier)
    return turns


def read_by_nlu(text: str, before: list[str]) -> bool:
    """Whether NLU's reading of a customer message means anything: not when the
    conversation is in another language there (NLU reads English only; the
    message was answered in its language or handed over), nor when the message only
    gives details (an e-mail address, a postcode) in a few words: the answer to a
    question we asked outside a form has no intent to be unsure of.

    Args:
        text: the customer's message.
        before: their messages just before it, oldest first.
    """
    words = text.split()
    if len(words) <= DETAILS_WORDS and attempts_proof(text):
        # beside the details at most a couple of words ("it's", "postcode is")
        rest = [w for w in words if "@" not in w and not any(c.isdigit() for c in w)]
        if len(rest) <= DETAILS_OTHER_WORDS:
            return False
    return conversation_language([*before, text]) is None


def _understood(parse_data: dict[str, Any]) -> float | None:
    """How sure NLU was of the best real intent (a fallback hides it in the ranking)."""
    intent = parse_data.get("intent") or {}
    if intent.get("name") != "nlu_fallback":
        return intent.get("confidence")
    ranking = [
        r
        for r in parse_data.get("intent_ranking") or []
        if r.get("name") != "nlu_fallback"
    ]
    return float(ranking[0].get("confidence") or 0.0) if ranking else 0.0


def transcript_entry(tracker: Tracker) -> str | None:
    """The gateway's transcript entry id of the latest customer message, if any."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            entry = (event.get("metadata") or {}).get("entry")
            return str(entry) if entry else None
    return None


def _message_key(tracker: Tracker) -> str:
    latest = tracker.latest_message or {}
    return str(latest.get("message_id") or latest.get("text") or "")


def assess(tracker: Tracker) -> Mood:
    """Analyse the latest customer message (once) and decide about escalation."""
    key = _message_key(tracker)
    stored = tracker.get_slot("emotion_analysis") or {}
    if stored.get("message") == key and "analysis" in stored:
        return Mood(
            Analysis.from_dict(stored["analysis"]),
            Decision.from_dict(stored["decision"]),
        )
    text = str((tracker.latest_message or {}).get("text") or "")
    turns = history(tracker)
    from actions.language_detection import conversation_language  # loads lingua

    language = conversation_language([t.text for t in turns if t.is_customer] + [text])
    analysis = analyzer().analyze(text, turns, language)
    decision = policy().decide(analysis, turns)
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    confidence = intent.get("confidence")
    ranking = [
        (str(r.get("name")), float(r.get("confidence") or 0.0))
        for r in latest.get("intent_ranking") or []
    ]
    # "cancel it and get my money back": one request, however NLU splits it
    joint = policy().joint_confidence(intent.get("name"), ranking)
    first = policy().answered_first(
        analysis,
        decision,
        intent.get("name"),
        joint
        if joint is not None
        else (None if confidence is None else float(confidence)),
        # (read only for a decision to hand over, the one answered_first may undo)
        problem_told=decision.escalate and analyzer().tells_a_problem(text),
        text=text,
    )
    if first is not None:
        # a plain question beside money worries or illness: answered, with care
        analysis, decision = first
    timeline = list(tracker.get_slot("emotion_timeline") or [])
    timeline.append(compact(analysis))
    events = [
        SlotSet("emotion", analysis.label.value),
        SlotSet("emotion_intensity", round(analysis.intensity, 3)),
        SlotSet("frustration_level", analysis.frustration),
        SlotSet("emotion_trend", analysis.trend.value),
        SlotSet("escalation_reasons", decision.reasons),
        SlotSet("escalation_explanation", decision.explanation),
        SlotSet("emotion_timeline", timeline[-TIMELINE_LENGTH:]),
        SlotSet(
            "emotion_analysis",
            {
                "message": key,
                "analysis": analysis.to_dict(),
                "decision": decision.to_dict(),
            },
        ),
    ]
    return Mood(analysis, decision, events)


def compact(analysis: Analysis) -> dict[str, Any]:
    """The analysis as kept in the timeline and shown to agents."""
    return {
        "label": analysis.label.value,
        "intensity": round(analysis.intensity, 3),
        "frustration": analysis.frustration,
        "trend": analysis.trend.value,
        "signals": [s.to_dict() for s in analysis.signals],
    }
