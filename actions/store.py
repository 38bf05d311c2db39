"""The shop's backend as the actions see it: records, statuses and the ``Store`` API.

Every order, refund, invoice and customer the bot talks about comes from a ``Store``:
an async interface with two implementations here, the demo store
(``actions.demo_store.DemoStore``, the default) and an adapter for a shop's REST API
(``actions.shop_api.ShopApiStore``). Which one the action server uses is set by
``STORE_BACKEND=module:Class`` (docs/store.md), read once when it starts. A backend
that cannot answer raises ``StoreUnavailable``; the actions then say so honestly and
bring in a person (actions/voice.py).
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from actions.numbers import normalise_number

Clock = Callable[[], dt.date]  # the day the store's answers describe


def utc_today() -> dt.date:
    """Today's date in UTC (the stores' default clock)."""
    return dt.datetime.now(dt.UTC).date()


class OrderStatus(StrEnum):
    """Where an order is. Each value has replies of its own: ``track_order.<status>``,
    ``cancel_order.<status>`` and ``return.<status>`` in data/replies/answers.yml,
    ``order.<status>`` for every language in data/replies/languages.yml."""

    PROCESSING = "processing"  # paid, being prepared, not shipped yet
    SHIPPED = "shipped"  # with the carrier
    DELIVERED = "delivered"  # the carrier delivered it
    CANCELLED = "cancelled"  # will not be shipped; the payment goes back


class RefundStatus(StrEnum):
    """Where a refund is (replies ``track_refund.<status>``)."""

    REQUESTED = "requested"  # asked for, not yet approved
    APPROVED = "approved"  # approved, the money not yet sent
    PAID = "paid"  # sent back to the payment method


class StoreUnavailable(Exception):
    """The backend could not answer: it timed out, failed, or answered something we
    cannot read (malformed JSON, an unknown status). Not "no such order" (None)."""


class StoreConfigError(ValueError):
    """``STORE_BACKEND`` (or a backend's own setting) is unusable; the message names
    the variable. The action server refuses to start with it."""


@dataclass(frozen=True)
class Customer:
    """A shop customer."""

    id: str
    name: str
    first_name: str
    customer_since: str = ""
    tier: str = ""
    email: str = ""  # what proves an order is theirs (actions/identity.py)
    postcode: str = ""


# Unused items come back within this many days of delivery (the returns policy the
# replies state); after that an answer about a delivered order says it has closed.
RETURN_DAYS = 30


@dataclass(frozen=True)
class Order:
    """One order and its delivery state, as of the day ``as_of``."""

    id: str
    customer: str
    status: OrderStatus
    as_of: dt.date  # the day the store answered for ("today")
    items: tuple[str, ...] = ()
    total: str = ""
    placed_on: dt.date | None = None
    # the expected delivery day; for a delivered order the day it was delivered
    due: dt.date | None = None
    carrier: str = ""
    tracking: str = ""
    invoice: str = ""  # the invoice's number ("INV-20931"), "" when none

    @property
    def placed(self) -> str:
        """The day it was ordered, as replies write it ("Friday 27 November")."""
        return written(self.placed_on, weekday=True)

    @property
    def eta(self) -> str:
        """The expected (or actual) delivery day, as replies write it."""
        return written(self.due, weekday=True)

    @property
    def late(self) -> bool:
        """Shipped or being prepared, and the expected day has passed."""
        return (
            self.status in (OrderStatus.SHIPPED, OrderStatus.PROCESSING)
            and self.due is not None
            and self.due < self.as_of
        )

    @property
    def return_closed(self) -> bool:
        """Delivered more than RETURN_DAYS ago: too late to return unused items."""
        return (
            self.status is OrderStatus.DELIVERED
            and self.due is not None
            and (self.as_of - self.due).days > RETURN_DAYS
        )

    def values(self) -> dict[str, Any]:
        """Placeholder values for reply templates."""
        return {
            "order_id": self.id,
            "items": _join(self.items),
            "status": self.status.value,
            "carrier": self.carrier,
            "tracking": self.tracking,
            "eta": self.eta,
            "placed": self.placed,
            "total": self.total,
            "late": self.late,
            "return_closed": self.return_closed,
            # for comparing with a day the customer needs it by (ISO dates)
            "due": self.due.isoformat() if self.due else "",
            "as_of": self.as_of.isoformat(),
        }


@dataclass(frozen=True)
class Refund:
    """A refund for an order."""

    order: str
    amount: str
    status: RefundStatus
    method: str = ""
    updated_on: dt.date | None = None

    @property
    def updated(self) -> str:
        """The day it last changed, as replies write it ("24 November")."""
        return written(self.updated_on)

    def values(self) -> dict[str, Any]:
        """Placeholder values for reply templates."""
        return {
            "order_id": self.order,
            "amount": self.amount,
            "status": self.status.value,
            "updated": self.updated,
            "method": self.method,
        }


@dataclass(frozen=True)
class Invoice:
    """An invoice for an order."""

    id: str
    order: str
    total: str
    issued: dt.date | None = None

    @property
    def date(self) -> str:
        """The day it was issued, as replies write it ("15 October 2026")."""
        return written(self.issued, year=True)

    def values(self) -> dict[str, Any]:
        """Placeholder values for reply templates."""
        return {
            "invoice_id": self.id,
            "order_id": self.order,
            "date": self.date,
            "total": self.total,
        }


class Store(ABC):
    """The shop backend: an async interface the actions await.

    A backend implements the five ``find_*``/``cancel_order`` coroutines. Numbers
    reach them normalised (digits only, no leading zeros: "INV-0020931" ->
    "20931"). Each returns None for "no such thing" and raises ``StoreUnavailable``
    when it cannot tell (timeout, error, an answer it cannot read); it must not
    block the event loop (use an async client, or ``asyncio.to_thread``). The
    actions call the methods below, which take numbers in any spelling.
    """

    @abstractmethod
    async def find_order(self, number: str) -> Order | None:
        """The order with this (normalised) number, or None."""

    @abstractmethod
    async def find_refund(self, order_number: str) -> Refund | None:
        """The refund of this order, or None when there is none."""

    @abstractmethod
    async def find_invoice(self, number: str) -> Invoice | None:
        """The invoice with this (normalised) number, or None."""

    @abstractmethod
    async def find_customer(self, customer_id: str) -> Customer | None:
        """The customer with this id, or None."""

    @abstractmethod
    async def cancel_order(self, number: str) -> Order:
        """Cancel the order if it can still be cancelled; the order afterwards
        (still in its old status when it could not be)."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook, nothing to close
        """Release connections (the action server calls it when it stops)."""

    async def order(self, reference: str | None) -> Order | None:
        """The order with this number in any spelling ("#0048213"), if any."""
        key = normalise_number(reference)
        return await self.find_order(key) if key else None

    async def refund_for(self, order_reference: str | None) -> Refund | None:
        """The refund of this order, if one exists."""
        key = normalise_number(order_reference)
        return await self.find_refund(key) if key else None

    async def invoice(self, reference: str | None) -> Invoice | None:
        """The invoice with this number ("INV-20931" or "20931"), if any."""
        key = normalise_number(reference)
        return await self.find_invoice(key) if key else None

    async def invoice_for_order(self, order_reference: str | None) -> Invoice | None:
        """The invoice of an order, if the order exists and has one."""
        order = await self.order(order_reference)
        return await self.invoice(order.invoice) if order and order.invoice else None

    async def customer(self, customer_id: str | None) -> Customer | None:
        """A customer by id."""
        return await self.find_customer(customer_id) if customer_id else None

    async def cancel(self, order: Order) -> Order:
        """Cancel ``order`` if it can be; its state afterwards."""
        return await self.cancel_order(_key(order.id))


def written(day: dt.date | None, weekday: bool = False, year: bool = False) -> str:
    """A date the way replies write it: "Friday 27 November", "24 November",
    "15 October 2026"; "" when there is none."""
    if day is None:
        return ""
    text = f"{day.day} {day:%B}" + (f" {day.year}" if year else "")
    return f"{day:%A} {text}" if weekday else text


def _key(reference: str) -> str:
    key = normalise_number(reference)
    if key is None:
        raise ValueError(f"not a valid order or invoice number: {reference!r}")
    return key


def _join(items: tuple[str, ...] | list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


BACKEND_VARIABLE = "STORE_BACKEND"
DEFAULT_BACKEND = "actions.demo_store:DemoStore"


def load_store(spec: str | None = None) -> Store:
    """The backend ``spec`` names (``module:Class``; by default ``STORE_BACKEND``,
    else the demo store), built by the class's ``from_env()`` when it has one, else
    by calling it with no arguments.

    Raises:
        StoreConfigError: the spec cannot be imported or does not make a ``Store``;
            the message names ``STORE_BACKEND``.
    """
    spec = spec or os.environ.get(BACKEND_VARIABLE, "").strip() or DEFAULT_BACKEND
    where = f"{BACKEND_VARIABLE}={spec!r}"
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise StoreConfigError(
            f"{where}: expected module:Class, e.g. {DEFAULT_BACKEND}"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise StoreConfigError(
            f"{where}: cannot import {module_name}: {error}"
        ) from None
    factory = getattr(module, attr, None)
    if factory is None:
        raise StoreConfigError(f"{where}: {module_name} has no {attr}")
    build = getattr(factory, "from_env", factory)
    if not callable(build):
        raise StoreConfigError(f"{where}: {attr} is not a class")
    try:
        made = build()
    except TypeError as error:
        raise StoreConfigError(f"{where}: cannot build {attr}: {error}") from None
    if not isinstance(made, Store):
        raise StoreConfigError(f"{where}: {attr} is not an actions.store.Store")
    return made


_current: Store | None = None


def store() -> Store:
    """The action server's store: loaded from ``STORE_BACKEND`` on first use (the
    server does that at start, ``actions.server.warm_up``)."""
    global _current
    if _current is None:
        _current = load_store()
    return _current


def use_store(backend: Store | None) -> Store | None:
    """Make ``backend`` the store the actions use (None: load it from the
    environment again on next use); returns the one before. For tests and
    embedding."""
    global _current
    before, _current = _current, backend
    return before
