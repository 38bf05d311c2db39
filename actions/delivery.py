"""Where the shop delivers (data/store/delivery.yml): a country named in a delivery
question gets a plain yes or no before the details (actions/answers.py, answer_key)."""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from actions.paths import DATA

DELIVERY_FILE = DATA / "store" / "delivery.yml"


@lru_cache(maxsize=1)
def _delivery() -> dict[str, dict[str, str]]:
    with DELIVERY_FILE.open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle) or {}
    return {
        reach: {str(k).lower(): str(v) for k, v in (loaded.get(key) or {}).items()}
        for reach, key in (
            ("home", "home"),
            ("abroad", "abroad"),
            ("no", "not_delivered"),
        )
    }


def delivery_reach(place: str) -> tuple[str | None, str]:
    """Whether we deliver to ``place`` ("home", "abroad", "no"; None when it is no
    country we list) and its name as we write it (``place`` itself when unlisted)."""
    key = " ".join(place.lower().strip(" .?!,").split())
    for reach, names in _delivery().items():
        if key in names:
            return reach, names[key]
    return None, place


@lru_cache(maxsize=1)
def _names() -> re.Pattern[str]:
    names = sorted(
        {name for listed in _delivery().values() for name in listed},
        key=len,
        reverse=True,  # "the united kingdom" before "united kingdom"
    )
    return re.compile(
        r"\b(?:to|in|into|for|from)\s+(" + "|".join(map(re.escape, names)) + r")\b",
        re.IGNORECASE,
    )


def named_country(text: str) -> str | None:
    """A country of ours named after "to", "in", "for" ("ship to norway?"), as
    written; None when there is none (NLU's entity may still have one)."""
    found = _names().search(text or "")
    return found.group(1) if found else None
