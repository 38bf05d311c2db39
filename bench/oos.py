"""How often the assistant declines questions outside a shop's customer service.

Usage:
``python -m bench.oos --data ../shared/datasets/clinc_oos/dev.json [--rasa-url URL]``
A question counts as declined when NLU gives ``nlu_fallback`` or ``out_of_scope``: both
lead to the honest "I can't help with that" answer instead of a confident wrong one.
Last line: ``{"n", "declined_rate"}``.
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

import httpx

from bench.rasa_server import rasa_server

DECLINED = {"nlu_fallback", "out_of_scope"}


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--rasa-url", default=None)
    args = parser.parse_args()
    texts = [
        t for t in json.loads(args.data.read_text(encoding="utf-8"))["oos"] if t.strip()
    ]
    answered_as: collections.Counter[str] = collections.Counter()
    declined = 0
    with rasa_server(args.rasa_url) as rasa, httpx.Client(timeout=30) as client:
        for text in texts:
            intent = rasa.parse(client, text)["intent"]["name"]
            if intent in DECLINED:
                declined += 1
            else:
                answered_as[intent] += 1
    print("answered as a known intent instead:", dict(answered_as.most_common(10)))
    print(
        json.dumps({"n": len(texts), "declined_rate": round(declined / len(texts), 4)})
    )


if __name__ == "__main__":
    main()
