"""How often the serious-situation detector speaks up on ordinary customer messages.

A serious situation (bereavement, injury, fraud, hardship, ...) sends a chat to a
person at once, so a false alarm costs an agent's time and the customer a handoff
they did not need. This counts the situations raised on text nobody on the team wrote
and that describes none: the Bitext customer-service requests (orders, refunds,
accounts; CDLA-Sharing 1.0). It also counts, for reading, what it raises on the
frustration-rated support tweets (Zuters & Leonova 2020, MIT), where a few real
situations do occur. Whether real situations are caught is measured by the blind
probes (bench/probes.md), whose conversations are written fresh each time.

    .venv/bin/python -m bench.situations --data ../shared/datasets/bitext/dev.csv \
        --tweets ../shared/datasets/frustration/dev.txt

The last line is a JSON object. The detector alone is measured (no sentence model).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

from actions.emotion.resources import load_yaml
from actions.emotion.situations import SituationDetector

_RATINGS = re.compile(r"\{[^}]*\}\s*$")


def bitext_texts(path: Path) -> list[str]:
    """The customer requests of the Bitext CSV."""
    with path.open(encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def tweet_texts(path: Path) -> list[str]:
    """The customer turns of the frustration set (ratings stripped)."""
    with path.open(encoding="utf-8") as handle:
        return [
            _RATINGS.sub("", line[5:]).strip()
            for line in handle
            if line.startswith("USER:")
        ]


def raised(detector: SituationDetector, texts: list[str]) -> tuple[int, Counter[str]]:
    """How many texts raise any situation, and a count per kind."""
    kinds: Counter[str] = Counter()
    hits = 0
    for text in texts:
        found = detector.detect(text.lower())
        hits += bool(found)
        kinds.update(c.kind for c in found)
    return hits, kinds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="bitext dev.csv")
    parser.add_argument("--tweets", type=Path, help="frustration dev.txt (optional)")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"error: {args.data} not found", file=sys.stderr)
        return 2
    detector = SituationDetector(load_yaml("situations.yml"))
    texts = bitext_texts(args.data)
    started = time.perf_counter()
    hits, kinds = raised(detector, texts)
    elapsed = time.perf_counter() - started
    serious_kinds = {
        k
        for k, spec in load_yaml("situations.yml")["situations"].items()
        if spec.get("serious")
    }
    serious = sum(n for k, n in kinds.items() if k in serious_kinds)
    result: dict[str, object] = {
        "n": len(texts),
        "raised": hits,
        "raised_rate": round(hits / len(texts), 4),
        "serious": serious,
        "serious_rate": round(serious / len(texts), 4),
        "by_kind": dict(kinds.most_common()),
        "us_per_message": round(elapsed / len(texts) * 1e6, 1),
    }
    print(f"bitext requests: {hits} of {len(texts)} raise a situation: {dict(kinds)}")
    if args.tweets:
        tweets = tweet_texts(args.tweets)
        tweet_hits, tweet_kinds = raised(detector, tweets)
        print(f"support tweets: {tweet_hits} of {len(tweets)}: {dict(tweet_kinds)}")
        result["tweets_n"] = len(tweets)
        result["tweets_raised"] = tweet_hits
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
