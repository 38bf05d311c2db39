"""How often an English message is taken for another language (it would then get the
other language's answers, or a person who speaks it).

Usage: ``python -m bench.languages --data ../shared/datasets/bitext/dev.csv``
Every request of the file (customer-service English, measuring only) goes through
``actions.language_detection.detect``; each one detected as another language is
counted and printed. Last line: ``{"n", "taken_for_another", "rate", "by_language"}``.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
from pathlib import Path

from actions.language_detection import detect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    args = parser.parse_args()
    with args.data.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    found: collections.Counter[str] = collections.Counter()
    for text in texts:
        if (code := detect(text)) is not None:
            found[code] += 1
            print(f"{code}: {text}")
    taken = sum(found.values())
    print(
        json.dumps(
            {
                "n": len(texts),
                "taken_for_another": taken,
                "rate": round(taken / len(texts), 4) if texts else 0.0,
                "by_language": dict(found),
            }
        )
    )


if __name__ == "__main__":
    main()
