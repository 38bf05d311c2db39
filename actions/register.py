"""The customer's register ("formal", "casual" or "plain") and our texts fitted to it:
formal writers get them without contractions or chatty openers (``register`` in
``data/replies/empathy.yml``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from actions.replies import capitalise

_LONE_I = re.compile(r"\bi\b")


class Register:
    """The ``register`` section of empathy.yml: the cues that tell a register, and
    the formal words for our informal ones."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    @cached_property
    def _cues(self) -> dict[str, list[re.Pattern[str]]]:
        return {
            name: [re.compile(p) for p in self.config.get(f"{name}_cues") or []]
            for name in ("formal", "casual")
        }

    @cached_property
    def _formal(self) -> tuple[re.Pattern[str], dict[str, str]] | None:
        table = {
            str(k).lower(): str(v) for k, v in (self.config.get("formal") or {}).items()
        }
        if not table:
            return None
        keys = sorted(table, key=len, reverse=True)
        alternation = "|".join(re.escape(k) for k in keys)
        return re.compile(rf"(?<![\w'])(?:{alternation})(?![\w'])", re.I), table

    def of(self, texts: Sequence[str]) -> str:
        """The customer's register, "formal", "casual" or "plain": the latest of
        ``texts`` (their messages, oldest first) with a cue decides."""
        cues = self._cues
        for text in reversed(texts):
            lower = text.lower()
            for name in ("formal", "casual"):
                if any(p.search(lower) for p in cues[name]):
                    return name
        return "plain"

    def fit(self, text: str, register: str) -> str:
        """``text`` in the customer's ``register``: formal writers get our texts
        without contractions or chatty openers (``register.formal``)."""
        if register != "formal" or self._formal is None:
            return text
        pattern, table = self._formal

        def formal(match: re.Match[str]) -> str:
            found = match.group(0)
            words = _LONE_I.sub("I", table[found.lower()])
            return capitalise(words) if found[:1].isupper() else words

        return pattern.sub(formal, text)
