"""Where the shop delivers (data/store/delivery.yml): a country named in a delivery
question gets a plain yes or no before the details (actions/answers.py, answer_key)."""

from __future__ import annotations

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
