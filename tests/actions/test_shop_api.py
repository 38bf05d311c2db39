"""The shop REST API adapter against a real HTTP server, the choice of backend by
STORE_BACKEND, and what the customer hears when the order system fails."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from rasa_sdk.events import ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.demo_store import DemoStore
from actions.language import language_book
from actions.lookups import CANCEL_OUTCOMES, ActionOrderLookup
from actions.paths import ROOT
from actions.proof_form import ValidateOrderForm
from actions.replies import reply_book
from actions.shop_api import ShopApiStore
from actions.store import (
    OrderStatus,
    StoreConfigError,
    StoreUnavailable,
    load_store,
    use_store,
)
from actions.unclear import ActionNotUnderstood
from tests.actions.conftest import TODAY, demo_on, load_tracker, owner, says
from tests.actions.test_offers import conversation
from tests.fakes.shop_api import FAULTS, FakeShopAPI

TOKEN = "shop-test-token"
TIMEOUT_S = 0.5  # the adapter's limit per request in these tests
# Far beyond TIMEOUT_S on any machine, far below the fake's HANG_LIMIT_S: a failure
# that took this long was waited out, not cut off.
PROMPT_S = 10.0


@pytest.fixture
def api() -> Iterator[FakeShopAPI]:
    """The fake shop API over the demo data on TODAY."""
    with FakeShopAPI(demo_on(TODAY), token=TOKEN) as running:
        yield running


def adapter(api: FakeShopAPI, today: dt.date = TODAY) -> ShopApiStore:
    """The adapter pointed at ``api``, its clock on ``today``."""
    return ShopApiStore(api.url, TOKEN, timeout=TIMEOUT_S, clock=lambda: today)


async def test_the_adapter_reads_what_the_shop_holds(api: FakeShopAPI) -> None:
    """Every order, refund, invoice and customer comes through the REST contract
    as the same record the shop has, with the token on every request."""
    shop, demo = adapter(api), demo_on(TODAY)
    for number in demo.numbers():
        order = await shop.order(number)
        assert order == await demo.order(number)
        assert order is not None
        assert await shop.refund_for(number) == await demo.refund_for(number)
        assert await shop.invoice_for_order(number) == (
            await demo.invoice_for_order(number)
        )
        assert await shop.customer(order.customer) == (
            await demo.customer(order.customer)
        )
    assert api.requests and {r.authorization for r in api.requests} == {
        f"Bearer {TOKEN}"
    }
    order = await shop.order("#0048213")  # any spelling: the digits are asked for
    assert order is not None and order.status is OrderStatus.SHIPPED
    assert api.requests[-1].path == "/orders/48213"
    await shop.aclose()


async def test_404_is_no_such_order(api: FakeShopAPI) -> None:
    shop = adapter(api)
    assert await shop.order("99999999") is None
    assert await shop.refund_for("5520174") is None  # an order without a refund
    assert await shop.invoice("INV-99999") is None
    assert await shop.customer("c-9999") is None
    assert [r.path for r in api.requests] == [
        "/orders/99999999",
        "/orders/5520174/refund",
        "/invoices/99999",
        "/customers/c-9999",
    ]


async def test_cancelling_through_the_api(api: FakeShopAPI) -> None:
    """Cancelled while it is being prepared (200); a shipped one stays (409)."""
    shop = adapter(api)
    order = await shop.order("5520174")
    assert order is not None and order.status is OrderStatus.PROCESSING
    cancelled = await shop.cancel(order)
    assert cancelled.status is OrderStatus.CANCELLED
    shipped = await shop.order("48213")
    assert shipped is not None
    assert (await shop.cancel(shipped)).status is OrderStatus.SHIPPED
    assert [r.method for r in api.requests].count("POST") == 2


async def test_a_cancellation_the_shop_refuses_is_not_called_done(
    api: FakeShopAPI,
) -> None:
    """The order is still being prepared but the shop says no (409): the customer
    is told it is not cancelled, and offered a person who can try."""
    api.refuse_cancel = True
    shop = adapter(api)
    use_store(shop)
    tracker = load_tracker(
        "cancel_after_form", order_id="5520174", verified_customer=owner("5520174")
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    order = await shop.order("5520174")
    assert order is not None and order.status is OrderStatus.PROCESSING
    assert says(message["text"], "cancel_order.refused", **order.values())
    assert not says(message["text"], "cancel_order.cancellable", **order.values())
    assert reply_book().offer(message["text"]) == "handoff"
    assert ("POST", "/orders/5520174/cancel") in {
        (r.method, r.path) for r in api.requests
    }


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_failing_shop_is_unavailable_promptly(
    api: FakeShopAPI, fault: str
) -> None:
    """500, not JSON, not an order, an unknown status, no answer at all, an answer
    that never ends: StoreUnavailable within the timeout, never a hang."""
    api.fault = fault
    shop = adapter(api)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        await shop.order("48213")
    assert time.monotonic() - started < PROMPT_S
    assert len(api.requests) == 1  # asked once, not retried into a longer wait


async def test_a_wrong_token_or_no_server_is_unavailable(api: FakeShopAPI) -> None:
    wrong = ShopApiStore(api.url, "not-the-token", timeout=TIMEOUT_S)
    with pytest.raises(StoreUnavailable, match="401"):
        await wrong.order("48213")
    url = api.url
    api.__exit__()  # the shop's server is gone: connection refused
    with pytest.raises(StoreUnavailable):
        await ShopApiStore(url, TOKEN, timeout=TIMEOUT_S).order("48213")


async def test_an_order_past_its_expected_day_is_late(api: FakeShopAPI) -> None:
    """The shop's dates are fixed; read a week later, an order that has not been
    delivered by its expected day is late, and the answer says so with a person."""
    later = TODAY + dt.timedelta(days=7)
    shop = adapter(api, today=later)
    order = await shop.order("48213")  # shipped, expected two days after TODAY
    assert order is not None and order.due is not None
    assert TODAY < order.due < later and order.late
    delivered = await shop.order("730915")
    assert delivered is not None and not delivered.late
    use_store(shop)
    tracker = conversation(
        [("customer", "any news on order 48213?", "track_order")],
        "late-from-api",
        order_id="48213",
        verified_customer=owner("48213"),
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert says(message["text"], "track_order.shipped_late", **order.values())
    assert reply_book().offer(message["text"]) == "handoff"


def unreachable_variations() -> set[str]:
    book = reply_book()
    return {book.pick("order.unreachable") for _ in range(100)}


@pytest.mark.parametrize("fault", ["hang", "500", "unknown_status"])
async def test_the_order_system_down_is_said_honestly_and_a_person_comes(
    api: FakeShopAPI, own_queue: str, fault: str
) -> None:
    """The lookup does not hang or pretend: it says the order system cannot be
    reached, and a person is brought in (the chat is paused for them)."""
    api.fault = fault
    use_store(adapter(api))
    tracker = conversation(
        [("customer", "where is my order 48213?", "track_order")],
        f"store-down-{fault}",
        order_id="48213",
        verified_customer=owner("48213"),
    )
    dispatcher = CollectingDispatcher()
    started = time.monotonic()
    events = await ActionOrderLookup().run(dispatcher, tracker, {})
    assert time.monotonic() - started < PROMPT_S
    honest, handoff = (m["text"] for m in dispatcher.messages)
    assert honest in unreachable_variations()
    # nothing about the order is made up: neither its carrier nor its tracking
    known = await demo_on(TODAY).order("48213")
    assert known is not None
    assert known.tracking not in honest + handoff
    assert known.carrier not in honest + handoff
    assert ConversationPaused() in events and SlotSet("handoff", True) in events


async def test_a_form_with_the_order_system_down_asks_for_no_proof(
    api: FakeShopAPI,
) -> None:
    """The proof cannot be checked: the form does not ask for it (nor count a
    wrong try), so the lookup can say what is wrong and bring in a person."""
    api.fault = "500"
    use_store(adapter(api))
    tracker = conversation(
        [("customer", "where is order 48213?", "track_order"), ("form", "", None)],
        "form-store-down",
        order_id="48213",
    )
    form = ValidateOrderForm()
    dispatcher = CollectingDispatcher()
    slots = ["order_id", "order_proof"]
    assert await form.required_slots(slots, dispatcher, tracker, {}) == ["order_id"]
    checked = await form.validate_order_proof("SE-113 56", dispatcher, tracker, {})
    assert checked == {"order_proof": None}  # no try counted
    assert await form.validate_order_id("48213", dispatcher, tracker, {}) == {
        "order_id": "48213"
    }


async def test_the_order_system_down_is_said_in_the_customers_language(
    api: FakeShopAPI, own_queue: str
) -> None:
    api.fault = "hang"
    use_store(adapter(api))
    tracker = conversation(
        [
            (
                "customer",
                "Wo ist meine Bestellung 48213? Ich mache mir langsam Sorgen.",
                "nlu_fallback",
            )
        ],
        "web-de-store-down",
        customer=owner("48213"),
    )
    dispatcher = CollectingDispatcher()
    events = await ActionNotUnderstood().run(dispatcher, tracker, {})
    honest, handoff = (m["text"] for m in dispatcher.messages)
    assert honest == language_book().say("de", "order.unreachable")
    german = language_book().languages["de"]
    assert german.handoff in handoff  # the person is announced in German too
    assert ConversationPaused() in events


def test_every_status_has_its_answers() -> None:
    """A status is answered by its own replies, in English and every language."""
    book = reply_book()
    for status in OrderStatus:
        for key in ("track_order", "return"):
            assert book.has(f"{key}.{status}"), (key, status)
        # one being prepared is cancelled, or the shop refuses: CANCEL_OUTCOMES
        if status is not OrderStatus.PROCESSING:
            assert book.has(f"cancel_order.{status}"), status
        for code in language_book().languages:
            assert language_book().has(code, f"order.{status}"), (code, status)
    assert all(book.has(key) for key in CANCEL_OUTCOMES.values())
    for code in language_book().languages:
        assert language_book().has(code, "order.unreachable"), code


def test_the_backend_is_chosen_by_store_backend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("STORE_BACKEND", raising=False)
    assert isinstance(load_store(), DemoStore)
    monkeypatch.setenv("STORE_BACKEND", "actions.shop_api:ShopApiStore")
    monkeypatch.setenv("STORE_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("STORE_TIMEOUT_SECONDS", "1.5")
    chosen = load_store()
    assert isinstance(chosen, ShopApiStore)
    assert (chosen.base_url, chosen.timeout) == ("http://127.0.0.1:9/api", 1.5)


@pytest.mark.parametrize(
    ("backend", "url", "named"),
    [
        ("actions.demo_store", "", "STORE_BACKEND"),  # no class
        ("actions.nowhere:Store", "", "STORE_BACKEND"),
        ("actions.demo_store:Nothing", "", "STORE_BACKEND"),
        ("actions.store:utc_today", "", "STORE_BACKEND"),  # not a Store
        ("actions.shop_api:ShopApiStore", "", "STORE_URL"),
        ("actions.shop_api:ShopApiStore", "ftp://shop", "STORE_URL"),
    ],
)
def test_a_bad_backend_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, backend: str, url: str, named: str
) -> None:
    monkeypatch.setenv("STORE_BACKEND", backend)
    monkeypatch.setenv("STORE_URL", url)
    with pytest.raises(StoreConfigError, match=named):
        load_store()


def test_the_action_server_refuses_to_start_with_a_bad_backend() -> None:
    """Read once, at the start: the server stops at once and says which variable."""
    env = {**os.environ, "STORE_BACKEND": "shop.backend:Missing"}
    result = subprocess.run(
        [sys.executable, "-m", "actions.server", "--port", "9"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0
    assert "Cannot start: STORE_BACKEND='shop.backend:Missing'" in result.stderr
