"""A fake shop REST API: a small real HTTP server on 127.0.0.1 for the tests.

It stands in for a shop's order system (an external service) and speaks the contract
of docs/store.md, serving the demo data of a ``DemoStore`` on a fixed day, so
``actions.shop_api.ShopApiStore`` talks to it over real HTTP. It records every
request and can be told to misbehave: answer 500, answer something that is not JSON
or not an order, name a status we do not know, hang, or trickle its answer.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from actions.demo_store import DemoStore
from actions.store import Customer, Invoice, Order, OrderStatus, Refund

# How the fake misbehaves, for every request until told otherwise.
FAULTS = ("500", "not_json", "not_an_object", "unknown_status", "hang", "trickle")
HANG_LIMIT_S = 30.0  # a hanging answer is let go at the latest after this
TRICKLE_EVERY_S = 0.05  # one byte of the answer this often


@dataclass
class Request:
    """One request the adapter made."""

    method: str
    path: str
    authorization: str


@dataclass
class FakeShopAPI:
    """The fake server; ``with FakeShopAPI(store, token) as api: ...`` runs it."""

    store: DemoStore
    token: str = ""
    fault: str | None = None  # one of FAULTS, or None: behave
    refuse_cancel: bool = False  # 409 to every cancellation, the order unchanged
    requests: list[Request] = field(default_factory=list)
    _released: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """The base URL (``STORE_URL``)."""
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeShopAPI:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                api._answer(self, "GET")

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                api._answer(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self._released.set()  # hanging answers end now
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        """Answer one request as the contract says, or with the fault."""
        auth = handler.headers.get("Authorization", "")
        self.requests.append(Request(method, handler.path, auth))
        if self.token and auth != f"Bearer {self.token}":
            return _send(handler, 401, {"error": "unauthorised"})
        if self.fault == "hang":
            self._released.wait(HANG_LIMIT_S)  # far past any client timeout
            return _send(handler, 503, {"error": "too late"})
        if self.fault == "trickle":
            return self._trickle(handler)
        if self.fault == "500":
            return _send(handler, 500, {"error": "internal"})
        if self.fault == "not_json":
            return _send_raw(handler, 200, b"<html>Bad gateway</html>")
        if self.refuse_cancel and method == "POST":
            status, body = route(self.store, "GET", handler.path[: -len("/cancel")])
            return _send(handler, 409 if status == 200 else status, body)
        status, body = route(self.store, method, handler.path)
        if self.fault == "not_an_object" and status == 200:
            body = [body]
        if self.fault == "unknown_status" and status == 200:
            body = {**body, "status": "lost_in_space"}
        _send(handler, status, body)

    def _trickle(self, handler: BaseHTTPRequestHandler) -> None:
        """Headers at once, then one byte at a time: every read gets something."""
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        while not self._released.wait(TRICKLE_EVERY_S):
            try:
                handler.wfile.write(b" ")
                handler.wfile.flush()
            except OSError:
                return  # the client gave up


_ORDER = re.compile(r"^/orders/(\d+)$")
_REFUND = re.compile(r"^/orders/(\d+)/refund$")
_CANCEL = re.compile(r"^/orders/(\d+)/cancel$")
_INVOICE = re.compile(r"^/invoices/(\d+)$")
_CUSTOMER = re.compile(r"^/customers/([\w-]+)$")


def route(store: DemoStore, method: str, path: str) -> tuple[int, Any]:
    """The answer to ``method path`` from the demo data (docs/store.md)."""
    missing = (404, {"error": "not found"})
    if method == "POST" and (match := _CANCEL.match(path)):
        before = _run(store.order(match.group(1)))
        if before is None:
            return missing
        after = _run(store.cancel(before))
        cancelled = after.status is OrderStatus.CANCELLED and before.status != (
            OrderStatus.CANCELLED
        )
        return (200 if cancelled else 409), order_json(after)
    if method != "GET":
        return 405, {"error": "method not allowed"}
    if match := _ORDER.match(path):
        order = _run(store.order(match.group(1)))
        return (200, order_json(order)) if order else missing
    if match := _REFUND.match(path):
        refund = _run(store.refund_for(match.group(1)))
        return (200, refund_json(refund)) if refund else missing
    if match := _INVOICE.match(path):
        invoice = _run(store.invoice(match.group(1)))
        return (200, invoice_json(invoice)) if invoice else missing
    if match := _CUSTOMER.match(path):
        customer = _run(store.customer(match.group(1)))
        return (200, customer_json(customer)) if customer else missing
    return missing


def _run(coroutine: Any) -> Any:
    """The demo store's answer (its coroutines do no I/O; this thread has no loop)."""
    return asyncio.run(coroutine)


def order_json(order: Order) -> dict[str, Any]:
    """An order as the shop sends it."""
    return {
        "id": order.id,
        "customer": order.customer,
        "status": order.status.value,
        "placed": _iso(order.placed_on),
        "expected_delivery": _iso(order.due),
        "items": list(order.items),
        "total": order.total,
        "carrier": order.carrier,
        "tracking": order.tracking,
        "invoice": order.invoice,
    }


def refund_json(refund: Refund) -> dict[str, Any]:
    """A refund as the shop sends it."""
    return {
        "order": refund.order,
        "amount": refund.amount,
        "status": refund.status.value,
        "method": refund.method,
        "updated": _iso(refund.updated_on),
    }


def invoice_json(invoice: Invoice) -> dict[str, Any]:
    """An invoice as the shop sends it."""
    return {
        "id": invoice.id,
        "order": invoice.order,
        "total": invoice.total,
        "date": _iso(invoice.issued),
    }


def customer_json(customer: Customer) -> dict[str, Any]:
    """A customer as the shop sends it."""
    return {
        "id": customer.id,
        "name": customer.name,
        "first_name": customer.first_name,
        "customer_since": customer.customer_since,
        "tier": customer.tier,
        "email": customer.email,
        "postcode": customer.postcode,
    }


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def _send(handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
    _send_raw(handler, status, json.dumps(body).encode())


def _send_raw(handler: BaseHTTPRequestHandler, status: int, data: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
