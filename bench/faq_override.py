"""How often the FAQ overrides an intent NLU named (``faq.beats_intent``).

Usage: ``python -m bench.faq_override --data ../shared/datasets/bitext/dev.csv``

- On labelled customer-service requests (every one has an NLU intent), the share the
  FAQ would take over from that intent: each is a request answered from the FAQ
  although NLU had it right (the labelled intent stands in for NLU's, which is right
  97% of the time).
- On the FAQ's own example questions, each left out of the FAQ in turn, how many the
  FAQ would still win against the NLU intent nearest to them (the hardest case for
  the FAQ), and how many with the wrong entry.

Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

import numpy as np

from actions.faq import faq_index, intent_examples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    args = parser.parse_args()
    index = faq_index()
    faq = index.faq
    examples = intent_examples()
    margin = faq.beats_intent_by
    if margin is None:
        raise SystemExit("data/faq.yml has no beats_intent_by: nothing to measure")
    with args.data.open(encoding="utf-8") as handle:
        rows = [(r["text"], r["intent"]) for r in csv.DictReader(handle)]
    started = time.perf_counter()
    vectors = index.embed([text for text, _ in rows])
    top, score, second, _ = index.best(vectors)
    overridden = 0
    for i, (text, intent) in enumerate(rows):
        if not faq.accepts(float(score[i]), float(second[i])):
            continue
        if not faq.entries[int(top[i])].says_its_topic(text):
            continue  # (as the bot: an entry's `needs` words not said)
        closeness = examples.closeness(vectors[i], intent)
        if closeness is None or score[i] > closeness + margin:
            overridden += 1
    per_message_us = (time.perf_counter() - started) / max(1, len(rows)) * 1e6
    # the FAQ's questions, each without itself, against the nearest NLU intent
    questions = index.vectors
    own = np.arange(len(questions))
    q_top, q_score, q_second, _ = index.best(questions, exclude=own)
    nearest = (questions @ examples.vectors.T).max(axis=1)
    right = wrong = 0
    for i in range(len(questions)):
        if not faq.accepts(float(q_score[i]), float(q_second[i])):
            continue
        if not faq.entries[int(q_top[i])].says_its_topic(index.questions[i]):
            continue
        if q_score[i] > nearest[i] + margin:
            if int(q_top[i]) == int(index.owner[i]):
                right += 1
            else:
                wrong += 1
    print(
        json.dumps(
            {
                "n": len(rows),
                "overridden": overridden,
                "override_rate": round(overridden / max(1, len(rows)), 4),
                "faq_questions": len(questions),
                "faq_wins_right": right,
                "faq_wins_wrong": wrong,
                "margin": margin,
                "us_per_message": round(per_message_us, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
