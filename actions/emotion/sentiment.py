"""Sentence sentiment through VADER, after rewriting idioms VADER would misread.

VADER already copes with capitals, punctuation, intensifiers and negation; we only
rewrite a few idioms (``killer deal``, ``no problem``) from ``signals.yml`` and drop
positive credit when the message was found sarcastic.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


@dataclass(frozen=True)
class Sentiment:
    compound: float
    negative: float
    positive: float

    @property
    def negativity(self) -> float:
        """0..1: how negative the message reads (0 for neutral or positive)."""
        return max(0.0, -self.compound)


class SentimentScorer:
    """Thread-safe wrapper around one VADER analyzer."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._vader = SentimentIntensityAnalyzer()
        self._lock = threading.Lock()
        idioms = {
            str(k).lower(): str(v) for k, v in (config.get("idioms") or {}).items()
        }
        self._idioms = idioms
        if idioms:
            alternatives = "|".join(
                re.escape(k) for k in sorted(idioms, key=len, reverse=True)
            )
            self._idiom_re: re.Pattern[str] | None = re.compile(
                rf"\b(?:{alternatives})\b", re.I
            )
        else:
            self._idiom_re = None
        self.negative_threshold = float(config.get("negative_threshold", -0.05))
        self.positive_threshold = float(config.get("positive_threshold", 0.3))
        self.strong_positive = float(config.get("strong_positive", 0.6))

    def rewrite(self, text: str) -> str:
        if self._idiom_re is None:
            return text
        return self._idiom_re.sub(lambda m: self._idioms[m.group(0).lower()], text)

    def score(self, text: str) -> Sentiment:
        if not text.strip():
            return Sentiment(0.0, 0.0, 0.0)
        rewritten = self.rewrite(text)
        with self._lock:
            result = self._vader.polarity_scores(rewritten)
        return Sentiment(
            float(result["compound"]), float(result["neg"]), float(result["pos"])
        )
