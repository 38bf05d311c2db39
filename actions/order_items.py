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
from actions.store import Order, OrderStatus

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


# A sentence that says the customer bought or received something ("I ordered a blue
# scarf", "the mug arrived chipped"): a thing named there is what the order should
# hold; one named in a question about stock ("do you have linen?") is not
_BOUGHT = re.compile(
    r"\b(?:order(?:ed)?|bought|purchased|got|received|sent|came|arrived|delivered|"
    r"paid|return(?:ed|ing)?|broken|damaged|wrong|missing)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")


def bought_things(text: str) -> list[tuple[int, str]]:
    """The kinds of thing ``text`` names in sentences that say they were bought or
    received (``named_things`` of those sentences)."""
    return [
        thing
        for sentence in _SENTENCE.findall(text)
        if _BOUGHT.search(sentence)
        for thing in named_things(sentence)
    ]


def not_in_order(order: Order, said: list[str]) -> str | None:
    """The word the customer used for a thing they say they bought (in ``said``,
    their messages) when ``order`` holds nothing of that kind, nor of any other kind
    they named; None when it does, when they named none, or when we do not know
    what the order holds."""
    if not order.items or any(_PARTS.search(item.lower()) for item in order.items):
        return None  # nothing known, or a set whose parts it does not name
    named = [thing for text in said for thing in bought_things(text)]
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


# The bot's answer about returning a delivered order names where the return starts
_RETURN_ANSWER = re.compile(r"\bReturn\b")
# ...and a clause that keeps a thing ("I'm keeping the jacket", "not the jacket")
_CLAUSE = re.compile(r"[^.,;!?]+|(?<=\bbut)\b[^.,;!?]+")
_KEEPS = re.compile(r"\b(?:keep\w*|not|except|apart from|stay\w*)\b", re.IGNORECASE)


async def partly_returned(tracker: Tracker) -> tuple[Order, str] | None:
    """The chat's order and the item of it (in the customer's word) they name right
    after the bot told them how to return it ("Just the boots, to be clear. I'm
    keeping the jacket."): only that item goes back; None otherwise (not proven
    theirs, its 30 days over, no return told, or nothing of the order named)."""
    from actions.identity import may_see  # (the order's privacy, as everywhere)
    from actions.order_chat import chat_order

    said = bot_texts(tracker)[-1:]
    latest = str((tracker.latest_message or {}).get("text") or "")
    if not said or not _RETURN_ANSWER.search(said[0]):
        return None
    order = await chat_order(tracker)
    if order is None or not may_see(tracker, order) or order.return_closed:
        return None
    if order.id not in said[0] or order.status is not OrderStatus.DELIVERED:
        return None
    named = {
        number: word
        for clause in _CLAUSE.findall(latest)
        if not _KEEPS.search(clause)
        for number, word in named_things(clause)
    }
    for item in order.items:
        for number, _ in named_things(item):
            if number in named:
                return order, named[number]  # in their words: "the boots"
    return None
