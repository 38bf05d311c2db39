"""How often the assistant declines questions outside a shop's customer service.

Usage:
``python -m bench.oos --data ../shared/datasets/clinc_oos/dev.json [--rasa-url URL]``
A question counts as declined when NLU gives ``nlu_fallback`` or ``out_of_scope``: both
lead to the honest "I can't help with that" answer instead of a confident wrong one.
This asks NLU only (Rasa's ``/model/parse``), not the action server. A declined
message is first looked up in the shop's FAQ (``actions/faq.py``), so the FAQ is run
here in-process as well: ``faq_false_answer_rate`` is the share of all questions the FAQ
would answer, ``declined_with_faq`` the share NLU declines and the FAQ leaves alone
(what the customer finally gets).
Last line: ``{"n", "declined_rate", "faq_false_answer_rate", "declined_with_faq"}``.
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

import httpx

from actions.faq import match as faq_match
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
    faq_answered = [text for text in texts if faq_match(text)]
    declined_after_faq = 0
    with rasa_server(args.rasa_url) as rasa, httpx.Client(timeout=30) as client:
        for text in texts:
            intent = rasa.parse(client, text)["intent"]["name"]
            if intent in DECLINED:
                declined += 1
                declined_after_faq += text not in faq_answered
            else:
                answered_as[intent] += 1
    print("answered as a known intent instead:", dict(answered_as.most_common(10)))
    print("answered from the FAQ:", faq_answered[:10])
    n = len(texts)
    print(
        json.dumps(
            {
                "n": n,
                "declined_rate": round(declined / n, 4),
                "faq_false_answer_rate": round(len(faq_answered) / n, 4),
                "declined_with_faq": round(declined_after_faq / n, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
