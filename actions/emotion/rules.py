"""Table-driven phrase detectors: person requests, churn and legal threats, distress,
urgency, impatience, "you don't understand" complaints, and sarcasm.

Patterns live in ``data/emotion/signals.yml``. Each detector returns ``Hit`` objects
(name, strength 0..1, readable reason); the analyzer turns them into weighted
``Signal`` objects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_CLAUSE = re.compile(r"[.,;:!?]")
_WORDS = re.compile(r"[a-z']+")
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
# What went wrong, told in a piece of the message (a problem word, a missed date), or
# None: sarcasm is praise or thanks next to one (``PhraseRules.sarcasm``)
Grievance = Callable[[str], str | None]
DEFAULT_NEGATORS = frozenset(
    [
        "not",
        "never",
        "no",
        "don't",
        "dont",
        "do not",
        "doesn't",
        "doesnt",
        "didn't",
        "didnt",
        "without",
        "nor",
    ]
)


@dataclass(frozen=True)
class Hit:
    """A detector's finding before weighting."""

    name: str
    strength: float
    reason: str


def quote(text: str, limit: int = 60) -> str:
    """Shorten a matched snippet for a reason string."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def negated_before(
    text: str, start: int, negators: frozenset[str] = DEFAULT_NEGATORS, window: int = 4
) -> bool:
    """Whether a negator comes in the few words before ``start`` (same clause)."""
    before = text[max(0, start - 60) : start]
    parts = _CLAUSE.split(before)
    words = _WORDS.findall(parts[-1] if parts else "")[-window:]
    return any(w in negators for w in words) or "no need" in " ".join(words)


@dataclass
class _PatternSignal:
    name: str
    reason: str
    negatable: bool
    patterns: list[re.Pattern[str]]


class PhraseRules:
    """Regex detectors for the signals listed under ``patterns`` in ``signals.yml``."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._signals: list[_PatternSignal] = []
        for name, spec in (config.get("patterns") or {}).items():
            compiled = [re.compile(p, re.I) for p in spec.get("patterns", [])]
            self._signals.append(
                _PatternSignal(
                    name=str(name),
                    reason=str(spec.get("reason", name + ': "{match}"')),
                    negatable=bool(spec.get("negatable", False)),
                    patterns=compiled,
                )
            )
        sarcasm = config.get("sarcasm") or {}
        self._sarcasm_phrases = [
            re.compile(p, re.I) for p in sarcasm.get("phrases", [])
        ]
        self._praise = self._alternation(sarcasm.get("praise", []))
        self._situation = self._alternation(sarcasm.get("situation", []), escape=False)
        self._resolution = self._alternation(sarcasm.get("resolution", []))
        self._help_praise = self._alternation(sarcasm.get("help_praise", []))
        closing = sarcasm.get("closing_thanks")
        self._closing_thanks = re.compile(str(closing), re.I) if closing else None

    @staticmethod
    def _alternation(items: list[str], escape: bool = True) -> re.Pattern[str] | None:
        if not items:
            return None
        parts = [re.escape(str(i)) if escape else str(i) for i in items]
        return re.compile(r"\b(?:" + "|".join(parts) + r")", re.I)

    def names(self) -> list[str]:
        return [s.name for s in self._signals] + ["sarcasm"]

    def detect(self, text: str, grievance: Grievance | None = None) -> list[Hit]:
        """Run every phrase detector on cleaned lower-case text; ``grievance`` finds
        what went wrong in a piece of it (for sarcasm)."""
        hits: list[Hit] = []
        for spec in self._signals:
            for pattern in spec.patterns:
                found = next(
                    (
                        m
                        for m in pattern.finditer(text)
                        if not (spec.negatable and negated_before(text, m.start()))
                    ),
                    None,
                )
                if found is not None:
                    hits.append(
                        Hit(
                            spec.name,
                            1.0,
                            spec.reason.format(match=quote(found.group(0))),
                        )
                    )
                    break
        sarcasm = self.sarcasm(text, grievance)
        if sarcasm is not None:
            hits.append(sarcasm)
        return hits

    def help_praise(self, text: str) -> str | None:
        """Praise of our help ("super helpful, thanks", "wow, great job") with no
        fix in sight, not negated: the words, else None. Sarcastic right after an
        upset message (actions/emotion/context.py, ``praise_after_upset``)."""
        if self._help_praise is None:
            return None
        if self._resolution is not None and self._resolution.search(text):
            return None
        found = _unnegated(self._help_praise, text)
        return found.group(0) if found else None

    def sarcasm(self, text: str, grievance: Grievance | None = None) -> Hit | None:
        """Fixed sarcastic phrases, praise next to a bad situation, or thanks that
        close a message telling what went wrong ("His birthday was yesterday.
        Thanks for that."), with no fix in sight."""
        for pattern in self._sarcasm_phrases:
            m = pattern.search(text)
            if m:
                return Hit("sarcasm", 1.0, f'sarcasm: "{quote(m.group(0))}"')
        situations = self._situation
        if self._praise is None or situations is None:
            return None
        if self._resolution is not None and self._resolution.search(text):
            return None

        def wrong(piece: str) -> str | None:
            found = situations.search(piece)
            if found is not None:
                return found.group(0)
            return grievance(piece) if grievance is not None else None

        segments = [text] if len(text.split()) <= 20 else _SENTENCES.split(text)
        for sentence in segments:
            praise = _unnegated(self._praise, sentence)
            if praise is None or (
                # "can you send a new one? thanks a lot": polite, not sarcastic
                praise.group(0).startswith("thank") and "?" in text
            ):
                continue
            situation = wrong(sentence)
            if situation is not None:
                return Hit(
                    "sarcasm",
                    0.8,
                    f'sarcasm: praise "{quote(praise.group(0))}" '
                    f'next to "{quote(situation)}"',
                )
        sentences = [s for s in _SENTENCES.split(text.strip()) if s.strip()]
        if (
            self._closing_thanks is None
            or len(sentences) < 2
            or "?" in text
            or not self._closing_thanks.fullmatch(sentences[-1].strip())
        ):
            return None
        told = wrong(" ".join(sentences[:-1]))
        if told is None:
            return None
        return Hit(
            "sarcasm",
            0.8,
            f'sarcasm: "{quote(sentences[-1])}" after "{quote(told)}"',
        )


def _unnegated(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match of ``pattern`` in ``text`` with no negator just before it."""
    return next(
        (m for m in pattern.finditer(text) if not negated_before(text, m.start())),
        None,
    )
