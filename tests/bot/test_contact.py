"""Which messages of a waiting customer count as a follow-up contact."""

from __future__ import annotations

import pytest

from bot.contact import contact_request
from bot.handoff import ContactMethod


@pytest.mark.parametrize(
    ("text", "method", "contact"),
    [
        (
            "you can mail me at jo.berg+shop@example.net",
            ContactMethod.EMAIL,
            "jo.berg+shop@example.net",
        ),
        ("+44 20 7946 0958 any time", ContactMethod.CALLBACK, "+44 20 7946 0958"),
        ("0176 98765432", ContactMethod.CALLBACK, "0176 98765432"),
        ("please call me, 555-201-7788", ContactMethod.CALLBACK, "555-201-7788"),
    ],
)
def test_a_contact_is_recognised(
    text: str, method: ContactMethod, contact: str
) -> None:
    follow_up = contact_request(text)
    assert follow_up is not None
    assert (follow_up.method, follow_up.contact) == (method, contact)


@pytest.mark.parametrize(
    "text",
    [
        "order 300418862 still not here",
        "invoice 2024-118832 is wrong",
        "it's been 12 days",
        "my postcode is 10115",
        # someone else's address, given to find an order: not where to reach them
        "The order is 730915, it was placed with ann.berg@example.com, her address",
        "my dad's email is olaf@example.org if you need it for the order",
    ],
)
def test_numbers_that_are_not_contacts_are_left_alone(text: str) -> None:
    assert contact_request(text) is None
