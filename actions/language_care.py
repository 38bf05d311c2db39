"""A hurt told by body and symptom in another language
(``data/replies/languages.yml``): "die Beine meines Sohnes sind gerötet" is an
injury though no word of the ``serious`` list is in it (a body word and a symptom
word in one sentence, ``body`` and ``symptoms``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# A sentence of a message (up to . ! ? or the end)
SENTENCE = re.compile(r"[^.!?]+")


@dataclass(frozen=True)
class PeopleWords:
    """A language's words for a body that hurts."""

    # a body part of a person (never a product's part) and what is wrong with it
    body: re.Pattern[str] | None = None
    symptoms: re.Pattern[str] | None = None

    @classmethod
    def of(cls, entry: dict[str, Any]) -> PeopleWords:
        """The words of one language's entry of languages.yml."""
        body, symptoms = entry.get("body"), entry.get("symptoms")
        return cls(
            body=re.compile(str(body)) if body else None,
            symptoms=re.compile(str(symptoms)) if symptoms else None,
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
