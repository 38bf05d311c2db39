"""Signals that need the conversation so far: repeated or rephrased questions, bot
failures, messages left without a useful answer, earlier frustration carried over,
and the trend.

The functions here take already-computed pieces (earlier customer texts with their
message-only scores and embeddings) so they stay cheap and easy to test.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .models import Trend, Turn
from .rules import Hit, quote
from .text import ONLY_DETAILS

_NORMAL = re.compile(r"[^a-z0-9 ]+")


def normal_form(text: str) -> str:
    """Lower-case words only, for exact-repeat checks."""
    return " ".join(_NORMAL.sub(" ", text.lower()).split())


@dataclass
class EarlierTurn:
    """An earlier customer turn as the context detectors need it."""

    text: str
    score: float
    words: int
    signals: tuple[str, ...] = ()


@dataclass
class ContextSettings:
    max_history: int = 10
    max_compare: int = 6
    min_words_repeat: int = 3
    prior_decay: float = 0.75
    prior_min: float = 0.25
    trend_window: int = 3
    trend_delta: float = 0.15
    low_confidence: float = 0.45
    unanswered_min: int = 2
    rephrase_threshold: float = 0.8
    # praise of our help right after a message at least this upset (its message
    # score), in at most this many words, is sarcasm
    sarcasm_after: float = 0.45
    sarcasm_max_words: int = 16  # "Wow, very helpful. So will it come or not?"

    @classmethod
    def from_config(
        cls, config: dict[str, Any], rephrase_threshold: float | None
    ) -> ContextSettings:
        known = {
            k: type(getattr(cls, k))(v) for k, v in config.items() if hasattr(cls, k)
        }
        settings = cls(**known)
        if rephrase_threshold is not None:
            settings.rephrase_threshold = float(rephrase_threshold)
        return settings


def repeats(
    text: str,
    words: int,
    vector: np.ndarray | None,
    earlier: Sequence[EarlierTurn],
    earlier_vectors: np.ndarray | None,
    settings: ContextSettings,
) -> list[Hit]:
    """Exact repeats and close rephrasings of earlier customer messages."""
    if words < settings.min_words_repeat or not earlier:
        return []
    candidates = list(earlier)[-settings.max_compare :]
    current = normal_form(text)
    for turn in reversed(candidates):
        if (
            turn.words >= settings.min_words_repeat
            and normal_form(turn.text) == current
        ):
            return [
                Hit(
                    "repeated_question",
                    1.0,
                    f'repeats an earlier message word for word: "{quote(turn.text)}"',
                )
            ]
    if vector is None or earlier_vectors is None or not len(earlier_vectors):
        return []
    vectors = earlier_vectors[-len(candidates) :]
    sims = vectors @ vector
    best, best_sim = -1, 0.0
    for i, (turn, sim) in enumerate(zip(candidates, sims, strict=True)):
        if turn.words >= settings.min_words_repeat and float(sim) > best_sim:
            best, best_sim = i, float(sim)
    if best >= 0 and best_sim >= settings.rephrase_threshold:
        strength = min(1.0, 0.6 + (best_sim - settings.rephrase_threshold) * 4)
        return [
            Hit(
                "rephrased_question",
                strength,
                f"rephrases an earlier message (similarity {best_sim:.2f}): "
                f'"{quote(candidates[best].text)}"',
            )
        ]
    return []


def praise_after_upset(
    praise: str | None,
    words: int,
    earlier: Sequence[EarlierTurn],
    settings: ContextSettings,
    missed: bool = False,
) -> Hit | None:
    """Praise of our help in a short message right after an upset one, or right
    after a reply of ours that could not help (``missed``), with no fix in sight
    ("Wow. Super helpful, thanks."): sarcasm, not thanks."""
    if not praise or words > settings.sarcasm_max_words:
        return None
    if missed:
        return Hit(
            "sarcasm", 1.0, f'sarcasm: praise "{quote(praise)}" right after a miss'
        )
    if not earlier:
        return None
    # the last message that said something: not the e-mail address or order number
    # given in between to prove the order
    before = next(
        (t for t in reversed(earlier) if not ONLY_DETAILS.match(t.text)), None
    )
    if before is None:
        return None
    # ("Oh brilliant, 'shipped' for ten days now": sarcastic itself, upset at any
    # score)
    if before.score < settings.sarcasm_after and "sarcasm" not in before.signals:
        return None
    return Hit(
        "sarcasm",
        1.0,
        f'sarcasm: praise "{quote(praise)}" right after an upset message '
        f'("{quote(before.text, 40)}")',
    )


def bot_failures(
    history: Sequence[Turn], earlier: Sequence[EarlierTurn], settings: ContextSettings
) -> Hit | None:
    """Fallbacks, low NLU confidence and earlier "you don't understand" complaints."""
    fallbacks = sum(1 for t in history if not t.is_customer and t.fallback)
    low = sum(
        1
        for t in history
        if t.is_customer
        and t.confidence is not None
        and t.confidence < settings.low_confidence
    )
    complaints = sum(1 for t in earlier if "misunderstood" in t.signals)
    total = fallbacks + low + complaints
    if total == 0:
        return None
    parts = []
    if fallbacks:
        parts.append(f"{fallbacks} bot fallback(s)")
    if low:
        parts.append(f"{low} message(s) understood with low confidence")
    if complaints:
        parts.append(f"{complaints} earlier 'you don't understand' complaint(s)")
    return Hit(
        "bot_failure", min(1.0, total / 2), "bot failed earlier: " + ", ".join(parts)
    )


def unanswered(history: Sequence[Turn], settings: ContextSettings) -> Hit | None:
    """Customer messages in a row (this one included) without a useful reply."""
    streak = 1
    for turn in reversed(history):
        if turn.is_customer:
            streak += 1
        elif turn.fallback:
            continue
        else:
            break
    if streak < settings.unanswered_min:
        return None
    strength = min(1.0, (streak - 1) / 2)
    return Hit(
        "no_useful_answer",
        strength,
        f"{streak} customer messages in a row without a useful answer",
    )


def carryover(earlier: Sequence[EarlierTurn], settings: ContextSettings) -> Hit | None:
    """Frustration shown in recent customer turns, fading with distance."""
    best, best_turn = 0.0, None
    for distance, turn in enumerate(reversed(list(earlier))):
        value = turn.score * settings.prior_decay**distance
        if value > best:
            best, best_turn = value, turn
    if best_turn is None or best < settings.prior_min:
        return None
    return Hit(
        "prior_frustration",
        min(1.0, best),
        f'already upset earlier ({best_turn.score:.2f}): "{quote(best_turn.text)}"',
    )


def trend(
    current: float, earlier: Sequence[EarlierTurn], settings: ContextSettings
) -> tuple[Trend, Hit | None]:
    """Compare this message's score with the customer's recent turns that had
    words (an order number alone says nothing about mood)."""
    recent = [t.score for t in earlier if t.words][-settings.trend_window :]
    if not recent:
        return Trend.STEADY, None
    baseline = sum(recent) / len(recent)
    delta = current - baseline
    if delta >= settings.trend_delta:
        series = " -> ".join(f"{s:.2f}" for s in [*recent, current])
        return Trend.RISING, Hit(
            "rising_trend",
            min(1.0, delta * 2),
            f"intensity rising across turns ({series})",
        )
    if delta <= -settings.trend_delta:
        return Trend.FALLING, None
    return Trend.STEADY, None
