"""Fit the GoEmotions emotion classifier and write ``data/emotion/goemotions.npz``.

Data: GoEmotions (Demszky et al., "GoEmotions: A Dataset of Fine-Grained Emotions",
ACL 2020, Google Research; Apache License 2.0), ``train.tsv`` only, read from
``../shared/datasets/goemotions/``. ``dev.tsv`` is never read here (it is for
``bench/emotions.py``).

Steps:
1. Each comment's GoEmotions labels go through ``data/emotion/goemotions.yml``: excluded
   labels are dropped, and the comment is kept only when the rest maps to exactly one
   of our 7 labels (multi-label comments whose labels fall in one of our groups, such
   as anger + disgust, are kept; mixed ones, such as gratitude + sadness, are dropped).
2. The kept comments are put through the analyzer's own text preparation (the text the
   sentence model sees at run time) and embedded with the project's ``Encoder``
   (all-MiniLM-L6-v2); the vectors are cached under ``var/exp/goemotions/`` (keyed by
   model and texts) so a re-run skips this step.
3. The vectors are standardised per dimension (folded into the weights afterwards);
   the regularisation C and the class weighting are chosen by 5-fold stratified
   cross-validation on train (macro-F1 over our 7 labels); a multinomial logistic
   regression is fitted on all kept comments with the best pair.
4. Per-label logit offsets that maximise macro-F1 on the out-of-fold predictions of
   step 3 are added to the intercepts (a likelihood fit favours the frequent labels;
   macro-F1 weighs all seven alike).
5. The float32 weights, class names, model name and these settings are written to
   ``data/emotion/goemotions.npz`` (about 10 KB), which is committed: the product needs
   no dataset at run time.

Run from the repo root: ``.venv/bin/python scripts/fit_goemotions.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.emotion import EmotionAnalyzer  # noqa: E402
from actions.emotion.goemotions import (  # noqa: E402
    MAPPING_FILE,
    WEIGHTS_FILE,
    GoEmotionsClassifier,
    LabelMapping,
    read_rows,
)
from actions.emotion.resources import data_dir, default_model_path  # noqa: E402
from actions.emotion.semantic import Encoder  # noqa: E402
from actions.emotion.text import prepare  # noqa: E402

log = logging.getLogger("fit_goemotions")

MODEL_NAME = "all-MiniLM-L6-v2"
# C of the regression on standardised vectors (each dimension scaled to unit variance;
# the scaling is folded into the written weights).
C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3)
CLASS_WEIGHTS = ("none", "balanced")
FOLDS = 5
SEED = 13
# logit offsets per label, searched on out-of-fold train predictions
OFFSET_GRID = tuple(round(v, 2) for v in np.linspace(-1.5, 1.5, 31))
OFFSET_ROUNDS = 3


def training_rows(
    data: Path, mapping: LabelMapping, analyzer: EmotionAnalyzer
) -> tuple[list[str], list[str], Counter[str], list[str]]:
    """Model texts and our labels of the usable train comments, why rows dropped, and
    the comments as written."""
    names = (data / "labels.txt").read_text(encoding="utf-8").split()
    raw: list[str] = []
    texts: list[str] = []
    labels: list[str] = []
    dropped: Counter[str] = Counter()
    for text, goemotions in read_rows(data / "train.tsv", names):
        label = mapping.map(goemotions)
        if label is None:
            kept = [n for n in goemotions if n not in mapping.excluded]
            dropped["mixed" if kept else "excluded only"] += 1
            continue
        prep = prepare(text, analyzer.input_cfg)
        if not prep.readable:
            dropped["unreadable"] += 1
            continue
        raw.append(text)
        texts.append(analyzer.message.model_text(prep))
        labels.append(label)
    return texts, labels, dropped, raw


def embed_cached(texts: list[str], cache_dir: Path, model_path: Path) -> np.ndarray:
    """Sentence vectors of ``texts``, from ``cache_dir`` when embedded before."""
    digest = hashlib.sha1(MODEL_NAME.encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    path = cache_dir / f"train-{digest.hexdigest()[:16]}.npy"
    if path.exists():
        log.info("vectors from %s", path)
        return np.load(path)
    encoder = Encoder(model_path, threads=None, cache_size=0)
    start = time.perf_counter()
    vectors = encoder.embed(texts, batch_size=64, cache=False)
    log.info("embedded %d texts in %.0f s", len(texts), time.perf_counter() - start)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def standardise(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectors scaled to zero mean, unit variance per dimension; the mean and scale.

    lbfgs converges in tens of iterations on these instead of thousands on the raw
    unit vectors (some of whose dimensions are almost constant: scale 1 for those).
    """
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale = np.where(scale < 1e-6, 1.0, scale)
    return (X - mean) / scale, mean, scale


def fit_one(
    Z: np.ndarray, y: np.ndarray, c: float, weighting: str
) -> LogisticRegression:
    """One multinomial logistic regression on standardised vectors."""
    return LogisticRegression(
        C=c, class_weight=None if weighting == "none" else weighting, max_iter=3000
    ).fit(Z, y)


def _fold(
    Z: np.ndarray,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    c: float,
    weighting: str,
) -> tuple[np.ndarray, np.ndarray]:
    return test, fit_one(Z[train], y[train], c, weighting).predict(Z[test])


def choose(
    Z: np.ndarray, y: np.ndarray, classes: list[str]
) -> tuple[float, str, dict[str, float]]:
    """Best (C, class weighting) by stratified k-fold macro-F1, and every score."""
    from joblib import Parallel, delayed
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(Z, y))
    scores: dict[str, float] = {}
    best: tuple[float, float, str] = (-1.0, 0.0, "")
    for weighting in CLASS_WEIGHTS:
        for c in C_GRID:
            parts = Parallel(n_jobs=min(FOLDS, os.cpu_count() or 1))(
                delayed(_fold)(Z, y, train, test, c, weighting) for train, test in folds
            )
            predicted = np.empty(len(y), dtype=y.dtype)
            for test, labels in parts:
                predicted[test] = labels
            score = float(f1_score(y, predicted, labels=classes, average="macro"))
            scores[f"C={c:g},class_weight={weighting}"] = round(score, 4)
            log.info("C=%g class_weight=%s: CV macro-F1 %.4f", c, weighting, score)
            if score > best[0]:
                best = (score, c, weighting)
    return best[1], best[2], scores


def out_of_fold_log_proba(
    Z: np.ndarray, y: np.ndarray, classes: list[str], c: float, weighting: str
) -> np.ndarray:
    """Log-probabilities of every training row from the fold that did not see it."""
    from joblib import Parallel, delayed
    from sklearn.model_selection import StratifiedKFold

    folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(Z, y))

    def one(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        model = fit_one(Z[train], y[train], c, weighting)
        assert [str(k) for k in model.classes_] == classes
        return test, model.predict_log_proba(Z[test])

    out = np.zeros((len(y), len(classes)))
    for test, log_proba in Parallel(n_jobs=min(FOLDS, os.cpu_count() or 1))(
        delayed(one)(train, test) for train, test in folds
    ):
        out[test] = log_proba
    return out


def decision_offsets(
    log_proba: np.ndarray, y: np.ndarray, classes: list[str]
) -> tuple[np.ndarray, float, float]:
    """Per-label offsets added to the logits that maximise macro-F1 on out-of-fold
    predictions (coordinate ascent on a grid): a probability model fitted for
    likelihood favours the big labels; macro-F1 weighs every label alike. Returns
    the offsets, the macro-F1 before and after."""
    from sklearn.metrics import f1_score

    target = np.asarray([classes.index(str(label)) for label in y])

    def score(offsets: np.ndarray) -> float:
        predicted = (log_proba + offsets).argmax(axis=1)
        return float(f1_score(target, predicted, average="macro"))

    offsets = np.zeros(len(classes))
    before = best = score(offsets)
    for _ in range(OFFSET_ROUNDS):
        for k in range(len(classes)):
            for value in OFFSET_GRID:
                trial = offsets.copy()
                trial[k] = value
                trial_score = score(trial)
                if trial_score > best:
                    best, offsets = trial_score, trial
    return offsets, before, best


def main() -> None:
    """Fit and write the classifier."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT.parent / "shared" / "datasets" / "goemotions",
        help="folder with train.tsv and labels.txt",
    )
    parser.add_argument("--out", type=Path, default=data_dir() / WEIGHTS_FILE)
    parser.add_argument(
        "--cache", type=Path, default=ROOT / "var" / "exp" / "goemotions"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    mapping_path = data_dir() / MAPPING_FILE
    config = yaml.safe_load(mapping_path.read_text(encoding="utf-8"))
    mapping = LabelMapping.from_config(config)
    analyzer = EmotionAnalyzer.load(use_model=False)
    texts, labels, dropped, _ = training_rows(args.data, mapping, analyzer)
    counts = Counter(labels)
    log.info("%d training rows %s; dropped %s", len(texts), dict(counts), dict(dropped))
    X = embed_cached(texts, args.cache, default_model_path())
    y = np.asarray(labels)
    classes = mapping.labels
    Z, mean, scale = standardise(X.astype(np.float64))
    c, weighting, scores = choose(Z, y, classes)
    log.info("chosen: C=%g, class_weight=%s", c, weighting)
    log_proba = out_of_fold_log_proba(Z, y, classes, c, weighting)
    offsets, before, after = decision_offsets(log_proba, y, classes)
    log.info(
        "decision offsets %s: CV macro-F1 %.4f -> %.4f",
        dict(zip(classes, offsets.round(2), strict=True)),
        before,
        after,
    )
    model = fit_one(Z, y, c, weighting)
    assert [str(k) for k in model.classes_] == classes
    # fold the standardisation into the weights: w.(x - m)/s = (w/s).x - (w/s).m;
    # the offsets shift the logits, so they join the intercept
    coef = model.coef_ / scale
    intercept = model.intercept_ - coef @ mean + offsets
    settings = {
        "source": "GoEmotions train.tsv (Demszky et al., ACL 2020; Apache-2.0)",
        "script": "scripts/fit_goemotions.py",
        "mapping_sha1": hashlib.sha1(mapping_path.read_bytes()).hexdigest(),
        "rows": len(texts),
        "rows_per_label": dict(sorted(counts.items())),
        "dropped": dict(dropped),
        "C": c,
        "standardised": True,
        "class_weight": weighting,
        "cv_folds": FOLDS,
        "cv_seed": SEED,
        "cv_macro_f1": scores,
        "decision_offsets": {
            k: round(float(v), 2) for k, v in zip(classes, offsets, strict=True)
        },
        "cv_macro_f1_offsets": [round(before, 4), round(after, 4)],
    }
    GoEmotionsClassifier(coef, intercept, classes, MODEL_NAME, settings).save(args.out)
    log.info("wrote %s (%d bytes)", args.out, args.out.stat().st_size)


if __name__ == "__main__":
    main()
