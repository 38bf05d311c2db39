"""The empathy layer: acknowledge the feeling in proportion, then help, then invite.

Plain library (no Rasa imports): the gateway can compose the same way for agent assist.
Texts and thresholds live in ``data/replies/empathy.yml``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from actions.emotion import Analysis, Emotion
from actions.paths import DATA
from actions.replies import fill

EMPATHY_FILE = DATA / "replies" / "empathy.yml"
# The customer's name appears in at most this many bot messages per conversation.
MAX_NAME_USES = 2
_SENTENCE_END = re.compile(r"(?<=[.?])\s+")


class Level(StrEnum):
    """How much feeling a reply acknowledges."""

    NEUTRAL = "neutral"
    UPSET = "upset"
    VERY_UPSET = "very_upset"


@dataclass
class Situation:
    """What the reply is about and who it is for."""

    intent: str | None
    analysis: Analysis | None
    channel: str = "web"
    customer_name: str | None = None
    name_uses: int = 0
    order_id: str | None = None
    recent: list[str] = field(default_factory=list)
    intent_confidence: float | None = None
    description: str | None = None


@dataclass
class EmpathyBook:
    """Templates and thresholds of the empathy layer."""

    data: dict[str, Any]
    rng: random.Random = field(default_factory=random.Random)

    @classmethod
    def from_file(cls, path: Path = EMPATHY_FILE) -> EmpathyBook:
        """Load ``empathy.yml``."""
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def level(self, analysis: Analysis | None) -> Level:
        """The treatment a message's analysis calls for: by frustration level and
        intensity, and at least "upset" when a negative feeling is named."""
        if analysis is None or not analysis.label.negative:
            return Level.NEUTRAL
        levels = self.data["levels"]
        for level in (Level.VERY_UPSET, Level.UPSET):
            limits = levels[level.value]
            if (
                analysis.frustration >= limits["frustration"]
                or analysis.intensity >= limits["intensity"]
            ):
                return level
        # A feeling the customer put into words ("I'm a little worried") is
        # acknowledged even when it is mild.
        if analysis.has("emotion_words"):
            return Level.UPSET
        return Level.NEUTRAL

    def concern(self, situation: Situation) -> str:
        """What the customer is worried about, in a few words."""
        concerns = self.data["concerns"]
        intent = situation.intent or "default"
        if situation.order_id and f"{intent}_with_order" in concerns:
            return fill(
                concerns[f"{intent}_with_order"], {"order_id": situation.order_id}
            )
        return str(concerns.get(intent, concerns["default"]))

    def _pick(self, key: str, situation: Situation, values: dict[str, Any]) -> str:
        """A variation of ``key`` ("acknowledge.anger", "handoff", ...) whose opening
        the bot has not used recently."""
        templates: Any = self.data
        for part in key.split("."):
            templates = templates[part]
        options = [_capitalise(fill(t, values)) for t in templates]
        fresh = [o for o in options if not _said(o, situation)] or options
        return self.rng.choice(fresh)

    def compose(self, answer: str, situation: Situation, invite: bool = True) -> str:
        """The full reply: acknowledgement in proportion, the answer, an invitation.

        Args:
            answer: the helpful part, already filled.
            situation: intent, analysis, channel, name and recent bot texts.
            invite: add an invitation to correct us (not after a question).

        Returns:
            The text to send.
        """
        level = self.level(situation.analysis)
        parts: list[str] = []
        if (
            _low_confidence(situation)
            and situation.description
            and situation.intent not in self.data.get("understood_as_skip", [])
        ):
            described = {"description": situation.description}
            parts.append(self._pick("understood_as", situation, described))
        if level is Level.NEUTRAL:
            return " ".join([*parts, answer])
        values = {
            "concern": self.concern(situation),
            "name_prefix": self.name_prefix(situation),
        }
        assert situation.analysis is not None
        # An answer that opens with an apology already acknowledges; never say sorry
        # twice in a row.
        apologises = "sorry" in _first_sentences(answer, 1).lower()
        if level is Level.UPSET:
            label = situation.analysis.label.value
            if label not in self.data["acknowledge"]:
                label = Emotion.FRUSTRATION.value
            if not apologises:
                parts.append(self._pick(f"acknowledge.{label}", situation, values))
            parts.append(answer)
            if invite and situation.channel != "telegram":
                parts.append(self._pick("invite_correction", situation, {}))
        else:
            if not apologises:
                parts.append(self._pick("acknowledge_short", situation, values))
            parts.append(_first_sentences(answer, 2))
            parts.append(self._pick("offer_person", situation, {}))
        return " ".join(parts)

    def handoff(self, situation: Situation, reasons: Sequence[str] = ()) -> str:
        """What the bot says when a person takes over, in keeping with why: a calm
        request for a person is simply granted, distress, worry and sadness are met
        with care, the bot's own failures are owned, and an upset customer is not
        thanked for patience they have run out of (``handoff.<kind>`` in
        empathy.yml)."""
        found = set(reasons)
        label = situation.analysis.label if situation.analysis else Emotion.NEUTRAL
        if "distress" in found or label in (Emotion.ANXIETY, Emotion.SADNESS):
            kind = "care"
        elif found and found <= {"person_request"}:
            kind = "asked"
        elif found and found <= {"bot_failures", "person_request"}:
            kind = "bot_failed"
        else:
            kind = "upset"
        values = {"name_prefix": self.name_prefix(situation)}
        return self._pick(f"handoff.{kind}", situation, values)

    def waiting(self, key: str, situation: Situation, values: dict[str, Any]) -> str:
        """Where the customer stands in the queue (``queue.<key>`` in empathy.yml)."""
        return self._pick(f"queue.{key}", situation, values)

    @staticmethod
    def name_prefix(situation: Situation) -> str:
        """ "Maya, " while the name has been used fewer than MAX_NAME_USES times."""
        if situation.customer_name and situation.name_uses < MAX_NAME_USES:
            return f"{situation.customer_name}, "
        return ""


def _said(opener: str, situation: Situation) -> bool:
    return any(r.startswith(opener[:30]) for r in situation.recent)


def _low_confidence(situation: Situation) -> bool:
    confidence = situation.intent_confidence
    return confidence is not None and confidence < 0.5


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _first_sentences(text: str, count: int) -> str:
    """The first ``count`` sentences of ``text``; an opener of one or two words
    ("Of course.", "Sure.") comes along but does not count, so the shortened answer
    keeps its substance ("Which order? It's in your confirmation e-mail")."""
    kept: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        if count <= 0:
            break
        kept.append(sentence)
        if len(sentence.split()) > 2:
            count -= 1
    return " ".join(kept)


@lru_cache(maxsize=1)
def empathy_book() -> EmpathyBook:
    """The process-wide empathy templates, loaded on first use."""
    return EmpathyBook.from_file()
