"""The demo shop backend: customers, orders, refunds and invoices from a YAML file.

The default ``Store`` (``STORE_BACKEND=actions.demo_store:DemoStore``). Its dates are
days relative to today (data/store/demo_store.yml: ``placed: -5``), turned into dates
on every read against the store's clock, so the demo world is always current: an
order due in two days is due in two days whenever it is asked about, and one due four
days ago is four days late. Cancellations are kept in memory.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import yaml

from actions.paths import STORE_FILE
from actions.store import (
    Clock,
    Customer,
    Invoice,
    Order,
    OrderStatus,
    Refund,
    RefundStatus,
    Store,
    StoreConfigError,
    normalise_number,
    utc_today,
)

FRIDAY, SATURDAY = 4, 5  # date.weekday()
# The demo's "today" as an ISO date (a fixed day for demos and screenshots).
TODAY_VARIABLE = "DEMO_STORE_TODAY"


class DemoStore(Store):
    """The demo data, read from ``path``; ``clock`` says which day it is."""

    def __init__(self, path: Path = STORE_FILE, clock: Clock = utc_today) -> None:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.clock = clock
        self.customers = {c["id"]: Customer(**c) for c in raw["customers"]}
        self._orders = {_key(o["id"]): o for o in raw["orders"]}
        self._refunds = {_key(r["order"]): r for r in raw["refunds"]}
        self._invoices = {_key(i["id"]): i for i in raw["invoices"]}
        self._cancelled: set[str] = set()
        # an unknown status fails now, not when a customer asks
        for order in self._orders.values():
            OrderStatus(order["status"])
        for refund in self._refunds.values():
            RefundStatus(refund["status"])

    @classmethod
    def from_env(cls) -> DemoStore:
        """The demo store of ``DEMO_STORE_FILE``, its clock fixed to
        ``DEMO_STORE_TODAY`` (YYYY-MM-DD) when that is set."""
        fixed = os.environ.get(TODAY_VARIABLE, "").strip()
        if not fixed:
            return cls()
        try:
            day = dt.date.fromisoformat(fixed)
        except ValueError:
            raise StoreConfigError(
                f"{TODAY_VARIABLE}={fixed!r}: expected a date, YYYY-MM-DD"
            ) from None
        return cls(clock=lambda: day)

    def numbers(self) -> list[str]:
        """Every order number of the demo data (for tests and the fake shop API)."""
        return list(self._orders)

    async def find_order(self, number: str) -> Order | None:
        """The order, its dates counted from today."""
        raw = self._orders.get(number)
        return self._order(raw, self.clock(), number) if raw else None

    async def find_refund(self, order_number: str) -> Refund | None:
        """The refund of the order, if any."""
        raw = self._refunds.get(order_number)
        if raw is None:
            return None
        return Refund(
            order=str(raw["order"]),
            amount=str(raw["amount"]),
            status=RefundStatus(raw["status"]),
            method=str(raw.get("method", "")),
            updated_on=relative_day(raw.get("updated"), self.clock()),
        )

    async def find_invoice(self, number: str) -> Invoice | None:
        """The invoice, if any."""
        raw = self._invoices.get(number)
        if raw is None:
            return None
        return Invoice(
            id=str(raw["id"]),
            order=str(raw["order"]),
            total=str(raw["total"]),
            issued=relative_day(raw.get("date"), self.clock()),
        )

    async def find_customer(self, customer_id: str) -> Customer | None:
        """The customer, if any."""
        return self.customers.get(customer_id)

    async def cancel_order(self, number: str) -> Order:
        """Cancel an order still being prepared (in memory); any other stays."""
        order = await self.find_order(number)
        if order is None:
            raise KeyError(number)
        if order.status is OrderStatus.PROCESSING:
            self._cancelled.add(number)
            order = self._order(self._orders[number], self.clock(), number)
            if number not in self._refunds and order.total:
                # what was paid goes back, as a shop's backend would record it
                self._refunds[number] = {
                    "order": order.id,
                    "amount": order.total,
                    "status": RefundStatus.APPROVED.value,
                    "method": "original payment method",
                    "updated": 0,
                }
        return order

    def _order(self, raw: dict[str, Any], today: dt.date, number: str) -> Order:
        """An order of the store file on ``today``."""
        status = OrderStatus(raw["status"])
        if number in self._cancelled:
            status = OrderStatus.CANCELLED
        return Order(
            id=str(raw["id"]),
            customer=str(raw["customer"]),
            status=status,
            as_of=today,
            items=tuple(raw.get("items", ())),
            total=str(raw.get("total", "")),
            placed_on=relative_day(raw.get("placed"), today),
            due=delivery_day(raw.get("eta"), today),
            carrier=str(raw.get("carrier", "")),
            tracking=str(raw.get("tracking", "")),
            invoice=str(raw.get("invoice", "")),
        )


def relative_day(value: Any, today: dt.date) -> dt.date | None:
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
    day = relative_day(value, today)
    if day is None or day.weekday() < SATURDAY:
        return day
    if day < today:
        return day - dt.timedelta(days=day.weekday() - FRIDAY)
    return day + dt.timedelta(days=7 - day.weekday())


def _key(reference: Any) -> str:
    key = normalise_number(str(reference))
    if key is None:
        raise ValueError(f"demo store: not a valid reference: {reference!r}")
    return key
