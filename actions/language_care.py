"""Who a death or an injury happened to, and a hurt told by body and symptom, in
another language (``data/replies/languages.yml``): "die Beine meines Sohnes sind
gerötet" is an injury though no word of the ``serious`` list is in it (a body word
and a symptom word in one sentence, ``body`` and ``symptoms``), and the care names
the one it happened to ("that your son was hurt", ``care.<kind>_who`` with ``who``)
when the message names them with "my" before it (``mine``) in the sentence that
tells it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# A sentence of a message (up to . ! ? or the end)
SENTENCE = re.compile(r"[^.!?]+")
# The situations whose care may name the one it happened to (``care.<kind>_who``)
NAMED = ("bereavement", "injury")


@dataclass(frozen=True)
class PeopleWords:
    """A language's words for a body that hurts and for the people close to the
    customer."""

    # a body part of a person (never a product's part) and what is wrong with it
    body: re.Pattern[str] | None = None
    symptoms: re.Pattern[str] | None = None
    # a relation named with "my" before it, and how the care of each situation
    # names them ("su hijo"; German: "Ihren Sohn" after a death, "Ihrem Sohn" hurt)
    who: tuple[tuple[re.Pattern[str], dict[str, str]], ...] = ()
    # the start of a sentence that tells of someone named just before ("Il est
    # décédé" after "pour mon frère"): the relation of the sentence before
    told_of: re.Pattern[str] | None = None

    @classmethod
    def of(cls, entry: dict[str, Any]) -> PeopleWords:
        """The words of one language's entry of languages.yml."""
        body, symptoms = entry.get("body"), entry.get("symptoms")
        mine = str(entry.get("mine") or "")
        told_of = entry.get("told_of")
        return cls(
            body=re.compile(str(body)) if body else None,
            symptoms=re.compile(str(symptoms)) if symptoms else None,
            who=tuple(
                (re.compile(rf"{mine}\b(?:{words})\b"), _by_kind(phrase))
                for words, phrase in (entry.get("who") or {}).items()
            ),
            told_of=re.compile(str(told_of)) if told_of else None,
        )

    def hurt(self, lower: str) -> bool:
        """Whether one sentence of ``lower`` (a lower-cased message) names a body
        part and a symptom ("sus piernas están rojas e irritadas")."""
        return bool(self._body_spots(lower))

    def _body_spots(self, lower: str) -> list[tuple[int, int]]:
        """(sentence start, body word offset) of each body word in a sentence that
        also names a symptom."""
        if self.body is None or self.symptoms is None:
            return []
        return [
            (sentence.start(), body.start())
            for sentence in SENTENCE.finditer(lower)
            if self.symptoms.search(sentence.group())
            for body in self.body.finditer(sentence.group())
        ]

    def who_in(self, lower: str, kind: str, said: re.Pattern[str] | None) -> str:
        """How the care of ``kind`` names the one ``lower`` says it happened to
        ("su hermano"): the relation named with "my" before it nearest to the
        words of the situation (``said``; for an injury, a body word with a
        symptom too), in the same sentence; "" when none is named there."""
        hurt = kind == "injury"
        spots = [
            (sentence.start(), words.start())
            for sentence in SENTENCE.finditer(lower)
            if said is not None
            for words in said.finditer(sentence.group())
        ]
        if hurt:
            spots += self._body_spots(lower)
        named = [
            (abs(relation.start() - offset), phrases[kind])
            for start, offset in spots
            for pattern, phrases in self.who
            if kind in phrases
            for relation in pattern.finditer(_sentence_at(lower, start))
        ]
        if not named:
            # "pour mon frère. Il est décédé": the one named in the sentence before
            named = [
                (len(before) - relation.start(), phrases[kind])
                for start, _ in spots
                if self.told_of is not None
                and self.told_of.match(_sentence_at(lower, start).lstrip())
                for before in [_sentence_before(lower, start)]
                for pattern, phrases in self.who
                if kind in phrases
                for relation in pattern.finditer(before)
            ]
        return min(named)[1] if named else ""


def _by_kind(phrase: Any) -> dict[str, str]:
    """A relation's phrase for each situation: one for all (a text), or one each."""
    if isinstance(phrase, dict):
        return {str(kind): str(said) for kind, said in phrase.items()}
    return dict.fromkeys(NAMED, str(phrase))


def _sentence_before(lower: str, start: int) -> str:
    """The sentence of ``lower`` before the one that begins at ``start``."""
    before = [m.group() for m in SENTENCE.finditer(lower) if m.end() < start]
    return before[-1] if before else ""


def _sentence_at(lower: str, start: int) -> str:
    """The sentence of ``lower`` that begins at ``start``."""
    found = SENTENCE.match(lower, start)
    return found.group() if found else ""
