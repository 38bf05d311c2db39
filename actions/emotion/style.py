"""How a message is written: shouting in capitals, ``!!!``/``???`` runs, and swearing.

Swearing is split three ways: ``casual_swearing`` (no target, relaxed or positive
tone: "damn, forgot my password lol"), ``swearing`` (in an unhappy message, not aimed
at anyone) and ``abuse`` (insults or swearing aimed at the agent or company: "you
useless idiots"). Masked spellings (f***, sh!t, a$$) are recognised.
"""

from __future__ import annotations

import re
from typing import Any

from .rules import Hit, quote

_CAPS_WORD = re.compile(r"(?<![\w'])[^\W\d_]{2,}(?![\w])")
_LEET = {"a": "a@4", "e": "e3", "i": "i!1", "o": "o0", "s": "s$5", "t": "t7", "u": "uv"}
_MASK = r"*#@$%!."
_TOKEN = re.compile(r"[a-z0-9*#@$%!.']+")
_ELONGATED = re.compile(r"\b[a-z]*([a-z])\1{2,}[a-z]*\b", re.I)


def _masked(word: str) -> str:
    """Regex for a swear word whose letters after the first may be masked or swapped."""
    parts = [re.escape(word[0])]
    for char in word[1:]:
        options = re.escape(_LEET.get(char, char) + _MASK)
        parts.append(f"[{options}]")
    return "".join(parts)


class StyleRules:
    """Capitals, punctuation runs and swearing, configured from ``signals.yml``."""

    def __init__(self, config: dict[str, Any]) -> None:
        caps = config.get("caps") or {}
        self.caps_min_words = int(caps.get("min_words", 3))
        self.caps_min_ratio = float(caps.get("min_ratio", 0.6))
        self.emphasis_len = int(caps.get("emphasis_min_len", 4))
        self.emphasis_strength = float(caps.get("emphasis_strength", 0.4))
        self.acronyms = frozenset(str(a).lower() for a in caps.get("acronyms", []))
        punct = config.get("punctuation") or {}
        self.punct_re = re.compile(
            str(punct.get("pattern", r"!{2,}|\?{2,}|[!?]*(?:\?!|!\?)[!?]*"))
        )
        self.run_strength = {
            int(k): float(v)
            for k, v in (punct.get("run_strength") or {2: 0.6, 3: 1.0}).items()
        }
        prof = config.get("profanity") or {}
        words = [str(w).lower() for w in prof.get("words", [])]
        alternatives = [_masked(w) for w in sorted(set(words), key=len, reverse=True)]
        alternatives += [str(x) for x in prof.get("extra", [])]
        self.swear_re = re.compile(
            r"(?<![a-z0-9])(?:" + "|".join(alternatives) + r")(?![a-z0-9])", re.I
        )
        self.mild = frozenset(str(w).lower() for w in prof.get("mild", []))
        self.insult_re = self._words_re(prof.get("insults", []))
        self.adjective_re = self._words_re(prof.get("insult_adjectives", []))
        self.targets = [str(t).lower() for t in prof.get("targets", [])]
        self.person_targets = [str(t).lower() for t in prof.get("person_targets", [])]
        self.window = int(prof.get("target_window", 8))
        self.adjective_window = int(prof.get("adjective_window", 3))
        self.directed = [re.compile(p, re.I) for p in prof.get("directed", [])]
        self.casual_cues = [re.compile(p, re.I) for p in prof.get("casual_cues", [])]

    @staticmethod
    def _words_re(words: list[str]) -> re.Pattern[str]:
        items = sorted({str(w).lower() for w in words}, key=len, reverse=True) or [
            "(?!x)x"
        ]
        return re.compile(r"\b(?:" + "|".join(map(re.escape, items)) + r")\b", re.I)

    # -- capitals -----------------------------------------------------------------
    def caps(self, text: str, happy: bool) -> Hit | None:
        words = _CAPS_WORD.findall(text)
        if not words:
            return None
        shouted = [w for w in words if w.isupper() and w.lower() not in self.acronyms]
        if not shouted:
            return None
        ratio = len(shouted) / len(words)
        sample = quote(" ".join(shouted[:6]))
        if len(shouted) >= self.caps_min_words and ratio >= self.caps_min_ratio:
            if happy:
                return None
            return Hit(
                "all_caps", min(1.0, 0.6 + ratio * 0.4), f'ALL CAPS in "{sample}"'
            )
        if happy:
            return None
        run = self._longest_run(words)
        if len(run) >= self.caps_min_words:
            return Hit("all_caps", 0.8, f'shouted phrase "{quote(" ".join(run))}"')
        emphatic = [w for w in shouted if len(w) >= self.emphasis_len]
        if emphatic:
            return Hit(
                "all_caps",
                self.emphasis_strength,
                f'capitalised for emphasis: "{quote(" ".join(emphatic[:3]))}"',
            )
        return None

    def _longest_run(self, words: list[str]) -> list[str]:
        best: list[str] = []
        current: list[str] = []
        for word in words:
            if word.isupper() and word.lower() not in self.acronyms:
                current.append(word)
                if len(current) > len(best):
                    best = list(current)
            else:
                current = []
        return best

    def elongation(self, text: str, happy: bool) -> Hit | None:
        """Letters stretched for emphasis: "nooo", "whyyy", "pleeease"."""
        found = [m.group(0) for m in _ELONGATED.finditer(text)]
        if not found or happy:
            return None
        return Hit("elongation", 1.0, f'stretched word "{quote(found[0], 20)}"')

    # -- punctuation --------------------------------------------------------------
    def punctuation(self, text: str, happy: bool) -> Hit | None:
        runs = [m.group(0) for m in self.punct_re.finditer(text)]
        if not runs or happy:
            return None
        longest = max(runs, key=len)
        length = min(len(longest), max(self.run_strength))
        strength = self.run_strength.get(length, 1.0)
        if "?" in longest and "!" in longest:
            strength = max(strength, self.run_strength.get(3, 1.0))
        strength = min(1.0, strength + 0.15 * (len(runs) - 1))
        return Hit(
            "punctuation",
            strength,
            f'emphatic punctuation "{longest[:8]}"'
            + (f" ({len(runs)} runs)" if len(runs) > 1 else ""),
        )

    # -- swearing -----------------------------------------------------------------
    def _target_near(
        self, tokens: list[str], index: int, targets: list[str], window: int
    ) -> str | None:
        lo, hi = max(0, index - window), min(len(tokens), index + window + 1)
        span = " " + " ".join(tokens[lo:hi]) + " "
        return next((t for t in targets if f" {t} " in span), None)

    def swearing(self, text: str, positive: bool, negative: bool) -> Hit | None:
        lower = text.lower()
        for pattern in self.directed:
            m = pattern.search(lower)
            if m:
                return Hit("abuse", 1.0, f'abuse aimed at us: "{quote(m.group(0))}"')
        tokens = _TOKEN.findall(lower)
        joined_positions: list[int] = []
        position = 0
        for tok in tokens:
            position = lower.find(tok, position)
            joined_positions.append(position)
            position += len(tok)

        def token_index(offset: int) -> int:
            return max(
                (i for i, p in enumerate(joined_positions) if p <= offset), default=0
            )

        for regex, targets, window in (
            (self.insult_re, self.targets, self.window),
            (self.adjective_re, self.person_targets, self.adjective_window),
        ):
            for m in regex.finditer(lower):
                target = self._target_near(
                    tokens, token_index(m.start()), targets, window
                )
                if target is not None:
                    return Hit(
                        "abuse", 1.0, f'insult aimed at {target}: "{quote(m.group(0))}"'
                    )
        swears = list(self.swear_re.finditer(lower))
        if not swears:
            return None
        for m in swears:
            i = token_index(m.start())
            nearby = tokens[max(0, i - 2) : i + 3]
            if (
                any(
                    t in ("you", "u", "ya", "your", "ur", "yall", "y'all")
                    for t in nearby
                )
                and not positive
            ):
                return Hit("abuse", 0.8, f'swearing aimed at us: "{quote(m.group(0))}"')
        word = swears[0].group(0)
        mild = all(s.group(0).lower() in self.mild for s in swears)
        casual = (
            positive
            or any(p.search(lower) for p in self.casual_cues)
            or (mild and not negative)
        )
        if casual:
            return Hit(
                "casual_swearing",
                1.0,
                f'casual swearing "{quote(word)}", not aimed at anyone',
            )
        return Hit(
            "swearing",
            min(1.0, 0.7 + 0.15 * (len(swears) - 1)),
            f'swearing "{quote(word)}" in an unhappy message',
        )
