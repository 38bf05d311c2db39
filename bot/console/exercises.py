"""Emotion-recognition exercises: the library, how an answer is graded, and what
colleagues answered.

An exercise is a customer message, either one of our own examples
(data/training/exercises.yml: the emotion, its intensity band, what it is about and
the cues that show it) or a real customer message from a resolved chat (redacted,
offered only when a supervisor switched that source on; its answer is what the
analyzer read when it came in). The trainee names the emotion, the intensity (0-1) and
what it is about; ``grade`` scores that out of 100 (emotion 50, intensity band 25,
about 25). ``agreement`` says how colleagues' answers to the same message agree,
shown once at least ``AGREEMENT_MIN`` people answered.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

EXERCISES_FILE = (
    Path(__file__).resolve().parent.parent.parent
    / "data"
    / "training"
    / "exercises.yml"
)
EMOTIONS = (
    "anger",
    "frustration",
    "sadness",
    "anxiety",
    "confusion",
    "joy",
    "neutral",
)
ABOUT = ("delivery", "refund", "billing", "account", "product", "service", "other")
BANDS = {"low": (0.0, 0.33), "medium": (0.34, 0.66), "high": (0.67, 1.0)}
ID = re.compile(r"^[a-z0-9_]{1,40}$")
REAL_ID = re.compile(r"^r[0-9a-f]{16}$")
AGREEMENT_MIN = 3  # answers to a message before colleagues' agreement is shown
POINTS = {"emotion": 50, "intensity": 25, "about": 25}


def band(intensity: float) -> str:
    """The band an intensity (0-1) falls in: low, medium or high."""
    if intensity < 0.335:
        return "low"
    return "medium" if intensity < 0.665 else "high"


@dataclass(frozen=True)
class Exercise:
    """One message to read, with the answer it is graded against."""

    id: str
    text: str
    emotion: str
    intensity: str  # band
    about: str  # "" when not known (a real message): not graded
    cues: tuple[str, ...]
    source: str = "examples"  # or "real"

    def brief(self) -> dict[str, Any]:
        """What the trainee sees before answering (no answer, no cues)."""
        return {"id": self.id, "text": self.text, "source": self.source}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (how a real message is kept)."""
        return {
            "id": self.id,
            "text": self.text,
            "emotion": self.emotion,
            "intensity": self.intensity,
            "about": self.about,
            "cues": list(self.cues),
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Exercise:
        """The exercise from ``to_dict``'s output."""
        return cls(
            str(data["id"]),
            str(data["text"]),
            str(data["emotion"]),
            str(data["intensity"]),
            str(data.get("about", "")),
            tuple(str(c) for c in data.get("cues", [])),
            str(data.get("source", "real")),
        )


def _exercise(raw: dict[str, Any]) -> Exercise:
    found = Exercise(
        str(raw["id"]),
        str(raw["text"]),
        str(raw["emotion"]),
        str(raw["intensity"]),
        str(raw["about"]),
        tuple(str(c) for c in raw.get("cues", [])),
    )
    problems = check(found)
    if problems:
        raise ValueError(f"exercise {found.id}: {'; '.join(problems)}")
    return found


def check(exercise: Exercise) -> list[str]:
    """What is wrong with an exercise of our library (empty: nothing)."""
    problems = []
    if not ID.match(exercise.id):
        problems.append("id must be 1-40 of a-z, 0-9, _")
    if exercise.emotion not in EMOTIONS:
        problems.append(f"unknown emotion {exercise.emotion!r}")
    if exercise.intensity not in BANDS:
        problems.append(f"unknown intensity band {exercise.intensity!r}")
    if exercise.about not in ABOUT:
        problems.append(f"unknown about {exercise.about!r}")
    if not exercise.text.strip() or not exercise.cues:
        problems.append("needs a text and at least one cue")
    return problems


@lru_cache(maxsize=1)
def examples(path: Path = EXERCISES_FILE) -> dict[str, Exercise]:
    """Our own exercises by id, in file order (read once)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: dict[str, Exercise] = {}
    for raw in data.get("exercises", []):
        exercise = _exercise(raw)
        if exercise.id in found:
            raise ValueError(f"exercise {exercise.id} is there twice")
        found[exercise.id] = exercise
    return found


@dataclass(frozen=True)
class Answer:
    """A trainee's reading of a message."""

    emotion: str
    intensity: float  # 0-1
    about: str


def grade(answer: Answer, exercise: Exercise) -> dict[str, Any]:
    """The answer's score (0-100) and which parts were right."""
    right = {
        "emotion": answer.emotion == exercise.emotion,
        "intensity": band(answer.intensity) == exercise.intensity,
        "about": answer.about == exercise.about if exercise.about else None,
    }
    graded = {part: ok for part, ok in right.items() if ok is not None}
    total = sum(POINTS[part] for part in graded)
    points = sum(POINTS[part] for part, ok in graded.items() if ok)
    return {"score": round(100 * points / total), "right": right}


def compare_analyzer(answer: Answer, analysis: dict[str, Any] | None) -> dict[str, Any]:
    """The analyzer's reading next to the answer, with its reasons (the cues it saw);
    ``available`` is False when the action server did not answer."""
    if analysis is None:
        return {"available": False}
    intensity = float(analysis.get("intensity") or 0.0)
    return {
        "available": True,
        "emotion": str(analysis.get("label", "")),
        "intensity": round(intensity, 3),
        "band": band(intensity),
        "same_emotion": analysis.get("label") == answer.emotion,
        "same_band": band(intensity) == band(answer.intensity),
        "reasons": [
            str(s.get("reason", ""))
            for s in analysis.get("signals", [])
            if s.get("reason")
        ],
    }


def agreement(answers: list[dict[str, Any]], mine: Answer) -> dict[str, Any]:
    """How colleagues' answers to one message agree (every answer, the caller's
    included); the counts only once ``AGREEMENT_MIN`` people answered."""
    count = len(answers)
    if count < AGREEMENT_MIN:
        return {"answers": count, "shown": False, "needed": AGREEMENT_MIN}
    emotions = Counter(str(a["emotion"]) for a in answers)
    bands = Counter(band(float(a["intensity"])) for a in answers)
    abouts = Counter(str(a["about"]) for a in answers)
    top, top_count = emotions.most_common(1)[0]
    return {
        "answers": count,
        "shown": True,
        "emotions": dict(emotions.most_common()),
        "bands": dict(bands.most_common()),
        "about": dict(abouts.most_common()),
        "most_said": top,
        "agreement": round(top_count / count, 3),
        "same_as_me": round(emotions[mine.emotion] / count, 3),
    }
