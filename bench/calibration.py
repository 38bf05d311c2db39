"""Fitting ``data/emotion/calibration.yml`` on our own labelled data.

What is fitted: one mixing weight per signal group and a bias (non-negative least
squares, shrunk towards the hand-set priors in ``weights.yml``), the four level
thresholds, and the rephrase threshold.

On what: only files we wrote ourselves, in the emotion data folder:
- ``examples.yml``: single messages with a level 0..4. The sentence model's level
  regressor is trained on these same messages, so each one is scored by a semantic
  model fitted without its fold (cross-fitting); otherwise the ``semantic`` group
  would look perfect here and take all the weight.
- ``conversations.yml``: short conversations with a level on every customer turn, for
  the groups that need context (friction, carry-over).
- ``rephrase_pairs.yml``: same/different question pairs, for the rephrase threshold.

No evaluation set is read here: ``../shared/datasets/frustration/dev.txt`` only
measures the result (``python -m bench.frustration --data ...``). Everything is
deterministic (fixed folds, no random draws), so the same data give the same file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np

from actions.emotion import EmotionAnalyzer, Turn
from actions.emotion.goemotions import WEIGHTS_FILE as GOEMOTIONS_WEIGHTS
from actions.emotion.resources import data_dir, load_yaml
from actions.emotion.scoring import Calibration
from actions.emotion.semantic import Encoder

SHRINK = (
    0.02  # pull of the hand-set group priors, relative to the number of rated turns
)
# Threshold fitting also keeps the predicted share of each level close to the training
# labels' shares: without it a level band can collapse (the objective is flat there)
# and the thresholds jump between folds.
SHARE_PENALTY = 0.1
# Folds of examples.yml for the cross-fitted semantic model (example i is in fold
# i % CROSS_FIT_FOLDS; the file is grouped by kind, so every fold gets every kind).
CROSS_FIT_FOLDS = 5
# The only files the fit reads, all in the emotion data folder (our own writing),
# besides the analyzer's own data files.
OWN_DATA = ("examples.yml", "conversations.yml", "rephrase_pairs.yml")
ANALYZER_FILES = (
    "signals",
    "lexicon",
    "weights",
    "prototypes",
    "examples",
    "situations",
)
ROLES = {"customer", "bot", "agent", "fallback"}


@dataclass
class Row:
    conversation: int
    label: int
    components: dict[str, float]


# -- our own rated turns -------------------------------------------------------
class _Remembering:
    """The analyzer's encoder, keeping every vector it makes: the fit builds one
    sentence model per fold from mostly the same phrases."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.dim = encoder.dim
        self._vectors: dict[str, np.ndarray] = {}

    def embed(
        self, texts: Sequence[str], batch_size: int = 32, cache: bool = True
    ) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            made = self.encoder.embed(missing, batch_size=batch_size, cache=False)
            self._vectors.update(zip(missing, made, strict=True))
        return np.stack([self._vectors[t] for t in texts]).astype(np.float32)


def _analyzer(
    encoder: Encoder | None,
    folder: Path,
    examples: list[Any],
    rephrase_threshold: float,
) -> EmotionAnalyzer:
    """An analyzer on the data files in ``folder`` whose sentence model learns from
    ``examples`` only; no calibration.yml (the message's group values do not depend
    on it, only the rephrase detector does, which gets ``rephrase_threshold``)."""
    files = {
        n: load_yaml(f"{n}.yml", folder, required=n != "situations")
        for n in ANALYZER_FILES
    }
    files["examples"] = {"examples": examples}
    files["calibration"] = {"rephrase_threshold": rephrase_threshold}
    return EmotionAnalyzer(files, encoder, goemotions_path=folder / GOEMOTIONS_WEIGHTS)


def example_rows(
    encoder: Encoder | None, folder: Path, rephrase_threshold: float
) -> list[Row]:
    """examples.yml, each message alone, scored by a model that did not train on it."""
    examples = list(load_yaml("examples.yml", folder).get("examples") or [])
    rows: list[Row | None] = [None] * len(examples)
    for fold in range(CROSS_FIT_FOLDS):
        kept = [e for i, e in enumerate(examples) if i % CROSS_FIT_FOLDS != fold]
        held_out = _analyzer(encoder, folder, kept, rephrase_threshold)
        for i, (level, _label, text) in enumerate(examples):
            if i % CROSS_FIT_FOLDS == fold:
                analysis = held_out.analyze(str(text))
                rows[i] = Row(i, int(level), dict(analysis.components))
    return [r for r in rows if r is not None]


def read_conversations(folder: Path) -> list[list[tuple[str, str, int | None]]]:
    """conversations.yml as lists of (role, text, level or None)."""
    out: list[list[tuple[str, str, int | None]]] = []
    raw = load_yaml("conversations.yml", folder).get("conversations") or []
    for n, conversation in enumerate(raw):
        turns: list[tuple[str, str, int | None]] = []
        for turn in conversation:
            role = str(turn[0])
            if role not in ROLES:
                raise ValueError(f"conversation {n}: unknown role {role!r}")
            if role == "customer":
                level = int(turn[1])
                if not 0 <= level <= 4:
                    raise ValueError(f"conversation {n}: level {level} not in 0..4")
                turns.append((role, str(turn[2]), level))
            else:
                turns.append((role, str(turn[1]), None))
        out.append(turns)
    return out


def conversation_rows(
    analyzer: EmotionAnalyzer, folder: Path, first_id: int = 0
) -> list[Row]:
    """Every rated customer turn of conversations.yml, scored in its context."""
    rows: list[Row] = []
    for c, conversation in enumerate(read_conversations(folder)):
        history: list[Turn] = []
        for role, text, level in conversation:
            if role != "customer":
                author = "agent" if role == "agent" else "bot"
                history.append(Turn(author, text, fallback=role == "fallback"))
                continue
            analysis = analyzer.analyze(text, history)
            if level is not None:
                rows.append(Row(first_id + c, level, dict(analysis.components)))
            history.append(Turn("customer", text, analysis=analysis))
    return rows


def own_rows(
    encoder: Encoder | None, folder: Path, rephrase_threshold: float
) -> list[Row]:
    """All our rated turns: examples.yml (one group each), then conversations.yml
    (scored with the sentence model trained on all of examples.yml, as in use)."""
    rows = example_rows(encoder, folder, rephrase_threshold)
    examples = list(load_yaml("examples.yml", folder).get("examples") or [])
    analyzer = _analyzer(encoder, folder, examples, rephrase_threshold)
    return rows + conversation_rows(analyzer, folder, first_id=len(rows))


# -- calibration ---------------------------------------------------------------
def design(rows: list[Row], groups: list[str], signs: dict[str, float]) -> np.ndarray:
    return np.asarray(
        [[signs.get(g, 1.0) * r.components.get(g, 0.0) for g in groups] for r in rows]
    )


def levels_of(intensity: np.ndarray, thresholds: list[float]) -> np.ndarray:
    return (intensity[:, None] >= np.asarray(thresholds)[None, :]).sum(axis=1)


def metrics(y: np.ndarray, intensity: np.ndarray, level: np.ndarray) -> dict[str, Any]:
    from scipy.stats import pearsonr, spearmanr

    high_true, high_pred = y >= 3, level >= 3
    tp = int((high_true & high_pred).sum())
    precision = tp / max(int(high_pred.sum()), 1)
    recall = tp / max(int(high_true.sum()), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "n": int(len(y)),
        "spearman": round(float(spearmanr(intensity, y).statistic), 4),
        "pearson": round(float(pearsonr(intensity, y).statistic), 4),
        "exact_acc": round(float((level == y).mean()), 4),
        "within1_acc": round(float((np.abs(level - y) <= 1).mean()), 4),
        "high_precision": round(precision, 4),
        "high_recall": round(recall, 4),
        "high_f1": round(f1, 4),
    }


def metrics_fast(y: np.ndarray, level: np.ndarray) -> tuple[float, float, float]:
    high_true, high_pred = y >= 3, level >= 3
    tp = float((high_true & high_pred).sum())
    f1 = 2 * tp / max(float(high_true.sum() + high_pred.sum()), 1.0)
    return float((level == y).mean()), float((np.abs(level - y) <= 1).mean()), f1


def _objective(y: np.ndarray, level: np.ndarray) -> float:
    m = metrics_fast(y, level)
    counts = np.bincount(level, minlength=5)[:5] - np.bincount(y, minlength=5)[:5]
    share_gap = float(np.abs(counts).sum()) / max(len(y), 1)
    return m[0] + 0.5 * m[1] + 0.5 * m[2] - SHARE_PENALTY * share_gap


def fit_thresholds(intensity: np.ndarray, y: np.ndarray) -> list[float]:
    """Quantile-matched start, then coordinate ascent on exact + (within1 + F1) / 2
    minus ``SHARE_PENALTY`` times the gap between predicted and true level shares.

    Each step moves a threshold to the middle of the best-scoring candidates, not the
    first: the objective is flat between neighbouring turns, and the middle keeps the
    choice from jumping with tiny changes of the intensities.
    """
    shares = np.cumsum([float((y == k).mean()) for k in range(4)])
    thresholds = [float(np.quantile(intensity, min(max(s, 0.0), 1.0))) for s in shares]
    candidates = np.unique(np.quantile(intensity, np.linspace(0.0, 1.0, 201)))
    for _ in range(8):
        moved = False
        for k in range(4):
            lo = thresholds[k - 1] if k else -np.inf
            hi = thresholds[k + 1] if k < 3 else np.inf
            options = [float(c) for c in candidates if lo <= c <= hi]
            if not options:
                continue
            scores = [
                _objective(
                    y, levels_of(intensity, thresholds[:k] + [c] + thresholds[k + 1 :])
                )
                for c in options
            ]
            top = max(scores)
            best = [c for c, v in zip(options, scores, strict=True) if v >= top - 1e-9]
            choice = best[(len(best) - 1) // 2]
            if choice != thresholds[k]:
                thresholds[k], moved = choice, True
        if not moved:
            break
    return thresholds


def fit(
    X: np.ndarray,
    y: np.ndarray,
    groups: list[str],
    prior: dict[str, float] | None = None,
    strength: float = SHRINK,
) -> Calibration:
    """Non-negative least squares for the mixing weights, shrunk towards the priors.

    Groups the data say little about (rare threats, say) stay near their hand-set
    prior instead of dropping to zero; then the four level thresholds are fitted on
    the training predictions.
    """
    from scipy.optimize import lsq_linear

    prior = prior or {}
    w0 = np.asarray([prior.get(g, 0.0) for g in groups])
    n, k = X.shape
    lam = np.sqrt(strength * n)
    A = np.vstack(
        [
            np.hstack([X, np.ones((n, 1))]),
            np.hstack([lam * np.eye(k), np.zeros((k, 1))]),
        ]
    )
    b = np.concatenate([y / 4.0, lam * w0])
    lower = np.concatenate([np.zeros(k), [-1.0]])
    upper = np.concatenate([np.full(k, np.inf), [1.0]])
    solution = lsq_linear(A, b, bounds=(lower, upper)).x
    weights, bias = solution[:k], float(solution[k])
    intensity = np.clip(bias + X @ weights, 0.0, 1.0)
    return Calibration(
        bias=bias,
        mix={g: float(w) for g, w in zip(groups, weights, strict=True)},
        thresholds=fit_thresholds(intensity, y),
    )


def apply(
    X: np.ndarray, cal: Calibration, groups: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    weights = np.asarray([cal.mix.get(g, 0.0) for g in groups])
    intensity = np.clip(cal.bias + X @ weights, 0.0, 1.0)
    return intensity, levels_of(intensity, cal.thresholds)


def cross_validate(
    X: np.ndarray,
    y: np.ndarray,
    conv: np.ndarray,
    groups: list[str],
    folds: int,
    prior: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Fit on all but one fold of conversations, score that fold; all folds."""
    from sklearn.model_selection import GroupKFold

    intensity, level = np.zeros(len(y)), np.zeros(len(y), dtype=int)
    for train, test in GroupKFold(n_splits=folds).split(X, y, conv):
        cal = fit(X[train], y[train], groups, prior)
        intensity[test], level[test] = apply(X[test], cal, groups)
    return metrics(y, intensity, level)


def fit_rephrase(
    analyzer: EmotionAnalyzer,
    folder: Path | None = None,
    min_precision: float = 0.85,
) -> float:
    """Lowest cosine threshold giving >= min_precision on our same/different pairs."""
    pairs = load_yaml("rephrase_pairs.yml", folder)
    sims: list[tuple[float, bool]] = []
    for key, same in (("same", True), ("different", False)):
        for a, b in pairs.get(key, []):
            va, vb = analyzer.embed([a, b])
            sims.append((float(va @ vb), same))
    for threshold in sorted({s for s, _ in sims}):
        chosen = [same for s, same in sims if s >= threshold]
        if chosen and sum(chosen) / len(chosen) >= min_precision:
            return round(threshold, 3)
    return 0.9


@dataclass
class OwnFit:
    """The calibration fitted on our data, with what it was fitted on."""

    calibration: Calibration
    rows: list[Row]
    examples: int
    conversations: int
    conversation_turns: int

    def header(self) -> str:
        return (
            "# Fitted by `python -m bench.frustration --fit` on our own labelled data"
            " only:\n"
            f"# data/emotion/examples.yml ({self.examples} messages, semantic group"
            f" cross-fitted in {CROSS_FIT_FOLDS} folds),\n"
            f"# data/emotion/conversations.yml ({self.conversation_turns} customer"
            f" turns in {self.conversations} conversations)\n"
            "# and data/emotion/rephrase_pairs.yml (rephrase_threshold). No evaluation"
            " set is read;\n"
            "# frustration/dev.txt only measures the result. Do not edit by hand.\n"
        )


def fit_own(analyzer: EmotionAnalyzer, folder: Path | None = None) -> OwnFit:
    """Fit calibration.yml's numbers on our own files in ``folder`` (default: the
    emotion data folder), nothing else; ``analyzer`` lends its sentence model and
    signal groups (its own calibration is not used)."""
    folder = data_dir(folder)
    rephrase = fit_rephrase(analyzer, folder)
    encoder = analyzer.encoder
    if encoder is not None:
        encoder = cast(Encoder, _Remembering(encoder))
    rows = own_rows(encoder, folder, rephrase)
    groups = list(analyzer.scorer.groups)
    spec = analyzer.scorer.groups
    signs = {g: float(spec[g].get("sign", 1.0)) for g in groups}
    prior = {g: float(spec[g].get("prior", 0.3)) for g in groups}
    X = design(rows, groups, signs)
    y = np.asarray([r.label for r in rows])
    cal = fit(X, y, groups, prior)
    cal.rephrase_threshold = rephrase
    examples = len(load_yaml("examples.yml", folder).get("examples") or [])
    conversations = read_conversations(folder)
    return OwnFit(
        calibration=cal,
        rows=rows,
        examples=examples,
        conversations=len(conversations),
        conversation_turns=len(rows) - examples,
    )
