"""What the gateway says in its own voice (data/replies/channel.yml), and in the
customer's language for the texts we have there (data/replies/languages.yml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

TEXTS_FILE = Path(__file__).resolve().parent.parent / "data" / "replies" / "channel.yml"
LANGUAGES_FILE = TEXTS_FILE.parent / "languages.yml"


@lru_cache(maxsize=1)
def texts() -> dict[str, str]:
    """Every gateway text by name."""
    with TEXTS_FILE.open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    return {str(k): str(v) for k, v in loaded.items()}


@lru_cache(maxsize=1)
def translations() -> dict[str, dict[str, str]]:
    """Gateway texts by language code, then name (only the languages and texts that
    ``languages.yml`` has: waiting_for_person, follow_up_saved)."""
    with LANGUAGES_FILE.open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle) or {}
    return {
        str(code): {str(k): v for k, v in entry.items() if isinstance(v, str)}
        for code, entry in (loaded.get("languages") or {}).items()
    }


def say(name: str, language: str | None = None, **values: str) -> str:
    """The text ``name`` with its ``{placeholders}`` filled, in ``language`` (an ISO
    639-1 code) when we have the text in it, else in English."""
    text = translations().get(language or "", {}).get(name) or texts()[name]
    return text.format(**values)
