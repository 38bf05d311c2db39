"""The demo shop backend: customers, orders, refunds and invoices from a YAML file.

Replace ``DemoStore`` with a class offering the same methods (``order``, ``refund_for``,
``invoice``, ``invoice_for_order``, ``customer``, ``cancel``) that calls your real order
system; the actions only use those methods. Cancellations are kept in memory.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from actions.paths import STORE_FILE

_DIGITS = re.compile(r"\d+")
# 4 to 15 digits, possibly written with spaces or dashes in between ("4821 3").
# "... 87001 2)": a list's next item number after an order number, not part of it
_LIST_NUMBER = re.compile(r"[ -]\d{1,2}$")
_NUMBER_IN_TEXT = re.compile(r"(?<![\w])#?\s*(\d[\d -]{2,18}\d)(?![\w])")


def normalise_number(value: str | None) -> str | None:
    """Digits of an order/invoice number, no leading zeros ("#0048213" -> "48213")."""
    if not value:
        return None
    digits = "".join(_DIGITS.findall(str(value)))
    if not 4 <= len(digits) <= 15:
        return None
    return digits.lstrip("0") or "0"


# A telephone number: an international prefix, or a leading 0 and 9+ digits written
# in groups ("07700 900123", "+49 30 1234567", "0049-30-123456"). Order numbers never
# look like this: a customer leaving a phone number is not asked about "order 900123".
_PHONE = re.compile(
    r"(?<![\w+])(?:\+|00)\d[\d ()./-]{6,18}\d(?!\w)"
    r"|(?<![\w+])0\d{1,5}[ ()./-]+\d[\d ./-]{4,14}\d(?!\w)"
    r"|(?<![\w+])0\d{9,12}(?!\w)"
)


# "postcode 10115", "zip: 94105", "PLZ 10115", "CP 28013", "code postal 75001": the
# number after such a word is a postcode, never an order number
POSTCODE_LABEL = re.compile(
    r"\b(?:post\s?codes?|postal\s+codes?|zip(?:\s?code)?|plz|postleitzahl|cp|"
    r"c[oó]digo\s+postal|code\s+postal|cap|postcode|kod\s+pocztowy)\b"
    # "postcode 10115", "the postcode on the account is 28013", "PLZ ist 10115"
    r"(?:\s+(?:on|of|for|in|at|the|my|our|this|that|account|order|delivery|address|"
    r"it|it's|its|is|was|ist|es|est|è|é|to|jest|de|la|le|del|der|die|des|von|für|"
    r"im|am|zum)){0,5}\s*[:#-]?\s*"
    r"(?P<code>[A-Za-z]{0,3}[- ]?\d[\w-]*(?:\s\d\w{1,3})?)",
    re.IGNORECASE,
)


def is_postcode_part(number: str | None, text: str | None) -> bool:
    """Whether ``number`` (digits) is, or is part of, a postcode ``text`` labels as
    one ("postcode 10115")."""
    digits = "".join(_DIGITS.findall(number or ""))
    return bool(digits) and any(
        digits in "".join(_DIGITS.findall(m.group("code")))
        for m in POSTCODE_LABEL.finditer(text or "")
    )


def phone_digits(text: str | None) -> list[str]:
    """The digits of every telephone number in ``text``."""
    return ["".join(_DIGITS.findall(m.group(0))) for m in _PHONE.finditer(text or "")]


def is_phone_part(number: str | None, text: str | None) -> bool:
    """Whether ``number`` (digits) is, or is part of, a telephone number in ``text``."""
    digits = "".join(_DIGITS.findall(number or ""))
    return bool(digits) and any(digits in phone for phone in phone_digits(text))


def find_number(text: str | None) -> str | None:
    """The first order/invoice-like number in free text, normalised, or None; a
    telephone number or a postcode said to be one is not one."""
    if not text:
        return None
    for match in _NUMBER_IN_TEXT.finditer(text):
        if is_phone_part(match.group(1), text) or is_postcode_part(
            match.group(1), text
        ):
            continue
        found = match.group(1)
        if text[match.end() : match.end() + 1] in (")", "."):
            # "1) order 87001 2) can I pay by card": the next item's number in a
            # list is not part of the order number
            found = _LIST_NUMBER.sub("", found)
        number = normalise_number(found)
        if number:
            return number
    return None


@dataclass(frozen=True)
class Customer:
    """A shop customer."""

    id: str
    name: str
    first_name: str
    customer_since: str
    tier: str
    email: str = ""  # what proves an order is theirs (actions/identity.py)
    postcode: str = ""


@dataclass(frozen=True)
class Order:
    """One order and its delivery state."""

    id: str
    customer: str
    placed: str
    items: list[str]
    total: str
    status: str
    carrier: str = ""
    tracking: str = ""
    eta: str = ""
    invoice: str = ""
    due: dt.date | None = None  # the expected delivery day (``eta`` as a date)
    as_of: dt.date | None = None  # the day the store's data describes

    @property
    def late(self) -> bool:
        """Shipped or being prepared, and the expected day has passed."""
        return (
            self.status in ("shipped", "processing")
            and self.due is not None
            and self.as_of is not None
            and self.due < self.as_of
        )

    def values(self) -> dict[str, Any]:
        """Placeholder values for reply templates."""
        return {
            "order_id": self.id,
            "items": _join(self.items),
            "status": self.status,
            "carrier": self.carrier,
            "tracking": self.tracking,
            "eta": self.eta,
            "placed": self.placed,
            "total": self.total,
            "late": self.late,
        }


@dataclass(frozen=True)
class Refund:
    """A refund for an order."""

    order: str
    amount: str
    status: str
    updated: str
    method: str

    def values(self) -> dict[str, Any]:
        """Placeholder values for reply templates."""
        return {
            "order_id": self.order,
            "amount": self.amount,
            "status": self.status,
            "updated": self.updated,
            "method": self.method,
        }


@dataclass(frozen=True)
class Invoice:
    """An invoice for an order."""

    id: str
    order: str
    date: str
    total: str

    def values(self) -> dict[str, Any]:
        """Placeholder values for reply templates."""
        return {
            "invoice_id": self.id,
            "order_id": self.order,
            "date": self.date,
            "total": self.total,
        }


@dataclass
class DemoStore:
    """Read access (and cancellation) over the demo data."""

    customers: dict[str, Customer]
    orders: dict[str, Order]
    refunds: dict[str, Refund]
    invoices: dict[str, Invoice]
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_file(cls, path: Path, today: dt.date | None = None) -> DemoStore:
        """Load the demo data from YAML.

        Args:
            path: the store file (see ``data/store/demo_store.yml``).
            today: the day its dates count from (days relative to it); by default
                today (UTC).

        Returns:
            The store, indexed by normalised numbers.
        """
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        day = today or dt.datetime.now(dt.UTC).date()
        customers = {c["id"]: Customer(**c) for c in raw["customers"]}
        orders = {_key(o["id"]): _order(o, day) for o in raw["orders"]}
        refunds = {
            _key(r["order"]): Refund(**{**r, "updated": _written(r["updated"], day)})
            for r in raw["refunds"]
        }
        invoices = {
            _key(i["id"]): Invoice(**{**i, "date": _written(i["date"], day, year=True)})
            for i in raw["invoices"]
        }
        return cls(customers, orders, refunds, invoices)

    def order(self, reference: str | None) -> Order | None:
        """The order with this number, if any."""
        key = normalise_number(reference)
        return self.orders.get(key) if key else None

    def refund_for(self, order_reference: str | None) -> Refund | None:
        """The refund of this order, if one exists."""
        key = normalise_number(order_reference)
        return self.refunds.get(key) if key else None

    def invoice(self, reference: str | None) -> Invoice | None:
        """The invoice with this number ("INV-20931" or "20931"), if any."""
        key = normalise_number(reference)
        return self.invoices.get(key) if key else None

    def invoice_for_order(self, order_reference: str | None) -> Invoice | None:
        """The invoice of an order, if the order exists and has one."""
        order = self.order(order_reference)
        return self.invoice(order.invoice) if order and order.invoice else None

    def customer(self, customer_id: str) -> Customer | None:
        """A customer by id."""
        return self.customers.get(customer_id)

    def cancel(self, order: Order) -> Order:
        """Mark an order as cancelled (in memory) and return the new state."""
        with self._lock:
            cancelled = replace(order, status="cancelled")
            self.orders[_key(order.id)] = cancelled
            return cancelled


FRIDAY, SATURDAY = 4, 5  # date.weekday()


def _day(value: Any, today: dt.date) -> dt.date | None:
    """A store date: days from ``today`` (-5, +2) or an ISO date; None for ""."""
    if value in ("", None):
        return None
    if isinstance(value, int):
        return today + dt.timedelta(days=value)
    return dt.date.fromisoformat(str(value))


def delivery_day(value: Any, today: dt.date) -> dt.date | None:
    """A delivery date of the store: a working day, as our delivery times count
    (data/faq.yml: no Sunday delivery, Saturday not promised). A relative date that
    falls on a weekend moves to the Monday after, or, when it has passed, to the
    Friday before, so an overdue order stays overdue and an expected one expected."""
    day = _day(value, today)
    if day is None or day.weekday() < SATURDAY:
        return day
    if day < today:
        return day - dt.timedelta(days=day.weekday() - FRIDAY)
    return day + dt.timedelta(days=7 - day.weekday())


def _written(
    value: Any,
    today: dt.date,
    weekday: bool = False,
    year: bool = False,
    delivery: bool = False,
) -> str:
    """A store date the way replies write it: "Friday 27 November", "24 November",
    "15 October 2026"; "" when there is none. A ``delivery`` date is a working day
    (``delivery_day``)."""
    day = delivery_day(value, today) if delivery else _day(value, today)
    if day is None:
        return ""
    text = f"{day.day} {day:%B}" + (f" {day.year}" if year else "")
    return f"{day:%A} {text}" if weekday else text


def _order(raw: dict[str, Any], today: dt.date) -> Order:
    """An order from the store file, its dates written out."""
    return Order(
        **{
            **raw,
            "placed": _written(raw["placed"], today, weekday=True),
            "eta": _written(raw.get("eta"), today, weekday=True, delivery=True),
            "due": delivery_day(raw.get("eta"), today),
            "as_of": today,
        }
    )


def _key(reference: str) -> str:
    key = normalise_number(reference)
    if key is None:
        raise ValueError(f"demo store: not a valid reference: {reference!r}")
    return key


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@lru_cache(maxsize=1)
def demo_store() -> DemoStore:
    """The process-wide demo store, loaded on first use."""
    return DemoStore.from_file(STORE_FILE)
