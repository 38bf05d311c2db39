"""Turning detector hits into weighted signals, group sums, intensity, level and label.

Weights per signal and group caps come from ``weights.yml`` (hand-set); the mixing
weights, bias and the four level thresholds come from ``calibration.yml`` (fitted on
our own labelled data by ``bench.frustration --fit``).
intensity = clip(bias + sum(mix[g] * group[g]), 0, 1); frustration = thresholds passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .models import Emotion, Signal
from .rules import Hit

NEGATIVE_LABELS = tuple(e.value for e in Emotion if e.negative)
# Signals of a shouted message and the weight from which they say so: capitals in
# most of it (one word such as "[NAME]" is no shouting), "???" or "!!!"
SHOUTED = {"all_caps": 0.3, "punctuation": 0.2}
# Serious situations a customer describes (actions/emotion/situations.py): never
# read as happiness
SERIOUS_SITUATIONS = frozenset(
    {
        "injury",
        "hazard",
        "personal_safety",
        "bereavement",
        "health",
        "fraud",
        "hardship",
        "vulnerable",
    }
)


@dataclass
class Calibration:
    bias: float = 0.0
    mix: dict[str, float] = field(default_factory=dict)
    thresholds: list[float] = field(default_factory=lambda: [0.15, 0.35, 0.55, 0.75])
    rephrase_threshold: float | None = None

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Calibration:
        thresholds = [
            float(t) for t in config.get("thresholds", [0.15, 0.35, 0.55, 0.75])
        ]
        if len(thresholds) != 4 or thresholds != sorted(thresholds):
            raise ValueError("calibration thresholds must be four increasing numbers")
        rephrase = config.get("rephrase_threshold")
        return cls(
            bias=float(config.get("bias", 0.0)),
            mix={str(k): float(v) for k, v in (config.get("mix") or {}).items()},
            thresholds=thresholds,
            rephrase_threshold=None if rephrase is None else float(rephrase),
        )

    def to_config(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "bias": round(self.bias, 4),
            "mix": {k: round(v, 4) for k, v in self.mix.items()},
            "thresholds": [round(t, 4) for t in self.thresholds],
        }
        if self.rephrase_threshold is not None:
            out["rephrase_threshold"] = round(self.rephrase_threshold, 4)
        return out


class Scorer:
    """Applies ``weights.yml`` and ``calibration.yml``."""

    def __init__(self, weights: dict[str, Any], calibration: Calibration) -> None:
        self.signals: dict[str, dict[str, Any]] = {
            str(k): dict(v) for k, v in (weights.get("signals") or {}).items()
        }
        self.groups: dict[str, dict[str, Any]] = {
            str(k): dict(v) for k, v in (weights.get("groups") or {}).items()
        }
        self.labels_cfg: dict[str, float] = {
            str(k): float(v) for k, v in (weights.get("labels") or {}).items()
        }
        self.calibration = calibration

    def weight(self, name: str) -> float:
        return float(self.signals.get(name, {}).get("weight", 0.0))

    def to_signals(self, hits: Iterable[Hit]) -> list[Signal]:
        return [
            Signal(h.name, round(self.weight(h.name) * h.strength, 4), h.reason)
            for h in hits
        ]

    def group_values(self, signals: Iterable[Signal]) -> dict[str, float]:
        sums = {g: 0.0 for g in self.groups}
        for s in signals:
            group = self.signals.get(s.name, {}).get("group")
            if group in sums:
                sums[group] += s.weight
        return {
            g: min(v, float(self.groups[g].get("cap", 1.0))) for g, v in sums.items()
        }

    def _sign(self, group: str) -> float:
        return float(self.groups.get(group, {}).get("sign", 1.0))

    def message_score(self, groups: dict[str, float]) -> float:
        """Uncalibrated message-only score: no context groups, hand-set ``prior``."""
        total = 0.0
        for g, v in groups.items():
            spec = self.groups.get(g, {})
            if spec.get("message", True):
                total += self._sign(g) * float(spec.get("prior", 0.3)) * v
        return max(0.0, min(1.0, total))

    def raw_intensity(self, groups: dict[str, float]) -> float:
        cal = self.calibration
        return cal.bias + sum(
            self._sign(g) * cal.mix.get(g, 0.0) * v for g, v in groups.items()
        )

    def intensity(self, groups: dict[str, float]) -> float:
        return max(0.0, min(1.0, self.raw_intensity(groups)))

    def level(self, intensity: float) -> int:
        return sum(1 for t in self.calibration.thresholds if intensity >= t)

    def label(
        self,
        signals: Iterable[Signal],
        lexicon_scores: dict[str, float],
        probs: dict[str, float],
        intensity: float,
        sarcastic: bool,
        stated: frozenset[str] = frozenset(),
    ) -> tuple[Emotion, dict[str, float]]:
        cfg = self.labels_cfg
        signals = list(signals)
        evidence = {e.value: 0.0 for e in Emotion}
        explicit = dict(
            evidence
        )  # lexicon and rule signals only, without the sentence model
        for label, score in lexicon_scores.items():
            if label in evidence:
                explicit[label] += cfg.get("lexicon", 1.0) * score
        for s in signals:
            target = self.signals.get(s.name, {}).get("label")
            if isinstance(target, str) and target in evidence:
                explicit[target] += cfg.get("signals", 1.0) * s.weight
        semantic = cfg.get("semantic", 1.0)
        for label in evidence:
            evidence[label] = explicit[label] + semantic * probs.get(label, 0.0)
        evidence[Emotion.NEUTRAL.value] += cfg.get("neutral_prior", 0.3)
        if sarcastic or any(s.name in SERIOUS_SITUATIONS for s in signals):
            # praise words in mockery, or "I can't afford to lose that money" (a
            # negated loss reads as positive to VADER): no happiness
            evidence[Emotion.JOY.value] = 0.0
        best = max(evidence, key=lambda k: evidence[k])
        level = self.level(intensity)
        calm = level < int(cfg.get("calm_level", 2))
        weak = explicit[best] < cfg.get("strong_evidence", 0.5) and best not in stated
        if best in NEGATIVE_LABELS and calm and weak:
            best = Emotion.NEUTRAL.value
        said = [label for label in stated if label in NEGATIVE_LABELS]
        if said and best == Emotion.NEUTRAL.value:
            # "... Is possible to send more fast? I am very worry.": a feeling they
            # state as their own is there, however calm the rest of it reads
            best = max(said, key=lambda k: evidence[k])
        if best == Emotion.NEUTRAL.value and not calm:
            # an intense message reads as upset, unless neutral clearly leads (the
            # level then comes from length or problem words, not from a feeling)
            negative = max(NEGATIVE_LABELS, key=lambda k: evidence[k])
            margin = cfg.get("neutral_margin", 0.0)
            if evidence[negative] >= margin * evidence[Emotion.NEUTRAL.value]:
                best = negative
        said_most = max(NEGATIVE_LABELS, key=lambda k: explicit[k])
        if best == Emotion.JOY.value and (
            intensity >= 0.5 or explicit[said_most] > explicit[Emotion.JOY.value]
        ):
            # glad only by the sentence model and polite words, while the words say
            # otherwise ("I expected rather better"): not happy
            best = max(NEGATIVE_LABELS, key=lambda k: evidence[k])
        if best == Emotion.CONFUSION.value and any(
            s.weight >= SHOUTED.get(s.name, 1.0) for s in signals
        ):
            # "WHERE IS MY ORDER???": a question shouted is anger or frustration,
            # not a customer unsure how things work
            best = max(
                (Emotion.ANGER.value, Emotion.FRUSTRATION.value),
                key=lambda k: evidence[k],
            )
        total = sum(evidence.values()) or 1.0
        return Emotion(best), {k: round(v / total, 4) for k, v in evidence.items()}
