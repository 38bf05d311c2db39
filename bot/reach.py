"""The ways of contact a customer has ruled out in their own words, and our offers
of a call or an e-mail fitted to them.

A customer who cannot use the phone, or whose e-mail someone else reads, must not be
told "leave a phone number or e-mail and we'll contact you". Our texts mark that
offer with ``[ ]`` (data/replies); ``fit`` keeps it for everyone else and, for them,
leaves it out and offers what is left (``offer_email``, ``offer_phone``, or
``offer_here``: the answer comes in the chat). The words are in data/reach.yml.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

import yaml

REACH_FILE = Path(__file__).resolve().parent.parent / "data" / "reach.yml"
WAYS = ("phone", "email")
# an offer of a call or an e-mail in one of our texts
OFFER = re.compile(r"\[([^\[\]]*)\]")
# The ways the customer being answered ruled out: bot.texts.say fits our texts to
# them (set for the length of one reply, e.g. by bot/waiting.py).
RULED_OUT: ContextVar[frozenset[str]] = ContextVar("ruled_out", default=frozenset())


@lru_cache(maxsize=1)
def _words() -> dict[str, re.Pattern[str]]:
    with REACH_FILE.open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle) or {}
    return {
        way: re.compile("|".join(f"(?:{p})" for p in loaded[way]), re.IGNORECASE)
        for way in WAYS
    }


def ruled_out(texts: Iterable[str]) -> frozenset[str]:
    """The ways of contact ("phone", "email") the customer's messages ``texts``
    rule out ("I can't use the phone", "my ex reads my e-mails")."""
    said = list(texts)
    return frozenset(
        way for way, found in _words().items() if any(found.search(t) for t in said)
    )


@contextmanager
def answering(texts: Iterable[str]) -> Iterator[frozenset[str]]:
    """Within it, bot.texts.say fits our offers to the customer who wrote
    ``texts``: the ways of contact they ruled out (yielded)."""
    ruled = ruled_out(texts)
    token = RULED_OUT.set(ruled)
    try:
        yield ruled
    finally:
        RULED_OUT.reset(token)


def written(text: str) -> str:
    """``text`` as said to a customer who ruled nothing out (its offer unmarked)."""
    return OFFER.sub(r"\1", text)


def offer_key(ruled: frozenset[str]) -> str:
    """The name of the offer that fits what is left once ``ruled`` is ruled out."""
    left = [way for way in WAYS if way not in ruled]
    return f"offer_{left[0]}" if len(left) == 1 else "offer_here"


def fit(text: str, ruled: frozenset[str], say: Callable[[str], str]) -> str:
    """``text`` with its offer of a call or an e-mail as written, or, when the
    customer ruled a way out (``ruled``), without it and followed by the offer of
    what is left (``say``: the text of that name in the customer's language)."""
    if not ruled or not OFFER.search(text):
        return written(text)
    bare = OFFER.sub("", text).strip()
    return f"{bare} {say(offer_key(ruled))}"


def note(ruled: frozenset[str]) -> str:
    """What the person who takes the chat is told ("" when nothing is ruled out)."""
    if not ruled:
        return ""
    named = {"phone": "phone", "email": "e-mail"}
    ways = " or ".join(named[way] for way in WAYS if way in ruled)
    return f"Do not contact them by {ways}: they said so; answer in the chat."
