"""Message-level detectors run together: lexicon, problem words, phrase rules, style,
VADER sentiment, message length and the sentence-model level, as ``Hit`` objects, and
the serious situations the message describes (``situations.py``).

``MessageEvaluator`` needs no conversation context; ``EmotionAnalyzer`` adds that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .lexicon import Lexicon, LexiconResult
from .models import Circumstance
from .rules import Hit, PhraseRules, quote
from .scoring import NEGATIVE_LABELS
from .semantic import SemanticResult
from .sentiment import Sentiment, SentimentScorer
from .situations import SituationDetector
from .style import StyleRules
from .text import Prepared

_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass
class MessageResult:
    """Message-only evaluation, before conversation context."""

    prep: Prepared
    hits: list[Hit]
    lexicon: LexiconResult
    sentiment: Sentiment
    semantic: SemanticResult | None
    sarcastic: bool
    circumstances: list[Circumstance] = field(default_factory=list)
    help_praise: str | None = None  # "super helpful": sarcastic after an upset turn


class MessageEvaluator:
    """Runs the message-level detectors configured in signals.yml and lexicon.yml."""

    def __init__(
        self,
        signals_cfg: dict[str, Any],
        lexicon_cfg: dict[str, Any],
        situations_cfg: dict[str, Any] | None = None,
    ) -> None:
        self.lexicon = Lexicon(lexicon_cfg)
        self.situations = SituationDetector(situations_cfg or {})
        problems = signals_cfg.get("problems") or {}
        self.problems = Lexicon(
            {
                "emotions": {"problem": problems.get("terms") or {}},
                "negators": lexicon_cfg.get("negators", []),
                "label_cap": problems.get("label_cap", 2.0),
            }
        )
        self.detail_cfg: dict[str, Any] = signals_cfg.get("detail") or {}
        self.rules = PhraseRules(signals_cfg)
        self.style = StyleRules(signals_cfg)
        self.sentiment = SentimentScorer(signals_cfg.get("sentiment") or {})

    def model_text(self, prep: Prepared) -> str:
        """Text for the sentence model: idioms rewritten (embeddings miss negation)."""
        return self.sentiment.rewrite(prep.model_text)

    def evaluate(
        self, prep: Prepared, semantic: SemanticResult | None
    ) -> MessageResult:
        """Every message-level detector; the sentence-model result is passed in."""
        hits: list[Hit] = []
        text = prep.clean
        lexicon = self.lexicon.match(text)
        if not prep.readable:
            sentiment = Sentiment(0.0, 0.0, 0.0)
            for hit in (
                self.style.caps(text, False),
                self.style.punctuation(text, False),
            ):
                if hit is not None:
                    hits.append(hit)
            emoji = {k: n for k, n in lexicon.emoji.items() if k in NEGATIVE_LABELS}
            if emoji:
                strength = min(sum(lexicon.scores.get(k, 0.0) for k in emoji), 2.0)
                hits.append(
                    Hit(
                        "emotion_words",
                        strength,
                        "emoji: " + ", ".join(f"{k} x{n}" for k, n in emoji.items()),
                    )
                )
            return MessageResult(prep, hits, lexicon, sentiment, None, False)
        lower = text.lower()
        sentiment = self.sentiment.score(text)
        phrase_hits = self.rules.detect(lower, self.grievance)
        sarcastic = any(h.name == "sarcasm" for h in phrase_hits)
        negative_words = sum(
            lexicon.scores.get(label, 0.0) for label in NEGATIVE_LABELS
        )
        happy = (
            sentiment.compound >= self.sentiment.positive_threshold
            and negative_words < 0.3
            and not sarcastic
        )
        unhappy = (
            sentiment.compound <= self.sentiment.negative_threshold
            or negative_words >= 0.5
            or sarcastic
        )
        hits.extend(phrase_hits)
        for hit in (
            self.style.caps(text, happy),
            self.style.elongation(text, happy),
            self.style.punctuation(text, happy),
            self.style.swearing(text, happy, unhappy),
        ):
            if hit is not None:
                hits.append(hit)
        if sentiment.compound <= self.sentiment.negative_threshold:
            hits.append(
                Hit(
                    "negative_sentiment",
                    sentiment.negativity,
                    f"negative tone (VADER {sentiment.compound:+.2f})",
                )
            )
        elif sentiment.compound >= self.sentiment.positive_threshold and not sarcastic:
            joy = [
                f'"{m.surface}"'
                for m in lexicon.matches
                if m.term.label == "joy" and not m.negated
            ]
            if joy or sentiment.compound >= self.sentiment.strong_positive:
                words = f": {', '.join(joy[:3])}" if joy else ""
                hits.append(
                    Hit(
                        "positive_tone",
                        sentiment.compound,
                        f"positive tone (VADER {sentiment.compound:+.2f}){words}",
                    )
                )
        if negative_words > 0:
            found = [
                f'"{m.surface}" ({m.term.label})'
                for m in lexicon.matches
                if not m.negated and m.term.label in NEGATIVE_LABELS
            ]
            emoji_words = [
                f"{label} emoji x{n}"
                for label, n in lexicon.emoji.items()
                if label in NEGATIVE_LABELS
            ]
            hits.append(
                Hit(
                    "emotion_words",
                    min(negative_words, 2.0),
                    "emotion words: " + ", ".join((found + emoji_words)[:4]),
                )
            )
        hits.extend(self.detail(prep))
        if semantic is not None and semantic.level / 4 >= 0.15:
            label = max(semantic.probs, key=lambda k: semantic.probs[k])
            phrase, sim = semantic.nearest.get(label, ("", 0.0))
            hits.append(
                Hit(
                    "semantic",
                    semantic.level / 4,
                    f"sounds like {label} (level {semantic.level:.1f}; "
                    f'close to "{quote(phrase, 50)}", {sim:.2f})',
                )
            )
        return MessageResult(
            prep,
            hits,
            lexicon,
            sentiment,
            semantic,
            sarcastic,
            self.situations.detect(lower),
            self.rules.help_praise(lower),
        )

    def grievance(self, piece: str) -> str | None:
        """A date the order missed, told (not asked) in ``piece`` ("his birthday
        was yesterday"): the words, else None. (The other things that went wrong
        are ``sarcasm.situation`` in signals.yml; the problem lexicon's words are
        too plain for this: "three weeks", "the refund came quickly".)"""
        for sentence in _SENTENCES.split(piece):
            if not sentence.strip() or sentence.rstrip().endswith("?"):
                continue
            missed = next(
                (
                    c.quote
                    for c in self.situations.detect(sentence)
                    if c.kind == "missed_occasion"
                ),
                None,
            )
            if missed is not None:
                return missed
        return None

    def tells_a_problem(self, prep: Prepared) -> bool:
        """Whether the message tells something that went wrong outside its
        questions ("the kettle arrived broken"), not only asks about it ("order
        1209384756 hasn't shipped yet, right?"): the problem words of its sentences
        that are no question."""
        told = " ".join(
            s
            for s in _SENTENCES.split(prep.clean)
            if s.strip() and not s.rstrip().endswith("?")
        )
        problems = self.problems.match(self.situations.blank(told))
        return any(not m.negated for m in problems.matches)

    def detail(self, prep: Prepared) -> list[Hit]:
        """Problem words and message length: complaints tend to be long and concrete."""
        hits: list[Hit] = []
        # the words of what happens in their life ("lost my job") are no problem
        # with the order
        problems = self.problems.match(self.situations.blank(prep.clean))
        score = problems.scores.get("problem", 0.0)
        if score > 0:
            words = [f'"{m.surface}"' for m in problems.matches if not m.negated][:4]
            hits.append(
                Hit(
                    "problem_report",
                    min(score, 2.0),
                    "describes a problem: " + ", ".join(words),
                )
            )
        count = len(prep.words)
        if count >= int(self.detail_cfg.get("min_words", 8)):
            strength = min(
                1.0, (count / float(self.detail_cfg.get("full_words", 60))) ** 0.5
            )
            hits.append(
                Hit(
                    "detailed_message",
                    strength,
                    f"long, detailed message ({count} words)",
                )
            )
        return hits
