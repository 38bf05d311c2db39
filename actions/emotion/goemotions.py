"""The emotion classifier learned from GoEmotions, and its label mapping.

GoEmotions (Demszky et al., "GoEmotions: A Dataset of Fine-Grained Emotions", ACL 2020;
Apache-2.0) labels 58k Reddit comments with 27 emotions or neutral. ``goemotions.yml``
maps those labels to our 7; ``scripts/fit_goemotions.py`` fits a multinomial logistic
regression on the sentence vectors and writes ``goemotions.npz``, which this module
reads and applies with plain numpy (one 384 x 7 matrix product per batch).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

WEIGHTS_FILE = "goemotions.npz"
MAPPING_FILE = "goemotions.yml"


@dataclass(frozen=True)
class LabelMapping:
    """GoEmotions label -> our label; ``excluded`` labels are dropped from a row."""

    to_ours: dict[str, str]
    excluded: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LabelMapping:
        to_ours: dict[str, str] = {}
        for ours, theirs in (config.get("mapping") or {}).items():
            for name in theirs:
                if str(name) in to_ours:
                    raise ValueError(f"GoEmotions label {name} is mapped twice")
                to_ours[str(name)] = str(ours)
        excluded = {str(k): str(v) for k, v in (config.get("excluded") or {}).items()}
        both = set(to_ours) & set(excluded)
        if both:
            raise ValueError(f"GoEmotions labels both mapped and excluded: {both}")
        return cls(to_ours, excluded)

    @property
    def labels(self) -> list[str]:
        """Our labels, sorted."""
        return sorted(set(self.to_ours.values()))

    def map(self, names: Iterable[str]) -> str | None:
        """Our one label for a row's GoEmotions labels, or None (mixed or none)."""
        ours = {self.to_ours[n] for n in names if n not in self.excluded}
        return ours.pop() if len(ours) == 1 else None


def read_rows(path: Path, names: list[str]) -> list[tuple[str, list[str]]]:
    """(text, GoEmotions label names) per line of a GoEmotions TSV file."""
    rows: list[tuple[str, list[str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        text, ids = line.split("\t")[:2]
        rows.append((text, [names[int(i)] for i in ids.split(",") if i.strip()]))
    return rows


class GoEmotionsClassifier:
    """Softmax over fitted weights: sentence vectors in, probabilities per label out."""

    def __init__(
        self,
        coef: np.ndarray,
        intercept: np.ndarray,
        classes: list[str],
        model: str = "",
        settings: dict[str, Any] | None = None,
    ) -> None:
        if coef.ndim != 2 or coef.shape[0] != len(classes):
            raise ValueError(f"coef {coef.shape} does not fit {len(classes)} classes")
        if intercept.shape != (len(classes),):
            raise ValueError(f"intercept {intercept.shape} != ({len(classes)},)")
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.classes = list(classes)
        self.model = model
        self.settings = settings or {}

    @property
    def dim(self) -> int:
        """Length of the sentence vectors the weights expect."""
        return int(self.coef.shape[1])

    @classmethod
    def load(cls, path: str | Path) -> GoEmotionsClassifier | None:
        """The classifier in ``path``, or None (logged) when the file is missing."""
        path = Path(path)
        if not path.exists():
            log.info(
                "no GoEmotions classifier at %s; labels use our own phrases only", path
            )
            return None
        with np.load(path, allow_pickle=False) as data:
            classifier = cls(
                data["coef"],
                data["intercept"],
                [str(c) for c in data["classes"]],
                str(data["model"]),
                json.loads(str(data["settings"])),
            )
        log.info(
            "GoEmotions classifier loaded from %s (%s, %d labels)",
            path,
            classifier.model,
            len(classifier.classes),
        )
        return classifier

    def save(self, path: str | Path) -> None:
        """Write the weights (float32) with the class names, model and settings."""
        np.savez_compressed(
            path,
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
            classes=np.asarray(self.classes),
            model=np.asarray(self.model),
            settings=np.asarray(json.dumps(self.settings, sort_keys=True)),
        )

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        """One row of probabilities (columns in ``classes`` order) per vector."""
        logits = vectors @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        return probs
