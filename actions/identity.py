"""Who the customer is: nothing personal about an order before they prove it is theirs.

A customer is known in one of two ways:
- the shop's own page vouched for them: the gateway checked a signed customer token
  and sends the customer id with every message (metadata ``customer_id``);
- they proved it in the chat: asked for an order, they gave the e-mail address or
  the postcode the order is under (``order_form`` asks, ``ValidateOrderForm`` checks),
  and the ``verified_customer`` slot remembers it for the rest of the conversation
  (on Telegram, the same chat from then on: slots carry over to a new session).

Until then the assistant answers general questions only: no status, carrier,
tracking number, items, refund or invoice, and it changes or cancels nothing; after
MAX_TRIES wrong answers it stops asking and offers a person, who can check another way.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.numbers import POSTCODE_LABEL
from actions.store import Customer, Order

MAX_TRIES = 3
# How many postcode-like pieces of one message are compared: a message listing many
# postcodes is not a way to guess faster.
MAX_CANDIDATES = 4
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_TOKEN = re.compile(r"[\w-]+", re.UNICODE)


def _compact(value: str) -> str:
    """A postcode as compared: letters and digits only, upper case."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


def emails(text: str) -> list[str]:
    """The e-mail addresses in ``text``, lower case."""
    return [m.group(0).lower().rstrip(".") for m in _EMAIL.finditer(text or "")]


def postcodes(text: str) -> list[str]:
    """Postcode-like pieces of ``text``, compacted: one word with a digit in it, or
    it and the word after it ("EC1A 1BB", "SE-113 56"), at most MAX_CANDIDATES words
    with digits."""
    rest = _EMAIL.sub(" ", text or "")
    words = [m.group(0) for m in _TOKEN.finditer(rest)]
    found: list[str] = []
    starts = [i for i, word in enumerate(words) if any(ch.isdigit() for ch in word)]
    for i in starts[:MAX_CANDIDATES]:
        pieces = [
            words[i],
            " ".join(words[i : i + 2]),
            " ".join(words[max(i - 1, 0) : i + 1]),
        ]
        for piece in pieces:
            compact = _compact(piece)
            if 3 <= len(compact) <= 10 and compact not in found:
                found.append(compact)
    return found


def _without(text: str, number: str | None) -> str:
    """``text`` without the order number itself (it proves nothing)."""
    if not number:
        return text or ""
    return re.sub(rf"#?0*{re.escape(number)}(?!\d)", " ", text or "")


def attempts_proof(text: str, order_id: str | None = None) -> bool:
    """Whether ``text`` offers something to check (an e-mail address or a word with
    a digit besides the order's number), rather than a question or a refusal."""
    rest = _without(text, order_id)
    return bool(emails(rest) or postcodes(rest))


def offers_proof(text: str, order_id: str | None = None) -> bool:
    """Whether ``text``, written before we asked, already gives an e-mail address or
    a postcode said to be one ("order 651234, postcode 10115")."""
    rest = _without(text, order_id)
    return bool(emails(rest) or labelled_postcodes(rest))


def labelled_postcodes(text: str) -> list[str]:
    """Compacted postcodes the text calls one ("postcode 10115", "PLZ: 10115")."""
    found = []
    for match in POSTCODE_LABEL.finditer(text or ""):
        found.extend(postcodes(match.group("code")))
    return found


def proves(texts: str | list[str], customer: Customer | None) -> bool:
    """Whether any of ``texts`` (the customer's own recent messages) gives this
    customer's e-mail address or postcode."""
    if customer is None:
        return False
    for text in [texts] if isinstance(texts, str) else texts:
        if customer.email and customer.email.lower() in emails(text):
            return True
        postcode = _compact(customer.postcode or "")
        if postcode and postcode in postcodes(text):
            return True
    return False


def known_customer(tracker: Tracker) -> str | None:
    """The id of the customer this conversation is known to be, if any: vouched
    for by the shop's page (this message's metadata), or proven in the chat."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    vouched = metadata.get("customer_id") if isinstance(metadata, dict) else None
    if isinstance(vouched, str) and vouched:
        return vouched
    proven = tracker.get_slot("verified_customer")
    return str(proven) if proven else None


def may_see(tracker: Tracker, order: Order | None) -> bool:
    """Whether the customer may see and change ``order``: it is theirs."""
    return order is not None and known_customer(tracker) == order.customer


def tries(tracker: Tracker) -> int:
    """How many wrong proofs the customer gave in this conversation."""
    value: Any = tracker.get_slot("proof_tries")
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0
