"""Checks every channel applies to text a customer or agent sends."""

from __future__ import annotations

import unicodedata

# Bidirectional overrides and isolates can disguise what a message says.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MAX_FRAME_BYTES = 64 * 1024  # the largest WebSocket frame a client may send
MAX_COMBINING_RUN = 4  # "zalgo" text stacks dozens of combining marks on one letter


def clean_text(value: object, limit: int) -> str:
    """The text to store, or ValueError with a reason a person can read.

    Control characters (except newline and tab), lone surrogates and bidirectional
    overrides are dropped, long runs of combining marks are cut, the result is
    stripped; empty or over ``limit`` characters is refused.
    """
    if not isinstance(value, str):
        raise ValueError("message must be text")
    kept: list[str] = []
    run = 0
    for ch in value:
        if ch in BIDI_CONTROLS or "\ud800" <= ch <= "\udfff":
            continue
        if not (ch.isprintable() or ch in "\n\t"):
            continue
        if unicodedata.combining(ch):
            run += 1
            if run > MAX_COMBINING_RUN:
                continue
        else:
            run = 0
        kept.append(ch)
    cleaned = "".join(kept).strip()
    if not cleaned:
        raise ValueError("message is empty")
    if len(cleaned) > limit:
        raise ValueError(f"message is longer than {limit} characters")
    return cleaned
