"""What the customer says they bought against what the order holds.

A customer who names a thing ("I ordered a blue scarf") about an order that holds
nothing of its kind (a coffee set) may have given the wrong number, or there was a
mix-up: the bot says what the order holds before answering about it, instead of
offering to replace a scarf that order never had. The words for things are in
data/store/product_words.yml, in groups that name the same kind of thing.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml
from rasa_sdk import Tracker

from actions.conversation import bot_texts, customer_texts
from actions.paths import DATA
from actions.store import Order

PRODUCT_WORDS = DATA / "store" / "product_words.yml"
# an item made of parts it does not name ("coffee set": the mug the customer names)
_PARTS = re.compile(r"\b(?:set|kit|pack|bundle|box|collection|hamper)\b")


@lru_cache(maxsize=1)
def _groups() -> tuple[tuple[re.Pattern[str], frozenset[str]], ...]:
    loaded = yaml.safe_load(PRODUCT_WORDS.read_text(encoding="utf-8"))
    groups = []
    for words in loaded["groups"]:
        names = sorted({str(w).lower() for w in words}, key=len, reverse=True)
        alternatives = "|".join(re.escape(n) for n in names)
        groups.append((re.compile(rf"\b(?:{alternatives})\b"), frozenset(names)))
    return tuple(groups)


def named_things(text: str) -> list[tuple[int, str]]:
    """The kinds of thing ``text`` names, as (group, the word used), in order."""
    lower = text.lower()
    found = []
    for number, (words, _) in enumerate(_groups()):
        if hit := words.search(lower):
            found.append((hit.start(), number, hit.group(0)))
    return [(number, word) for _, number, word in sorted(found)]


def not_in_order(order: Order, said: list[str]) -> str | None:
    """The word the customer used for a thing they say they bought (in ``said``,
    their messages) when ``order`` holds nothing of that kind, nor of any other kind
    they named; None when it does, when they named none, or when we do not know
    what the order holds."""
    if not order.items or any(_PARTS.search(item.lower()) for item in order.items):
        return None  # nothing known, or a set whose parts it does not name
    named = [thing for text in said for thing in named_things(text)]
    if not named:
        return None
    held = {number for item in order.items for number, _ in named_things(item)}
    if not held or any(number in held for number, _ in named):
        # (an order of things we have no words for: we cannot tell)
        return None
    return named[0][1]


def other_thing(tracker: Tracker, order: Order) -> str | None:
    """The customer's word for a thing they named in their last messages that
    ``order`` holds nothing of the kind of (actions/order_items.py), the first time
    the order's items would be shown; None otherwise."""
    items = order.values()["items"]
    if items and any(items in text for text in bot_texts(tracker)):
        return None  # they have seen what it holds: not again
    return not_in_order(order, customer_texts(tracker)[-3:])
