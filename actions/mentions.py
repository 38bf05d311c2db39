"""What a message mentions, by name (``data/replies/mentions.yml``).

A pattern that more than one part of the assistant needs ("a double charge": the
empathy layer names it as the concern, the answers pick the double-charge reply) is
written once there and referred to by name (``mention: double_charge``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from functools import lru_cache
from typing import Any

import yaml

from actions.paths import DATA

MENTIONS_FILE = DATA / "replies" / "mentions.yml"

# a word that can say what a message is about: four letters or more
_CONTENT_WORD = re.compile(r"[a-z]{4,}")


@lru_cache(maxsize=1)
def mentions() -> dict[str, re.Pattern[str]]:
    """Every named pattern, compiled (applied to lower-cased text)."""
    raw = yaml.safe_load(MENTIONS_FILE.read_text(encoding="utf-8")) or {}
    return {str(name): re.compile(str(pattern)) for name, pattern in raw.items()}


def mentioned(name: str, *texts: str) -> bool:
    """Whether any of ``texts`` mentions the named pattern ("not_arrived": "it was
    meant to come Monday"); an unknown name is an error."""
    pattern = mentions()[name]
    return any(pattern.search(t.lower()) for t in texts)


def rule_pattern(rule: Mapping[str, Any], key: str = "pattern") -> re.Pattern[str]:
    """A rule's pattern: its own regular expression under ``key``, or the named
    one under ``mention``; a clear error for an unknown name or neither."""
    if "mention" in rule:
        name = str(rule["mention"])
        known = mentions()
        if name not in known:
            raise ValueError(f"unknown mention {name!r} (known: {sorted(known)})")
        return known[name]
    if key not in rule:
        raise ValueError(f"rule {dict(rule)!r} has neither {key!r} nor 'mention'")
    return re.compile(str(rule[key]))


def content_words(text: str, plain: Collection[str]) -> set[str]:
    """The words of ``text`` that can name what it is about: four letters or more,
    lower-cased ("track_refund" is "track" and "refund"), not in ``plain`` (the
    caller's words that name nothing of their own)."""
    return {w for w in _CONTENT_WORD.findall(text.lower()) if w not in plain}
