"""The shop's FAQ (``data/faq.yml``): answers to everyday questions with no intent.

NLU knows the customer-service intents; questions beside them (gift wrapping, customs,
price matching, ...) come out as ``out_of_scope`` or ``nlu_fallback``. Before the bot
declines such a message, ``match`` compares it with the FAQ's example questions by
sentence embeddings (the emotion analyzer's all-MiniLM-L6-v2, loaded once) and returns
the best entry when it is close enough. An entry's score mixes the cosine similarity to
its nearest example with the similarity to the centre of all its examples
(``centroid_weight``); a hit needs a score of at least ``threshold`` and a lead of
``margin`` over the runner-up entry (both fitted by ``scripts/fit_faq_threshold.py``).
The answers are reply keys ``faq.<id>`` in the reply book (``faq_replies``), so they
are spoken like every other answer.

NLU also takes some FAQ questions for one of its intents ("do you sell gift cards?"
for the payment methods). So for an intent NLU did name, the FAQ still answers when
its best entry is a hit and scores ``beats_intent_by`` more than the message's
similarity to the nearest training example of that intent (``IntentExamples``: every
example of ``data/rasa/nlu``, embedded once and cached under ``var/cache``): the message
is closer to an FAQ question than to anything NLU learned for its guess.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from actions.paths import FAQ_FILE, RASA_DATA, ROOT

NLU_DIR = RASA_DATA / "nlu"
CACHE_DIR = ROOT / "var" / "cache"
# "[48213](order_id)" and "[Berlin]{...}" in Rasa's example format: the text only
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")

KEY_PREFIX = "faq."

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class FaqEntry:
    """One question of the FAQ: example wordings and answer variations."""

    id: str
    questions: tuple[str, ...]
    answers: tuple[str, ...]
    # the words a message must say for this entry to answer it ("gift", "privacy"):
    # a question near its examples in meaning but not about its topic ("can I send
    # it back?" is no gift return; "my card details are out there" is no privacy
    # policy question) is not answered with it
    needs: re.Pattern[str] | None = None

    def says_its_topic(self, text: str) -> bool:
        """Whether ``text`` names what this entry is about (always, without needs)."""
        return self.needs is None or bool(self.needs.search(text.lower()))

    @property
    def key(self) -> str:
        """The entry's reply key in the reply book."""
        return f"{KEY_PREFIX}{self.id}"


@dataclass(frozen=True)
class FaqHit:
    """The FAQ entry that answers a message, its score and the nearest example."""

    entry: FaqEntry
    score: float
    question: str
    runner_up: float

    @property
    def key(self) -> str:
        """The reply key to say."""
        return self.entry.key


@dataclass(frozen=True)
class Faq:
    """All FAQ entries and the rule that decides when one answers a message."""

    entries: tuple[FaqEntry, ...]
    threshold: float
    margin: float = 0.0
    centroid_weight: float = 0.0
    beats_intent_by: float | None = None  # None: the FAQ never overrides NLU

    @classmethod
    def from_file(cls, path: Path) -> Faq:
        """Load and check an FAQ file.

        Args:
            path: YAML with ``threshold``, optional ``margin`` and
                ``centroid_weight``, and ``entries`` (``id``, ``questions``,
                ``answers``).

        Returns:
            The FAQ; raises ValueError for a duplicate id or an entry without
            questions or answers.
        """
        raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        entries = tuple(
            FaqEntry(
                id=str(e["id"]),
                questions=tuple(str(q) for q in e.get("questions") or []),
                answers=tuple(str(a) for a in e.get("answers") or []),
                needs=re.compile(str(e["needs"])) if e.get("needs") else None,
            )
            for e in raw.get("entries") or []
        )
        ids = [e.id for e in entries]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{path}: duplicate FAQ ids")
        incomplete = [e.id for e in entries if not e.questions or not e.answers]
        if incomplete:
            raise ValueError(
                f"{path}: entries without questions or answers: {incomplete}"
            )
        return cls(
            entries=entries,
            threshold=float(raw["threshold"]),
            margin=float(raw.get("margin") or 0.0),
            centroid_weight=float(raw.get("centroid_weight") or 0.0),
            beats_intent_by=(
                float(raw["beats_intent_by"])
                if raw.get("beats_intent_by") is not None
                else None
            ),
        )

    def replies(self) -> dict[str, list[str]]:
        """The answers as reply-book templates (``faq.<id>`` -> variations)."""
        return {e.key: list(e.answers) for e in self.entries}

    def accepts(self, score: float, runner_up: float) -> bool:
        """Whether the best entry's score (and the next entry's) is enough to answer."""
        return score >= self.threshold and score - runner_up >= self.margin


class FaqIndex:
    """The FAQ's example questions as unit vectors, for nearest-entry search."""

    def __init__(self, faq: Faq, embed: Embed) -> None:
        self.faq = faq
        self.embed = embed
        self.questions = [q for e in faq.entries for q in e.questions]
        self.owner = np.array(
            [i for i, e in enumerate(faq.entries) for _ in e.questions], dtype=np.int64
        )
        self.vectors = np.asarray(embed(self.questions), dtype=np.float32)

    def entry_scores(
        self,
        vectors: np.ndarray,
        exclude: np.ndarray | None = None,
        centroid_weight: float | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per message, each entry's score and the nearest example of the entry.

        Args:
            vectors: unit vectors of the messages, shape (m, dim).
            exclude: optional example index per message to leave out (leave-one-out:
                neither its nearest example nor its centre counts it).
            centroid_weight: weight of the centre similarity (default: the FAQ's).

        Returns:
            ``(scores, nearest)``, both shape (m, entries): ``(1 - w) * nearest
            example similarity + w * centre similarity``, and the nearest example.
        """
        weight = (
            self.faq.centroid_weight if centroid_weight is None else centroid_weight
        )
        vectors = np.asarray(vectors, dtype=np.float32)
        sims = vectors @ self.vectors.T
        rows = np.arange(len(sims))
        if exclude is not None:
            sims[rows, exclude] = -np.inf
        entries = len(self.faq.entries)
        scores = np.zeros((len(sims), entries), dtype=np.float32)
        nearest = np.zeros((len(sims), entries), dtype=np.int64)
        for entry in range(entries):
            columns = np.flatnonzero(self.owner == entry)
            best = sims[:, columns].argmax(axis=1)
            nearest[:, entry] = columns[best]
            closest = sims[rows, columns[best]]
            totals = np.tile(self.vectors[columns].sum(axis=0), (len(sims), 1))
            if exclude is not None:
                mine = self.owner[exclude] == entry
                totals[mine] -= self.vectors[exclude[mine]]
            norms = np.linalg.norm(totals, axis=1)
            centre = (vectors * totals).sum(axis=1) / np.maximum(norms, 1e-9)
            scores[:, entry] = (1 - weight) * closest + weight * centre
        return scores, nearest

    def best(
        self,
        vectors: np.ndarray,
        exclude: np.ndarray | None = None,
        centroid_weight: float | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per message: best entry, its score, the runner-up entry's score and the
        nearest example of the best entry."""
        scores, nearest = self.entry_scores(vectors, exclude, centroid_weight)
        order = np.argsort(-scores, axis=1)
        rows = np.arange(len(scores))
        top = order[:, 0]
        second = (
            scores[rows, order[:, 1]] if scores.shape[1] > 1 else np.zeros(len(rows))
        )
        return top, scores[rows, top], second, nearest[rows, top]

    def match(self, text: str) -> FaqHit | None:
        """The entry that answers ``text``, or None when none is close enough."""
        if not text.strip() or not self.faq.entries:
            return None
        top, score, second, nearest = self.best(self.embed([text]))
        if not self.faq.accepts(float(score[0]), float(second[0])):
            return None
        if not self.faq.entries[int(top[0])].says_its_topic(text):
            return None
        return FaqHit(
            entry=self.faq.entries[int(top[0])],
            score=float(score[0]),
            question=self.questions[int(nearest[0])],
            runner_up=float(second[0]),
        )


def nlu_examples(folder: Path = NLU_DIR) -> list[tuple[str, str]]:
    """(intent, text) of every training example in ``folder``'s NLU files."""
    found: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in raw.get("nlu") or []:
            if "intent" not in item:
                continue
            for line in str(item.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    text = _ANNOTATION.sub(r"\1", line[2:]).strip()
                    found.append((str(item["intent"]), text))
    return found


class IntentExamples:
    """NLU's training examples as unit vectors, to tell how close a message is to
    what NLU learned for an intent."""

    def __init__(
        self, examples: Sequence[tuple[str, str]], embed: Embed, cache: Path | None
    ) -> None:
        self.intents = np.array([intent for intent, _ in examples])
        texts = [text for _, text in examples]
        # the examples and the model (its vector for a fixed text) name the cache
        probe = np.asarray(embed(["cache key"]), dtype=np.float32).round(4).tobytes()
        digest = hashlib.sha256(probe)
        digest.update("\n".join(f"{i}\t{t}" for i, t in examples).encode())
        name = f"intent-examples-{digest.hexdigest()[:16]}.npy"
        path = cache / name if cache else None
        if path is not None and path.exists():
            self.vectors = np.load(path)
        else:
            self.vectors = np.asarray(embed(texts), dtype=np.float32)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                temporary = path.with_name(f".{name}.{os.getpid()}.npy")
                np.save(temporary, self.vectors)
                temporary.replace(path)  # never a half-written cache

    def nearest(
        self, vector: np.ndarray, among: frozenset[str] | set[str]
    ) -> tuple[str, float] | None:
        """The intent (of ``among``) whose nearest example is closest to ``vector``,
        and that cosine similarity; None when none of them has examples."""
        mask = np.isin(self.intents, list(among))
        if not mask.any():
            return None
        similarities = self.vectors[mask] @ vector
        best = int(np.argmax(similarities))
        return str(self.intents[mask][best]), float(similarities[best])

    def closeness(self, vector: np.ndarray, intent: str) -> float | None:
        """The cosine similarity of ``vector`` to ``intent``'s nearest example;
        None for an intent without examples."""
        mask = self.intents == intent
        if not mask.any():
            return None
        return float(np.max(self.vectors[mask] @ vector))


@lru_cache(maxsize=1)
def intent_examples() -> IntentExamples:
    """NLU's examples embedded with the analyzer's model (cached on disk)."""
    from actions.mood import analyzer

    return IntentExamples(nlu_examples(), analyzer().embed, CACHE_DIR)


def nearest_intent(
    text: str, among: frozenset[str] | set[str]
) -> tuple[str, float] | None:
    """The intent of ``among`` with the training example nearest to ``text``, and
    its cosine similarity (a second reading beside NLU's)."""
    [vector] = faq_index().embed([text])
    return intent_examples().nearest(np.asarray(vector), among)


def beats_intent(text: str, intent: str) -> FaqHit | None:
    """The FAQ hit for ``text`` when it is closer to that FAQ question than to
    anything NLU learned for ``intent`` (by ``beats_intent_by``), else None."""
    index = faq_index()
    if index.faq.beats_intent_by is None:
        return None
    hit = index.match(text)
    if hit is None:
        return None
    [vector] = index.embed([text])
    closeness = intent_examples().closeness(np.asarray(vector), intent)
    if closeness is not None and hit.score <= closeness + index.faq.beats_intent_by:
        return None
    return hit


@lru_cache(maxsize=1)
def faq() -> Faq:
    """The process-wide FAQ (the file only; no model)."""
    return Faq.from_file(FAQ_FILE)


def faq_replies() -> dict[str, list[str]]:
    """The FAQ's answers for the reply book."""
    return faq().replies()


@lru_cache(maxsize=1)
def faq_index() -> FaqIndex:
    """The FAQ embedded with the emotion analyzer's sentence model (loaded once)."""
    from actions.mood import analyzer  # the model loads with the analyzer

    return FaqIndex(faq(), analyzer().embed)


def match(text: str) -> FaqHit | None:
    """The FAQ entry that answers ``text``, or None (see the module docstring)."""
    return faq_index().match(text)
