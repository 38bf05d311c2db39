"""Choose the GoEmotions blend weight (``semantic.goemotions`` in ``weights.yml``) on
train only.

GoEmotions (Demszky et al., ACL 2020; Apache-2.0), ``train.tsv``: the usable comments
(same mapping and rows as ``fit_goemotions.py``) are split 5-fold, stratified, with the
training script's seed; the classifier is refitted (with the C and class weighting in
``goemotions.npz``) on four folds, and the full analyzer labels a sample of the fifth
for each blend weight. Printed per weight: macro-F1 over our 7 labels, and how often the
label rules in ``Scorer.label`` overrode the highest evidence (negative -> neutral when
calm and weakly evidenced, neutral -> negative when not calm, joy -> negative when
intense). ``dev.tsv`` is not read.

Run from the repo root (after ``fit_goemotions.py``, whose vector cache it reuses)::

    .venv/bin/python scripts/goemotions_blend.py [--sample 2000]
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fit_goemotions import (  # noqa: E402
    FOLDS,
    ROOT,
    SEED,
    embed_cached,
    fit_one,
    standardise,
    training_rows,
)

from actions.emotion import EmotionAnalyzer  # noqa: E402
from actions.emotion.goemotions import (  # noqa: E402
    MAPPING_FILE,
    WEIGHTS_FILE,
    GoEmotionsClassifier,
    LabelMapping,
)
from actions.emotion.resources import data_dir, default_model_path  # noqa: E402
from actions.emotion.scoring import NEGATIVE_LABELS  # noqa: E402

log = logging.getLogger("goemotions_blend")
BLENDS = (0.0, 0.25, 0.5, 0.75, 1.0)


def macro_f1(truth: list[str], predicted: list[str], labels: list[str]) -> float:
    """Macro-F1 over ``labels``."""
    from sklearn.metrics import f1_score

    return float(f1_score(truth, predicted, labels=labels, average="macro"))


def override(best: str, label: str) -> str:
    """Which label rule changed the highest-evidence label (or "" for none)."""
    if best == label:
        return ""
    if best in NEGATIVE_LABELS and label == "neutral":
        return "calm+weak->neutral"
    if best == "neutral":
        return "not calm->negative"
    if best == "joy":
        return "intense joy->negative"
    return f"{best}->{label}"


def main() -> None:
    """Print macro-F1 per blend weight on held-out train comments."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared" / "datasets" / "goemotions"
    )
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument(
        "--cache", type=Path, default=ROOT / "var" / "exp" / "goemotions"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    from sklearn.model_selection import StratifiedKFold

    fitted = GoEmotionsClassifier.load(data_dir() / WEIGHTS_FILE)
    if fitted is None:
        sys.exit("run scripts/fit_goemotions.py first")
    c, weighting = float(fitted.settings["C"]), str(fitted.settings["class_weight"])
    config = yaml.safe_load((data_dir() / MAPPING_FILE).read_text(encoding="utf-8"))
    mapping = LabelMapping.from_config(config)
    analyzer = EmotionAnalyzer.load(use_model=False)
    texts, labels, _, raw = training_rows(args.data, mapping, analyzer)
    X = embed_cached(texts, args.cache, default_model_path())
    y = np.asarray(labels)
    train, held_out = next(
        StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(X, y)
    )
    Z, mean, scale = standardise(X[train].astype(np.float64))
    model = fit_one(Z, y[train], c, weighting)
    coef = model.coef_ / scale
    classifier = GoEmotionsClassifier(
        coef, model.intercept_ - coef @ mean, [str(k) for k in model.classes_]
    )
    rng = np.random.default_rng(SEED)
    sample = rng.choice(held_out, size=min(args.sample, len(held_out)), replace=False)
    sample_texts = [raw[i] for i in sample]
    truth = [labels[i] for i in sample]
    analyzer = EmotionAnalyzer.load(cache_size=2 * len(sample) + 16)
    assert analyzer.semantic is not None
    print(f"{len(sample)} held-out train comments; C={c:g}, class_weight={weighting}")
    probs = classifier.predict_proba(analyzer.embed([texts[i] for i in sample]))
    alone = [classifier.classes[i] for i in probs.argmax(axis=1)]
    print(f"classifier alone: macro-F1 {macro_f1(truth, alone, mapping.labels):.4f}")
    for blend in BLENDS:
        analyzer.semantic.use_goemotions(classifier, blend)
        analyses = analyzer.analyze_batch(sample_texts)
        predicted = [a.label.value for a in analyses]
        rules = Counter(
            override(max(a.scores, key=lambda k: a.scores[k]), a.label.value)
            for a in analyses
        )
        rules.pop("", None)
        print(
            f"blend {blend:.2f}: analyzer macro-F1 "
            f"{macro_f1(truth, predicted, mapping.labels):.4f}; overrides {dict(rules)}"
        )


if __name__ == "__main__":
    main()
