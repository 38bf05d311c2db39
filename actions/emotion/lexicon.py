"""Our emotion lexicon: weighted words and phrases per emotion label, with negation.

Entries come from ``data/emotion/lexicon.yml``. A term is one or more words; a
trailing ``*`` on the last word matches any ending (``frustrat*``). A negator shortly
before a term (``not angry``) cancels it; a negated joy term (``not happy``) counts,
weaker, for the label named in ``negated_flip``. An intensifier right before a term
(``so annoyed``) boosts it. A term the customer says of themselves (``stated_by``: "I
am very worried", "it makes me nervous") is a feeling stated, not only read into words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|[.,;:!?]")
_BREAKS = frozenset(".,;:!?")


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens, keeping clause punctuation as separate tokens."""
    return _TOKEN.findall(text.lower())


@dataclass(frozen=True)
class Term:
    label: str
    words: tuple[str, ...]
    prefix: bool
    weight: float

    @property
    def text(self) -> str:
        return " ".join(self.words) + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Match:
    term: Term
    start: int
    surface: str
    negated: bool
    boost: float

    @property
    def weight(self) -> float:
        return self.term.weight * (1.0 + self.boost)


@dataclass
class LexiconResult:
    """Per-label sums and the matches behind them."""

    scores: dict[str, float]
    matches: list[Match]
    emoji: dict[str, int]
    # labels of feelings the customer states as their own ("I'm so worried")
    stated: frozenset[str] = frozenset()

    def best(self) -> tuple[str | None, float]:
        if not self.scores:
            return None, 0.0
        label = max(self.scores, key=lambda k: self.scores[k])
        return label, self.scores[label]


class Lexicon:
    """Matches lexicon terms and emoji in a message."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._by_first: dict[str, list[Term]] = {}
        self._prefix_first: list[Term] = []
        for label, entries in (config.get("emotions") or {}).items():
            for raw, weight in (entries or {}).items():
                phrase = str(raw).lower().strip()
                prefix = phrase.endswith("*")
                words = tuple(tokenize(phrase.rstrip("*")))
                if not words:
                    continue
                term = Term(str(label), words, prefix, float(weight))
                if prefix and len(words) == 1:
                    self._prefix_first.append(term)
                else:
                    self._by_first.setdefault(words[0], []).append(term)
        self.negators = frozenset(str(w).lower() for w in config.get("negators", []))
        self.window = int(config.get("negation_window", 3))
        self.intensifiers = {
            str(k).lower(): float(v)
            for k, v in (config.get("intensifiers") or {}).items()
        }
        self.flip = {
            str(k): str(v) for k, v in (config.get("negated_flip") or {}).items()
        }
        self.flip_factor = float(config.get("negated_flip_factor", 0.5))
        self.cap = float(config.get("label_cap", 2.0))
        self.emoji = {
            str(k): [str(e) for e in v] for k, v in (config.get("emoji") or {}).items()
        }
        self.emoji_weight = float(config.get("emoji_weight", 0.5))
        self.stated_by = tuple(
            tuple(str(o).lower().split()) for o in config.get("stated_by", [])
        )
        self.degrees = frozenset(str(d).lower() for d in config.get("degrees", []))

    def _terms_at(self, tokens: list[str], i: int) -> list[tuple[Term, int]]:
        found: list[tuple[Term, int]] = []
        for term in self._by_first.get(tokens[i], []):
            n = len(term.words)
            window = tokens[i : i + n]
            if len(window) < n:
                continue
            head_ok = all(
                a == b for a, b in zip(window[:-1], term.words[:-1], strict=True)
            )
            last = window[-1]
            last_ok = (
                last.startswith(term.words[-1])
                if term.prefix
                else last == term.words[-1]
            )
            if head_ok and last_ok:
                found.append((term, n))
        for term in self._prefix_first:
            if tokens[i].startswith(term.words[0]):
                found.append((term, 1))
        return found

    def _negated(self, tokens: list[str], start: int) -> bool:
        for j in range(start - 1, max(-1, start - 1 - self.window), -1):
            tok = tokens[j]
            if tok in _BREAKS:
                return False
            if tok in self.negators or tok.endswith("n't"):
                return True
        return False

    def _stated(self, tokens: list[str], start: int) -> bool:
        """Whether the term at ``start`` is said of the speaker ("i'm so worried",
        "it makes me nervous"): an owner of ``stated_by`` right before it, past
        words of degree ("so", "a bit") and intensifiers."""
        j = start
        while j > 0 and (
            tokens[j - 1] in self.degrees or tokens[j - 1] in self.intensifiers
        ):
            j -= 1
        return any(
            len(owner) <= j and tuple(tokens[j - len(owner) : j]) == owner
            for owner in self.stated_by
        )

    def match(self, text: str, tokens: list[str] | None = None) -> LexiconResult:
        tokens = tokens if tokens is not None else tokenize(text)
        matches: list[Match] = []
        i = 0
        while i < len(tokens):
            candidates = self._terms_at(tokens, i)
            if not candidates:
                i += 1
                continue
            term, n = max(candidates, key=lambda c: (c[1], c[0].weight))
            boost = self.intensifiers.get(tokens[i - 1], 0.0) if i > 0 else 0.0
            surface = " ".join(tokens[i : i + n])
            matches.append(Match(term, i, surface, self._negated(tokens, i), boost))
            i += n
        scores: dict[str, float] = {}
        for m in matches:
            if not m.negated:
                scores[m.term.label] = scores.get(m.term.label, 0.0) + m.weight
            elif m.term.label in self.flip:
                target = self.flip[m.term.label]
                scores[target] = scores.get(target, 0.0) + m.weight * self.flip_factor
        emoji_counts: dict[str, int] = {}
        for label, symbols in self.emoji.items():
            count = sum(text.count(s) for s in symbols)
            if count:
                emoji_counts[label] = count
                scores[label] = (
                    scores.get(label, 0.0) + self.emoji_weight * min(count, 3) ** 0.5
                )
        capped = {k: min(v, self.cap) for k, v in scores.items() if v > 0}
        stated = frozenset(
            m.term.label
            for m in matches
            if not m.negated and self._stated(tokens, m.start)
        )
        return LexiconResult(capped, matches, emoji_counts, stated)
