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


@dataclass(frozen=True)
class Circumstance:
    """A situation the customer described (data/emotion/situations.yml)."""

    kind: str
    serious: bool
    who: str  # the person concerned, from the bot's side: "your mum", "you", ""
    what: str  # what it is about: "rent", "birthday", ""
    when: str  # for a deadline: "tomorrow", "by Friday", ""
    quote: str  # the words that showed it

    @property
    def reason(self) -> str:
        """A line for the agent: 'bereavement: "my mum, who died"'."""
        return f'{self.kind}: "{self.quote}"'

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "serious": self.serious,
            "who": self.who,
            "what": self.what,
            "when": self.when,
            "quote": self.quote,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Circumstance:
        return cls(
            kind=str(data.get("kind", "")),
            serious=bool(data.get("serious", False)),
            who=str(data.get("who", "")),
            what=str(data.get("what", "")),
            when=str(data.get("when", "")),
            quote=str(data.get("quote", "")),
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
    circumstances: list[Circumstance] = field(default_factory=list)

    @property
    def serious(self) -> list[Circumstance]:
        """The circumstances that call for a person (bereavement, injury, ...)."""
        return [c for c in self.circumstances if c.serious]

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
            "circumstances": [c.to_dict() for c in self.circumstances],
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
            circumstances=[
                Circumstance.from_dict(c) for c in data.get("circumstances") or []
            ],
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
