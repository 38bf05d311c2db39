"""The demo store and how order/invoice numbers are read from customer text."""

import pytest

from actions.store import demo_store, find_number, normalise_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("48213", "48213"),
        ("#48213", "48213"),
        ("it's 0048213 thanks", "48213"),
        ("order no. 4821 3", "48213"),
        ("INV-20931", "20931"),
        ("my number is 771-204-385", "771204385"),
        ("", None),
        ("I don't have it", None),
        ("call me at 5pm", None),
        ("123", None),
        ("1234567890123456789", None),
    ],
)
def test_find_number(text: str, expected: str | None) -> None:
    assert find_number(text) == expected


def test_normalise_number_rejects_non_numbers() -> None:
    assert normalise_number(None) is None
    assert normalise_number("abc") is None
    assert normalise_number("12") is None
    assert normalise_number("#00042") == "42"


def test_lookups_by_any_spelling() -> None:
    store = demo_store()
    order = store.order("#0048213")
    assert order is not None and order.id == "48213"
    invoice = store.invoice("20931")
    assert invoice is not None and invoice.order == "48213"
    assert store.invoice_for_order("48213") == invoice
    assert store.order("99999999") is None


def test_every_order_refers_to_a_known_customer_and_invoice() -> None:
    store = demo_store()
    for order in store.orders.values():
        assert store.customer(order.customer) is not None, order.id
        if order.status != "cancelled":
            assert store.invoice(order.invoice) is not None, order.id
