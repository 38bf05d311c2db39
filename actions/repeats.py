"""An answer that would say again what the bot has just said: the follow-up asked
about a detail of it ("and is sending it back free?" after the returns policy), so
the sentence of it that answers the follow-up is said alone; with none that does, the
follow-up was not understood (actions/speaker.py, and the other languages in
actions/voice.py)."""

from __future__ import annotations

import re

import numpy as np

from actions.mood import analyzer

# A reply repeats an earlier one when at least this share of its facts and words
# (numbers, words of four letters or more) were in it...
REPEATED_SHARE = 0.7
# ...and it has at least this many of them ("You're welcome" may come again).
REPEATED_WORDS = 6
_FACT = re.compile(r"[^\W\d_]{4,}|\d[\w-]*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
# How close (cosine of the sentence vectors) an English sentence must be to the
# follow-up to answer it, and by how much closer than any other sentence (the
# sentence model reads single sentences loosely: else the whole answer stands)
CLOSE = 0.45
MARGIN = 0.1
# Letters of a word that count as its stem when comparing words across sentences in
# a language the sentence model does not read ("returfrakten", "Returen")
STEM = 5


def repeats(answer: str, earlier: list[str]) -> bool:
    """Whether ``answer`` says again what one of ``earlier`` (the bot's replies)
    said, in the same or other words (the same order, date and carrier)."""
    words = set(_FACT.findall(answer.lower()))
    if len(words) < REPEATED_WORDS:
        return False
    return any(
        len(words & set(_FACT.findall(text.lower()))) >= REPEATED_SHARE * len(words)
        for text in earlier
    )


def _stems(text: str) -> set[str]:
    return {w[:STEM] for w in _FACT.findall(text.lower()) if not w[0].isdigit()}


def detail(answer: str, question: str, language: str = "") -> str | None:
    """The one sentence of ``answer`` that answers ``question``, a follow-up about
    a detail of it: the closest by meaning (English), or by the words they share,
    for their length (another language); None when no sentence is close enough, or
    the answer is one sentence."""
    sentences = [s for s in _SENTENCE.split(answer.strip()) if s]
    if len(sentences) < 2:
        return None
    if not language:
        vectors = analyzer().embed([question, *sentences])
        if not np.any(vectors):
            return None
        sims = [float(x) for x in vectors[1:] @ vectors[0]]
        best = max(range(len(sentences)), key=lambda i: sims[i])
        rival = max(x for i, x in enumerate(sims) if i != best)
        return sentences[best] if sims[best] >= max(CLOSE, rival + MARGIN) else None
    asked = _stems(question)
    scores = [len(asked & _stems(s)) / max(1, len(_stems(s))) ** 0.5 for s in sentences]
    best = max(range(len(sentences)), key=lambda i: scores[i])
    rivals = [s for i, s in enumerate(scores) if i != best]
    if scores[best] == 0 or scores[best] in rivals:
        return None
    return sentences[best]
