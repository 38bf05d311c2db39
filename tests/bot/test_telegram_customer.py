"""Who wrote a Telegram update (bot/telegram.py, ``_customer``): the first name, the
user's number as the stable reference, and their @username (when they have one and
it is a username) as the handle agents see. No network, no Redis."""

from __future__ import annotations

from typing import Any

from telegram import Bot, Update

from bot.telegram import _customer

BOT = Bot("123:test-token")


def update(**user: Any) -> Update:
    message = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 4242, "type": "private", "first_name": "Ann"},
        "from": {"id": 4242, "is_bot": False, "first_name": "Ann", **user},
        "text": "hello",
    }
    return Update.de_json({"update_id": 7, "message": message}, BOT)


def test_the_username_is_the_handle_and_the_number_only_the_reference() -> None:
    customer = _customer(update(username="ann_k"))
    assert customer is not None
    assert customer.first_name == "Ann" and customer.handle == "@ann_k"
    assert customer.ref == "tg-user-4242"
    assert customer.conversation_id == "tg-4242"


def test_no_username_or_a_strange_one_gives_no_handle() -> None:
    for user in [{}, {"username": ""}, {"username": "ann k<script>"}]:
        customer = _customer(update(**user))
        assert customer is not None and customer.handle == "", user
