"""Value types of the emotion library: emotions, signals, turns, analyses and decisions.

Everything here is plain data: JSON-serialisable through ``to_dict``/``from_dict`` so
an ``Analysis`` can be kept in a Rasa slot or in Redis and read back later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Emotion(StrEnum):
    """The emotion labels the analyzer can give a customer message."""

    ANGER = "anger"
    FRUSTRATION = "frustration"
    SADNESS = "sadness"
    ANXIETY = "anxiety"
    CONFUSION = "confusion"
    JOY = "joy"
    NEUTRAL = "neutral"

    @property
    def negative(self) -> bool:
        """True for the labels that mean the customer is unhappy or worried."""
        return self not in (Emotion.JOY, Emotion.NEUTRAL)


class Trend(StrEnum):
    """How the customer's intensity moves across their turns."""

    RISING = "rising"
    STEADY = "steady"
    FALLING = "falling"


class Author(StrEnum):
    """Who wrote a turn."""

    CUSTOMER = "customer"
    BOT = "bot"
    AGENT = "agent"


@dataclass(frozen=True)
class Signal:
    """One piece of evidence: name, contribution and a sentence a person can read."""

    name: str
    weight: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "weight": round(float(self.weight), 4),
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Signal:
        return cls(
            str(data["name"]),
            float(data.get("weight", 0.0)),
            str(data.get("reason", "")),
        )


@dataclass
class Analysis:
    """The result of analysing one customer message in its conversation."""

    label: Emotion = Emotion.NEUTRAL
    intensity: float = 0.0
    frustration: int = 0
    signals: list[Signal] = field(default_factory=list)
    trend: Trend = Trend.STEADY
    confidence: float = 1.0
    scores: dict[str, float] = field(default_factory=dict)
    components: dict[str, float] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        """Whether a signal of this name fired."""
        return any(s.name == name for s in self.signals)

    def signal(self, name: str) -> Signal | None:
        """The first signal of this name, if it fired."""
        return next((s for s in self.signals if s.name == name), None)

    @property
    def message_score(self) -> float:
        """Intensity of the message on its own (no conversation context), 0..1."""
        return float(self.components.get("message", self.intensity))

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label.value,
            "intensity": round(float(self.intensity), 4),
            "frustration": int(self.frustration),
            "signals": [s.to_dict() for s in self.signals],
            "trend": self.trend.value,
            "confidence": round(float(self.confidence), 4),
            "scores": {k: round(float(v), 4) for k, v in self.scores.items()},
            "components": {k: round(float(v), 4) for k, v in self.components.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        return cls(
            label=Emotion(data.get("label", "neutral")),
            intensity=float(data.get("intensity", 0.0)),
            frustration=int(data.get("frustration", 0)),
            signals=[Signal.from_dict(s) for s in data.get("signals", [])],
            trend=Trend(data.get("trend", "steady")),
            confidence=float(data.get("confidence", 1.0)),
            scores={str(k): float(v) for k, v in (data.get("scores") or {}).items()},
            components={
                str(k): float(v) for k, v in (data.get("components") or {}).items()
            },
        )


@dataclass
class Turn:
    """One earlier turn of the conversation, oldest first in a history list."""

    author: str
    text: str
    intent: str | None = None
    confidence: float | None = None
    fallback: bool = False
    analysis: Analysis | None = None

    @property
    def is_customer(self) -> bool:
        return str(self.author).lower() == Author.CUSTOMER.value

    def to_dict(self) -> dict[str, Any]:
        return {
            "author": str(getattr(self.author, "value", self.author)),
            "text": self.text,
            "intent": self.intent,
            "confidence": self.confidence,
            "fallback": self.fallback,
            "analysis": self.analysis.to_dict() if self.analysis else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Turn:
        analysis = data.get("analysis")
        confidence = data.get("confidence")
        return cls(
            author=str(data.get("author", "customer")),
            text=str(data.get("text") or ""),
            intent=data.get("intent"),
            confidence=None if confidence is None else float(confidence),
            fallback=bool(data.get("fallback", False)),
            analysis=Analysis.from_dict(analysis) if analysis else None,
        )


@dataclass
class Decision:
    """Whether to hand the conversation to a person, and why (written for them)."""

    escalate: bool
    reasons: list[str] = field(default_factory=list)
    explanation: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "escalate": self.escalate,
            "reasons": list(self.reasons),
            "explanation": self.explanation,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        return cls(
            escalate=bool(data.get("escalate", False)),
            reasons=[str(r) for r in data.get("reasons", [])],
            explanation=str(data.get("explanation", "")),
        )
