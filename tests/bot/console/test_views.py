"""How the console names a waiting customer (bot/console/views.py): a Telegram
customer by their @username when they have one, never by their user number; other
channels' customer ids as before. No Redis."""

from __future__ import annotations

from bot.console.views import customer_handle, queue_item
from bot.handoff import Customer, EmotionSnapshot, Ticket, TicketState


def ticket(cid: str, customer_id: str, name: str = "Ann") -> Ticket:
    return Ticket(
        id=cid,
        channel="telegram" if cid.startswith("tg-") else "web",
        customer=Customer(customer_id, name),
        state=TicketState.QUEUED,
        emotion=EmotionSnapshot("neutral", 0.1, 0),
        timeline=[],
        flags=frozenset(),
        queued_at=100.0,
    )


def test_a_telegram_customer_is_named_by_username_never_by_number() -> None:
    numbered = ticket("tg-4242", "tg-user-4242")
    assert customer_handle(numbered) == ""
    assert customer_handle(numbered, "@ann_k") == "@ann_k"
    assert customer_handle(ticket("tg-4242", "tg-4242")) == ""  # from the actions
    item = queue_item(numbered, 160.0, 0.0, "where is it", "@ann_k")
    assert (item["customer_name"], item["handle"]) == ("Ann", "@ann_k")
    assert queue_item(numbered, 160.0, 0.0)["handle"] == ""


def test_other_customer_ids_are_still_shown() -> None:
    assert customer_handle(ticket("web-1", "shop-customer-17")) == "shop-customer-17"
    assert customer_handle(ticket("web-1", "web-1")) == ""
