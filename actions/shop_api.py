"""A ``Store`` over a shop's REST API (``actions.shop_api:ShopApiStore``).

The contract it expects (paths, JSON fields, status codes) is in docs/store.md. Its
settings come from the environment: ``STORE_URL`` (the API's base URL), ``STORE_TOKEN``
(sent as ``Authorization: Bearer ...``) and ``STORE_TIMEOUT_SECONDS`` (the most one
request may take, 3 by default). A timeout, a refused connection, an HTTP error, or
an answer it cannot read (not JSON, a missing field, an unknown status) raises
``StoreUnavailable``; 404 means "no such order" (None).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

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
    StoreUnavailable,
    utc_today,
)

logger = logging.getLogger(__name__)

URL_VARIABLE = "STORE_URL"
TOKEN_VARIABLE = "STORE_TOKEN"  # noqa: S105 - the name of the variable
TIMEOUT_VARIABLE = "STORE_TIMEOUT_SECONDS"
DEFAULT_TIMEOUT_S = 3.0
T = TypeVar("T")


class ShopApiStore(Store):
    """Orders, refunds, invoices and customers from the shop's REST API."""

    def __init__(
        self,
        base_url: str,
        token: str = "",
        timeout: float = DEFAULT_TIMEOUT_S,
        clock: Clock = utc_today,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.clock = clock
        self._headers = {"Accept": "application/json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def from_env(cls) -> ShopApiStore:
        """The adapter configured by ``STORE_URL``, ``STORE_TOKEN`` and
        ``STORE_TIMEOUT_SECONDS``."""
        url = os.environ.get(URL_VARIABLE, "").strip()
        if not url.startswith(("http://", "https://")):
            raise StoreConfigError(
                f"{URL_VARIABLE}={url!r}: the shop API's base URL (http:// or "
                "https://) is needed for actions.shop_api:ShopApiStore"
            )
        raw = os.environ.get(TIMEOUT_VARIABLE, "").strip() or str(DEFAULT_TIMEOUT_S)
        try:
            timeout = float(raw)
        except ValueError:
            timeout = 0.0
        if not 0 < timeout <= 60:
            raise StoreConfigError(f"{TIMEOUT_VARIABLE}={raw!r}: seconds, 0-60")
        return cls(url, os.environ.get(TOKEN_VARIABLE, ""), timeout)

    async def find_order(self, number: str) -> Order | None:
        """``GET /orders/{number}``."""
        return await self._get(f"/orders/{number}", "order", order_from_json)

    async def find_refund(self, order_number: str) -> Refund | None:
        """``GET /orders/{number}/refund``."""
        path = f"/orders/{order_number}/refund"
        return await self._get(path, "refund", refund_from_json)

    async def find_invoice(self, number: str) -> Invoice | None:
        """``GET /invoices/{number}`` (the invoice number's digits)."""
        return await self._get(f"/invoices/{number}", "invoice", invoice_from_json)

    async def find_customer(self, customer_id: str) -> Customer | None:
        """``GET /customers/{id}``."""
        path = f"/customers/{quote(customer_id, safe='')}"
        return await self._get(path, "customer", customer_from_json)

    async def cancel_order(self, number: str) -> Order:
        """``POST /orders/{number}/cancel``: the order afterwards (200 cancelled,
        409 when it can no longer be cancelled, with the order as it is)."""
        data = await self._call("POST", f"/orders/{number}/cancel", ok=(200, 409))
        if data is None:
            raise _unavailable(f"POST /orders/{number}/cancel: 404 for a known order")
        return _read("order", order_from_json, data, self.clock())

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _get(
        self, path: str, kind: str, parse: Callable[[dict[str, Any], dt.date], T]
    ) -> T | None:
        """The ``kind`` record at ``path``, or None (404)."""
        data = await self._call("GET", path)
        return None if data is None else _read(kind, parse, data, self.clock())

    def _http(self) -> httpx.AsyncClient:
        """The client of the running event loop (a pool belongs to one loop)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = httpx.AsyncClient(
                base_url=self.base_url,
                headers=self._headers,
                timeout=httpx.Timeout(self.timeout),
                follow_redirects=False,
            )
            self._loop = loop
        return self._client

    async def _call(
        self, method: str, path: str, ok: tuple[int, ...] = (200,)
    ) -> Any | None:
        """The decoded JSON answer to one request; None for 404. Everything else
        that is not ``ok`` within ``timeout`` seconds raises StoreUnavailable."""
        try:
            # the whole exchange, not only each read: a server trickling bytes
            # cannot hold a customer's turn
            async with asyncio.timeout(self.timeout):
                response = await self._http().request(method, path)
        except TimeoutError:
            raise _unavailable(
                f"{method} {path}: no answer in {self.timeout}s"
            ) from None
        except httpx.HTTPError as error:
            raise _unavailable(f"{method} {path}: {type(error).__name__}") from error
        if response.status_code == 404:
            return None
        if response.status_code not in ok:
            raise _unavailable(f"{method} {path}: HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise _unavailable(f"{method} {path}: the answer is not JSON") from None


def _unavailable(why: str) -> StoreUnavailable:
    logger.warning("shop API: %s", why)
    return StoreUnavailable(why)


def _read(
    kind: str,
    parse: Callable[[dict[str, Any], dt.date], T],
    data: Any,
    today: dt.date,
) -> T:
    """``data`` read as a ``kind`` record, or StoreUnavailable saying why not."""
    try:
        if not isinstance(data, dict):
            raise TypeError("not a JSON object")
        return parse(data, today)
    except (KeyError, TypeError, ValueError) as error:
        raise _unavailable(f"an unreadable {kind}: {error!r}") from None


def order_from_json(data: dict[str, Any], today: dt.date) -> Order:
    """An order of the API (docs/store.md); an unknown status is a ValueError."""
    items = data.get("items") or []
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise TypeError("items: a list of strings")
    return Order(
        id=_text(data, "id", required=True),
        customer=_text(data, "customer", required=True),
        status=OrderStatus(data["status"]),
        as_of=today,
        items=tuple(items),
        total=_text(data, "total"),
        placed_on=_date(data, "placed"),
        due=_date(data, "expected_delivery"),
        carrier=_text(data, "carrier"),
        tracking=_text(data, "tracking"),
        invoice=_text(data, "invoice"),
    )


def refund_from_json(data: dict[str, Any], today: dt.date) -> Refund:
    """A refund of the API (docs/store.md)."""
    return Refund(
        order=_text(data, "order", required=True),
        amount=_text(data, "amount", required=True),
        status=RefundStatus(data["status"]),
        method=_text(data, "method"),
        updated_on=_date(data, "updated"),
    )


def invoice_from_json(data: dict[str, Any], today: dt.date) -> Invoice:
    """An invoice of the API (docs/store.md)."""
    return Invoice(
        id=_text(data, "id", required=True),
        order=_text(data, "order", required=True),
        total=_text(data, "total"),
        issued=_date(data, "date"),
    )


def customer_from_json(data: dict[str, Any], today: dt.date) -> Customer:
    """A customer of the API (docs/store.md)."""
    return Customer(
        id=_text(data, "id", required=True),
        name=_text(data, "name"),
        first_name=_text(data, "first_name"),
        customer_since=_text(data, "customer_since"),
        tier=_text(data, "tier"),
        email=_text(data, "email"),
        postcode=_text(data, "postcode"),
    )


def _text(data: dict[str, Any], name: str, required: bool = False) -> str:
    """A string field ("" when absent or null)."""
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise TypeError(f"{name}: a string")
    if required and not value:
        raise ValueError(f"{name}: missing")
    return value


def _date(data: dict[str, Any], name: str) -> dt.date | None:
    """A date field, ``YYYY-MM-DD`` (None when absent, null or "")."""
    value = data.get(name)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name}: a date, YYYY-MM-DD")
    return dt.date.fromisoformat(value)
