"""Which intents need which words (``data/intent_words.yml``), and the intent a
message's words support. Used by the NLU step in bot/rasa_intents.py; no Rasa import,
so the gateway's tests can read it too."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

WORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "intent_words.yml"


def load_requirements(path: Path = WORDS_FILE) -> dict[str, re.Pattern[str]]:
    """Intent name -> the words a message needs to be given that intent."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        str(intent): re.compile(str(words), re.IGNORECASE)
        for intent, words in (raw.get("needs") or {}).items()
    }


def supported(
    text: str,
    intent: dict[str, Any] | None,
    ranking: list[dict[str, Any]],
    needs: dict[str, re.Pattern[str]],
) -> dict[str, Any] | None:
    """The intent the words of ``text`` support: ``intent`` when it needs no words
    or has them, else the best of ``ranking`` that does; ``intent`` when none does."""
    if not intent or not intent.get("name"):
        return intent

    def holds(candidate: dict[str, Any]) -> bool:
        words = needs.get(str(candidate.get("name")))
        return words is None or bool(words.search(text))

    if holds(intent):
        return intent
    return next((c for c in ranking if c.get("name") and holds(c)), intent)
