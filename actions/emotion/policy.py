"""``EscalationPolicy``: decide from an ``Analysis`` (and the history) whether a person
should take over, with an explanation written for that person. Rules live in
``policy.yml``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from .models import Analysis, Decision, Trend, Turn
from .resources import load_yaml

log = logging.getLogger(__name__)
_QUOTED = re.compile(r'"([^"]+)"')


# the intent done first after the situations of ``answer_first.cancelled_first``
CANCEL = "cancel_order"


class _SafeDict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _quote(reason: str) -> str:
    found = _QUOTED.search(reason)
    return f"'{found.group(1)}'" if found else reason


class EscalationPolicy:
    """Immediate signals plus thresholds on level, intensity, trend and bot failures."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.immediate: dict[str, dict[str, Any]] = {
            str(k): dict(v or {}) for k, v in (config.get("immediate") or {}).items()
        }
        self.thresholds: dict[str, dict[str, Any]] = {
            str(k): dict(v or {}) for k, v in (config.get("thresholds") or {}).items()
        }
        first = dict(config.get("answer_first") or {})
        self.answer_first_situations = frozenset(
            map(str, first.get("situations") or [])
        )
        self.answer_first_intents = frozenset(map(str, first.get("intents") or []))
        # after which a cancellation asked for is done first (only that)
        self.cancelled_first = frozenset(map(str, first.get("cancelled_first") or []))
        # beside which nothing is answered first: a person at once
        self.never_beside = re.compile(str(first.get("never_beside") or r"(?!)"), re.I)
        self.answer_first_confidence = float(first.get("min_confidence", 1.0))
        self.together = {
            str(k): frozenset(map(str, v))
            for k, v in (first.get("together") or {}).items()
        }
        self.without_feeling = frozenset(
            map(str, config.get("labels_without_feeling") or ())
        )
        self.top_signals = int(config.get("top_signals", 3))
        self.no_escalation = str(
            config.get(
                "no_escalation", "No escalation: frustration {frustration}/4 ({label})."
            )
        )

    @classmethod
    def load(cls, data_dir: str | Path | None = None) -> EscalationPolicy:
        return cls(load_yaml("policy.yml", data_dir))

    @staticmethod
    def _fill(template: str, values: dict[str, Any]) -> str:
        return template.format_map(_SafeDict(values))

    def decide(
        self, analysis: Analysis, history: Sequence[Turn] | None = None
    ) -> Decision:
        history = list(history or [])
        values: dict[str, Any] = {
            "frustration": analysis.frustration,
            "intensity": f"{analysis.intensity:.2f}",
            "label": analysis.label.value,
        }
        reasons: list[str] = []
        lines: list[str] = []

        def add(name: str, template: str, **extra: Any) -> None:
            reasons.append(name)
            line = self._fill(template, {**values, **extra}).strip()
            lines.append(line if line.endswith((".", "!", "?")) else line + ".")

        for name, spec in self.immediate.items():
            signal = analysis.signal(name)
            if signal is None or analysis.frustration < int(
                spec.get("min_frustration", 0)
            ):
                continue
            add(
                name,
                str(spec.get("explanation", name)),
                reason=signal.reason,
                quote=_quote(signal.reason),
            )

        earlier = [t for t in history if t.is_customer]
        rule = self.thresholds.get("frustration")
        by_label = (rule or {}).get("min_by_label") or {}
        minimum = int(by_label.get(analysis.label.value, (rule or {}).get("min", 3)))
        turns_needed = int((rule or {}).get("min_turns", 1))
        if (
            rule
            and analysis.frustration >= minimum
            and len(earlier) + 1 >= turns_needed
        ):
            add("high_frustration", str(rule.get("explanation", "")))
        rule = self.thresholds.get("intensity")
        # before the bot had its chance to help, only an intensity that shows in
        # how the message is written (shouting, "!!!", swearing) hands it over
        shown = rule is not None and any(
            analysis.signal(name) is not None for name in rule.get("shown_by") or ()
        )
        early = rule is not None and len(earlier) + 1 < int(rule.get("min_turns", 1))
        if (
            rule
            and analysis.intensity >= float(rule.get("min", 0.8))
            and "high_frustration" not in reasons
            and (shown or not early)
        ):
            add("high_intensity", str(rule.get("explanation", "")))
        # a rise or a run of frustration is one in a feeling: not a message that
        # reads as none (policy.yml, labels_without_feeling)
        felt = analysis.label.value not in self.without_feeling
        rule = self.thresholds.get("rising") if felt else None
        # a turn without words (an order number, a sticker) says nothing about mood
        worded = [
            t.analysis
            for t in earlier
            if t.analysis is not None and t.analysis.signal("no_words") is None
        ]
        turns = int(rule.get("min_turns", 3)) if rule else 0
        # rising means at every step ("0.2 -> 0.4 -> 0.6"): one sharper message after
        # a calmer one ("0.13 -> 0.06 -> 0.41") is a single turn, judged on its own
        earlier_steps = worded[len(worded) - turns + 1 :] if turns > 1 else []
        steps = [*(a.intensity for a in earlier_steps), analysis.intensity]
        if (
            rule
            and analysis.trend == Trend.RISING
            and analysis.frustration >= int(rule.get("min_frustration", 2))
            and len(worded) + 1 >= turns
            and all(b > a for a, b in zip(steps, steps[1:], strict=False))
        ):
            scores = [a.intensity for a in worded][-3:]
            series = " -> ".join(f"{s:.2f}" for s in [*scores, analysis.intensity])
            add(
                "rising_trend",
                str(rule.get("explanation", "")),
                turns=len(scores) + 1,
                series=series,
            )
        rule = self.thresholds.get("sustained")
        if rule and felt:
            need, level = int(rule.get("turns", 3)), int(rule.get("min_frustration", 2))
            recent = (
                [t.analysis for t in earlier[-(need - 1) :] if t.analysis is not None]
                if need > 1
                else []
            )
            if (
                analysis.frustration >= level
                and len(recent) == need - 1
                and all(a.frustration >= level for a in recent)
            ):
                add(
                    "sustained_frustration",
                    str(rule.get("explanation", "")),
                    turns=need,
                )
        rule = self.thresholds.get("bot_failures")
        if rule:
            count = self._bot_failures(
                analysis, history, float(rule.get("low_confidence", 0.45))
            )
            if count >= int(rule.get("min", 2)):
                add("bot_failures", str(rule.get("explanation", "")), count=count)

        escalate = bool(reasons)
        top = [s.reason for s in analysis.signals if s.weight > 0][: self.top_signals]
        if escalate:
            explanation = "Escalate to a person. " + " ".join(lines)
        else:
            explanation = self._fill(self.no_escalation, values)
        if top:
            explanation += " Signals: " + "; ".join(top) + "."
        log.debug("escalation decision %s reasons=%s", escalate, reasons)
        return Decision(escalate=escalate, reasons=reasons, explanation=explanation)

    def answered_first(
        self,
        analysis: Analysis,
        decision: Decision,
        intent: str | None,
        confidence: float | None,
        problem_told: bool = True,
        text: str = "",
    ) -> tuple[Analysis, Decision] | None:
        """The analysis and decision for a plain question asked beside money
        worries, illness or a need for extra care (``answer_first``): the question
        is answered, the situation acknowledged (no longer serious: it is said before
        the answer) and a person offered; None when a person should take over now.
        A problem only asked about (``problem_told`` False: "it hasn't shipped yet,
        right?") is no problem that went wrong; a condition ``text`` names that takes
        away what an order needs (``never_beside``: dementia) answers nothing first
        but a cancellation asked for (nothing ships while they wait)."""
        reasons = set(decision.reasons)
        allowed = self.answer_first_situations
        if intent == CANCEL:
            allowed = allowed | self.cancelled_first
        if (
            not decision.escalate
            or not reasons
            or not reasons <= allowed
            or (analysis.has("problem_report") and problem_told)
            or intent not in self.answer_first_intents
            or confidence is None
            or confidence < self.answer_first_confidence
            or (self.never_beside.search(text) and intent != CANCEL)
        ):
            return None
        told = [
            replace(c, serious=False) if c.kind in reasons else c
            for c in analysis.circumstances
        ]
        explanation = (
            f"No escalation: the question ({intent}) is answered first, "
            f"beside {', '.join(sorted(reasons))}; a person is offered."
        )
        return (
            replace(analysis, circumstances=told),
            Decision(escalate=False, reasons=[], explanation=explanation),
        )

    def joint_confidence(
        self, intent: str | None, ranking: Sequence[tuple[str, float]]
    ) -> float | None:
        """NLU's confidence in ``intent`` (from its ``ranking``, best first), with
        that of the readings that are part of the same request
        (``answer_first.together``: "cancel it and get my money back"); None when
        the ranking does not hold the intent."""
        scores = dict(ranking)
        if intent is None or intent not in scores:
            return None
        partners = self.together.get(intent, frozenset())
        return scores[intent] + sum(scores.get(p, 0.0) for p in partners)

    @staticmethod
    def _bot_failures(
        analysis: Analysis, history: Sequence[Turn], low_confidence: float
    ) -> int:
        """Customer turns the bot failed: understood with low confidence, answered
        with a miss (a fallback, "that's outside what I can do"), or followed by a
        "you don't understand"; one count per turn, however many of these."""
        count = 0
        for i, turn in enumerate(history):
            if not turn.is_customer:
                continue
            reply = next((t for t in history[i + 1 :] if not t.is_customer), None)
            low = turn.confidence is not None and turn.confidence < low_confidence
            complained = turn.analysis is not None and turn.analysis.has(
                "misunderstood"
            )
            if low or complained or (reply is not None and reply.fallback):
                count += 1
        if analysis.has("misunderstood"):
            count += 1
        return count


def never_answered_first(text: str, data_dir: str | Path | None = None) -> bool:
    """Whether ``text`` names a condition beside which nothing is answered first
    (``answer_first.never_beside`` in policy.yml: dementia, in any language)."""
    return bool(EscalationPolicy.load(data_dir).never_beside.search(text))


def answer_first_situations(
    data_dir: str | Path | None = None, cancelling: bool = False
) -> frozenset[str]:
    """The serious situations beside which a plain question is answered first, with
    a person offered, instead of a handoff (``answer_first.situations`` in
    policy.yml; when ``cancelling``, a cancellation asked for, also those after
    which only that is done first, ``answer_first.cancelled_first``): the one list
    that the policy, the empathy layer's offer of a person beside the answer
    (actions/empathy.py) and the other languages (actions/language.py) read."""
    policy = EscalationPolicy.load(data_dir)
    if cancelling:
        return policy.answer_first_situations | policy.cancelled_first
    return policy.answer_first_situations
