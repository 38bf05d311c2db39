"""Intent accuracy on a labelled CSV (text,intent,...) never used for training.

Usage:
``python -m bench.intents --data ../shared/datasets/bitext/dev.csv [--rasa-url URL]``
Prints a per-intent report, writes a confusion matrix PNG under bench/results/, and ends
with one JSON line ``{"n", "accuracy", "macro_f1", ...}``.
A message Rasa sends to fallback counts as wrong: the assistant did not answer it.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

import httpx
from sklearn.metrics import classification_report, confusion_matrix, f1_score

from bench.rasa_server import rasa_server

RESULTS = Path(__file__).resolve().parent / "results"


def plot_confusion(
    labels: list[str], truth: list[str], predicted: list[str], path: Path
) -> None:
    """Save a confusion matrix (rows: truth, columns: prediction) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = labels + sorted(set(predicted) - set(labels))
    matrix = confusion_matrix(truth, predicted, labels=columns)[: len(labels)]
    fig, ax = plt.subplots(figsize=(14, 12))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(columns)), columns, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            if matrix[i, j]:
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=6)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--rasa-url", default=None)
    args = parser.parse_args()
    with args.data.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r.get("text") and r.get("intent")]
    truth, predicted = [], []
    started = time.perf_counter()
    with rasa_server(args.rasa_url) as rasa, httpx.Client(timeout=30) as client:
        for row in rows:
            result = rasa.parse(client, row["text"])
            truth.append(row["intent"])
            predicted.append(result["intent"]["name"])
    seconds = time.perf_counter() - started
    labels = sorted(set(truth))
    print(
        classification_report(
            truth, predicted, labels=labels, digits=3, zero_division=0
        )
    )
    png = RESULTS / "intent_confusion.png"
    plot_confusion(labels, truth, predicted, png)
    accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth)
    fallback = sum(p == "nlu_fallback" for p in predicted) / len(truth)
    print(f"confusion matrix: {png}")
    print(
        json.dumps(
            {
                "n": len(truth),
                "accuracy": round(accuracy, 4),
                "macro_f1": round(
                    f1_score(truth, predicted, labels=labels, average="macro"), 4
                ),
                "fallback_rate": round(fallback, 4),
                "parse_ms_mean": round(1000 * seconds / len(truth), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
