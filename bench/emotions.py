"""Emotion labels on GoEmotions dev: the analyzer's label and the GoEmotions classifier.

Usage::

    .venv/bin/python -m bench.emotions --data ../shared/datasets/goemotions/dev.tsv

Data: GoEmotions (Demszky et al., ACL 2020; Apache-2.0), ``dev.tsv`` with
``labels.txt`` next to it. Each comment's labels go through
``data/emotion/goemotions.yml`` (the same rule as the training script): comments whose
labels map to exactly one of our 7 labels are scored, the rest left out. Two
predictions per comment: (a) ``EmotionAnalyzer.analyze_batch`` (the full label logic,
no conversation context) and (b) the GoEmotions classifier alone (argmax of
``goemotions.npz`` on the same sentence vectors). Per-label precision, recall and F1 and
macro-F1 over the 7 labels are printed; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from actions.emotion import Emotion, EmotionAnalyzer  # noqa: E402
from actions.emotion.goemotions import MAPPING_FILE, LabelMapping, read_rows  # noqa: E402
from actions.emotion.resources import data_dir  # noqa: E402
from actions.emotion.text import prepare  # noqa: E402

LABELS = [e.value for e in Emotion]


def scores(truth: list[str], predicted: list[str]) -> dict[str, Any]:
    """Per-label precision/recall/F1/support, macro-F1 and accuracy over ``LABELS``."""
    per_label: dict[str, dict[str, float]] = {}
    for label in LABELS:
        tp = sum(
            t == label and p == label for t, p in zip(truth, predicted, strict=True)
        )
        n_pred = sum(p == label for p in predicted)
        n_true = sum(t == label for t in truth)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        f1 = (
            2 * precision * recall / (precision + recall) if precision + recall else 0.0
        )
        per_label[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": n_true,
        }
    macro = float(np.mean([m["f1"] for m in per_label.values()]))
    accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / max(
        len(truth), 1
    )
    return {
        "macro_f1": round(macro, 4),
        "accuracy": round(accuracy, 4),
        "per_label": per_label,
    }


def _table(name: str, result: dict[str, Any]) -> str:
    lines = [
        f"{name}: macro-F1 {result['macro_f1']:.4f}, accuracy {result['accuracy']:.4f}",
        f"  {'label':12}{'P':>8}{'R':>8}{'F1':>8}{'n':>7}",
    ]
    for label, m in result["per_label"].items():
        lines.append(
            f"  {label:12}{m['precision']:8.3f}{m['recall']:8.3f}{m['f1']:8.3f}"
            f"{m['support']:7d}"
        )
    return "\n".join(lines)


def _confusion(truth: list[str], predicted: list[str]) -> str:
    counts = Counter(zip(truth, predicted, strict=True))
    corner = "true \\ pred"
    head = f"  {corner:12}" + "".join(f"{label[:6]:>8}" for label in LABELS)
    rows = [
        f"  {t:12}" + "".join(f"{counts[(t, p)]:8d}" for p in LABELS) for t in LABELS
    ]
    return "\n".join([head, *rows])


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, type=Path, help="GoEmotions dev.tsv")
    parser.add_argument(
        "--labels", type=Path, help="labels.txt (default: next to data)"
    )
    args = parser.parse_args(argv)
    names = (
        (args.labels or args.data.parent / "labels.txt")
        .read_text(encoding="utf-8")
        .split()
    )
    mapping = LabelMapping.from_config(
        yaml.safe_load((data_dir() / MAPPING_FILE).read_text(encoding="utf-8"))
    )
    rows = [
        (text, label)
        for text, goemotions in read_rows(args.data, names)
        if (label := mapping.map(goemotions)) is not None
    ]
    texts = [t for t, _ in rows]
    truth = [label for _, label in rows]
    analyzer = EmotionAnalyzer.load(cache_size=2 * len(texts) + 16)
    start = time.perf_counter()
    analyses = analyzer.analyze_batch(texts)
    elapsed = time.perf_counter() - start
    ours = scores(truth, [a.label.value for a in analyses])
    print(
        f"{len(rows)} of {sum(1 for _ in read_rows(args.data, names))} dev comments "
        f"map to one of our labels; analysed in {elapsed:.1f}s"
    )
    print(_table("analyzer label", ours))
    print(_confusion(truth, [a.label.value for a in analyses]))
    classifier = analyzer.semantic.goemotions if analyzer.semantic else None
    raw: dict[str, Any] | None = None
    if classifier is not None and analyzer.encoder is not None:
        model_texts = []
        for text in texts:
            prep = prepare(text, analyzer.input_cfg)
            model_texts.append(
                analyzer.message.model_text(prep) if prep.readable else ""
            )
        probs = classifier.predict_proba(analyzer.encoder.embed(model_texts))
        predicted = [classifier.classes[i] for i in probs.argmax(axis=1)]
        raw = scores(truth, predicted)
        print(_table("GoEmotions classifier alone", raw))
    else:
        print("no GoEmotions classifier (data/emotion/goemotions.npz) loaded")
    print(
        json.dumps(
            {
                "n": len(rows),
                "macro_f1": ours["macro_f1"],
                "accuracy": ours["accuracy"],
                "f1": {k: v["f1"] for k, v in ours["per_label"].items()},
                "classifier_macro_f1": raw["macro_f1"] if raw else None,
                "classifier_accuracy": raw["accuracy"] if raw else None,
            }
        )
    )


if __name__ == "__main__":
    main()
