"""Cleaning raw customer text before analysis, and spotting input we cannot read.

``prepare`` never raises: it removes control characters, lone surrogates, markup,
links and handles; shortens very long text (keeping head and tail); and reports what
it did as ``Signal`` objects (``unreadable``, ``markup``, ``truncated``,
``non_english``, ``no_words``).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .models import Signal

_SURROGATES = re.compile(r"[\ud800-\udfff]")
_SCRIPT = re.compile(r"<(script|style)\b[^>]{0,500}>.{0,20000}?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,500}>")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_HANDLE = re.compile(r"(?<![\w@])@\w{1,30}")
_SEPARATOR = re.compile(r"\s*/{3,}\s*")
_SPACES = re.compile(r"[ \t\r\f\v]+")
# A message that only gives details asked for: an e-mail address, a postcode or a
# number ("maya@example.com", "SE-113 56", "48213"); no words about how they feel
ONLY_DETAILS = re.compile(
    r"^\W*(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[A-Za-z]{0,3}[- ]?\d[\w -]{1,10}|\d+)\W*$"
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_QUOTES = str.maketrans(
    {"’": "'", "‘": "'", "´": "'", "`": "'", "“": '"', "”": '"', "…": "..."}
)

# "hasnt", "dont", "cant": negative contractions typed without their apostrophe, as
# customers in a hurry write them ("cant" and "wont" are read as "can't", "won't")
_BARE_CONTRACTION = re.compile(
    r"\b(has|have|had|is|was|are|were|do|does|did|could|should|would|ca|wo|ai)nt\b"
)


def with_apostrophes(text: str) -> str:
    """``text`` with typographic quotes made plain and the apostrophe put back into
    negative contractions typed without one: "it hasnt arived" -> "it hasn't arived"."""
    return _BARE_CONTRACTION.sub(r"\1n't", text.translate(_QUOTES))


@dataclass
class Prepared:
    """A message ready for the signal detectors and the model."""

    raw: str
    clean: str
    model_text: str
    words: list[str]
    issues: list[Signal] = field(default_factory=list)
    english: bool = True
    english_words: int = 0  # words of the English list: English by evidence

    @property
    def readable(self) -> bool:
        return bool(self.words) and self.english


def _strip_controls(text: str) -> tuple[str, int]:
    kept: list[str] = []
    removed = 0
    for char in text:
        category = unicodedata.category(char)
        if char in "\n\t":
            kept.append(" ")
        elif category in ("Cc", "Cf", "Cs", "Co") and char not in "\u200d\ufe0f":
            removed += 1
        else:
            kept.append(char)
    return "".join(kept), removed


def _shorten(text: str, limit: int) -> str:
    half = limit // 2
    return text[:half].rstrip() + " ... " + text[-half:].lstrip()


def _language(words: list[str], config: dict[str, Any]) -> tuple[bool, str, int]:
    """Guess whether lower-cased words are English; returns (english, detected name,
    how many are on the English list)."""
    if not words:
        return True, "english", 0
    letters = "".join(words)
    latin = sum(
        1 for c in letters if "a" <= c <= "z" or c in "àáâäãåçèéêëìíîïñòóôöõùúûüýÿß"
    )
    if latin / max(len(letters), 1) < 0.5:
        return False, "a non-Latin script", 0
    english = set(config.get("english", []))
    hits_en = sum(1 for w in words if w in english)
    best, best_hits = "english", 0
    for name, vocab in (config.get("foreign") or {}).items():
        vocab_set = set(vocab)
        hits = sum(1 for w in words if w in vocab_set)
        if hits > best_hits:
            best, best_hits = name, hits
    min_hits = int(config.get("min_foreign_hits", 2))
    if best_hits >= min_hits and best_hits > hits_en * float(
        config.get("foreign_ratio", 1.5)
    ):
        return False, best, hits_en
    return True, "english", hits_en


def prepare(text: Any, config: dict[str, Any]) -> Prepared:
    """Clean ``text`` for analysis; ``config``: ``input`` section of signals.yml."""
    issues: list[Signal] = []
    if text is None:
        text = ""
    if not isinstance(text, str):
        text = str(text)
    raw = text
    max_chars = int(config.get("max_chars", 2000))
    if len(text) > max_chars * 4:
        text = _shorten(text, max_chars * 4)
    text, surrogates = _SURROGATES.subn("", text)
    text, controls = _strip_controls(text)
    if surrogates or controls:
        issues.append(
            Signal(
                "unreadable",
                0.0,
                f"removed {surrogates + controls} invalid or control character(s)",
            )
        )
    text = unicodedata.normalize("NFKC", text)
    if "<" in text and ">" in text:
        stripped = _TAG.sub(" ", _SCRIPT.sub(" ", text))
        if stripped != text:
            issues.append(
                Signal("markup", 0.0, "HTML/script markup removed before analysis")
            )
            text = stripped
    if "&" in text:
        text = html.unescape(text)
    # "i dont understand" reads as "i don't understand" for every signal
    text = with_apostrophes(text)
    text = _HANDLE.sub(" ", _URL.sub(" ", text))
    text = _SEPARATOR.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    if len(raw) > max_chars:
        issues.append(
            Signal(
                "truncated",
                0.0,
                f"long message ({len(raw)} characters): analysed head and tail",
            )
        )
    if len(text) > max_chars:
        text = _shorten(text, max_chars)
    model_chars = int(config.get("model_chars", 600))
    model_text = _shorten(text, model_chars) if len(text) > model_chars else text
    words = [w.lower() for w in _WORD.findall(text)]
    english, language, english_words = _language(words, config.get("language") or {})
    if not words or ONLY_DETAILS.match(raw):
        what = "no words to read (only emoji or symbols)" if text else "empty message"
        if words:
            what = "only details asked for (an e-mail address, a postcode, a number)"
        issues.append(Signal("no_words", 0.0, what))
    elif not english:
        issues.append(
            Signal("non_english", 0.0, f"message looks like {language}, not English")
        )
    return Prepared(
        raw=raw,
        clean=text,
        model_text=model_text,
        words=words,
        issues=issues,
        english=english,
        english_words=english_words,
    )


# A message this short with no English word proves no language by itself
# ("Genial.", "Valeu!", "Bon, laisse tomber.")
CONTINUES_MAX_WORDS = 4


def continued_language(
    prep: Prepared, earlier: Sequence[Prepared], language: str | None = None
) -> Prepared:
    """``prep``, read as written in another language when it has no word on the
    English list and is either short or in a chat the caller knows is in another
    ``language``, or a short one after a customer message with words that was not
    English: a chat in Spanish that says "Genial." is still in Spanish, and the
    English reading of those words (the sentence model's) is not its mood."""
    if not prep.english or prep.english_words or not prep.words:
        return prep
    if language is None:
        if len(prep.words) > CONTINUES_MAX_WORDS:
            return prep
        last = next(
            (
                p
                for p in reversed(earlier)
                if p.words and not any(s.name == "no_words" for s in p.issues)
            ),
            None,
        )
        if last is None or last.english:
            return prep
    said = Signal("non_english", 0.0, "a message in a chat not in English")
    return replace(prep, english=False, issues=[*prep.issues, said])
