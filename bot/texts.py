"""What the gateway says in its own voice (data/replies/channel.yml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

TEXTS_FILE = Path(__file__).resolve().parent.parent / "data" / "replies" / "channel.yml"


@lru_cache(maxsize=1)
def texts() -> dict[str, str]:
    """Every gateway text by name."""
    with TEXTS_FILE.open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    return {str(k): str(v) for k, v in loaded.items()}


def say(name: str, **values: str) -> str:
    """The text ``name`` with its ``{placeholders}`` filled."""
    return texts()[name].format(**values)
