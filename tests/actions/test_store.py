"""The demo store and how order/invoice numbers are read from customer text."""

import pytest

from actions.store import (
    demo_store,
    find_number,
    is_phone_part,
    normalise_number,
    phone_digits,
)


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


@pytest.mark.parametrize(
    "text",
    [
        "you can call me on 07700 900123",
        "my mobile is +44 7700 900123",
        "ring me: 0049-30-123456",
        "tel. 030 12345678",
        "07700900123",
    ],
)
def test_a_telephone_number_is_not_an_order_number(text: str) -> None:
    assert find_number(text) is None
    assert is_phone_part(phone_digits(text)[0][-6:], text)


def test_an_order_number_next_to_a_phone_number_is_found() -> None:
    text = "order 228810, and my phone is 01632 960472"
    assert find_number(text) == "228810"
    assert not is_phone_part("228810", text)
