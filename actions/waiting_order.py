"""A waiting customer's own order, before they proved it theirs.

A customer handed to a person before they proved the chat's order theirs ("it was
for my mum's funeral, order 48213") may still ask about it while they wait ("will it
be here by Friday?"). Nothing about the order is shown before the proof
(actions/identity.py), so they are asked for the e-mail address or postcode it is
under; when they give it, while they wait, the order is theirs for the rest of the
chat (the ``verified_customer`` slot, set in Rasa's tracker) and its state is the
answer, in their language.
"""

from __future__ import annotations

import logging

import httpx

from actions.identity import attempts_proof, proves
from actions.language import language_book
from actions.language_tasks import asks_money_back
from actions.mentions import mentioned
from actions.order_checks import state_key
from actions.readings import asks_about_the_order
from actions.replies import reply_book
from actions.side import _rasa
from actions.store import Order, StoreUnavailable, store
from bot import waiting_reading as read

log = logging.getLogger(__name__)

TIMEOUT_S = 2.0


async def unproven_answer(
    conversation: str,
    order: Order,
    text: str,
    language: str,
    intent: str | None,
    proof_only: bool = False,
) -> tuple[str | None, bool]:
    """What a waiting customer hears about ``order``, the chat's order they have not
    proved theirs, and whether it asks for the proof: its state when ``text``
    proves it (the proof remembered for the chat), the question for the proof when
    ``text`` asks about the order (not when ``proof_only``: the message was the
    answer to that question); None otherwise."""
    try:
        owner = await store().customer(order.customer)
    except StoreUnavailable:
        return None, False
    if proves(text, owner):
        if not await _remember_proof(conversation, order.customer):
            return None, False  # not remembered: not shown either; the person checks
        if language and language_book().has(language, f"order.{order.status}"):
            return language_book().order_answer(language, order.values()), False
        return _order_state(order), False
    if proof_only and attempts_proof(text, order.id):
        # asked for it, and what they sent does not match: asked again
        if language and language_book().has(language, "order.proof_again"):
            again = language_book().say(
                language, "order.proof_again", order_id=order.id
            )
            return again, True
        return reply_book().pick("ask.order_proof_again", order_id=order.id), True
    if proof_only or not _asks_about_it(text, language, intent):
        return None, False
    if language and language_book().has(language, "order.proof"):
        return language_book().say(language, "order.proof", order_id=order.id), True
    return reply_book().pick("ask.order_proof", order_id=order.id), True


def _asks_about_it(text: str, language: str, intent: str | None) -> bool:
    """Whether a waiting customer's question is about the chat's order: in another
    language only when it says so in the language's words for an order (a short
    question while waiting, "how long will I wait?", "must I send it all back?", is
    about the wait or a question of its own, not the order's state)."""
    if not language:
        return asks_about_the_order(text, intent)
    return names_the_order(language, text)


def about_money(text: str, language: str) -> bool:
    """Whether ``text`` asks where the customer's money stands ("how soon will the
    money be back?"), in ``language`` ("" English)."""
    if not language:
        return mentioned("asks_money_back", text)
    return asks_money_back(language_book().languages.get(language), text)


def asks_remedy(text: str, language: str) -> bool:
    """Whether ``text`` asks where their money stands or what becomes of the item
    ("when will I get it back?"), in ``language`` ("" English): after a double
    charge or a broken item, what holds for that answers it, not the order."""
    words = read.words_for(language)
    return about_money(text, language) or bool(words.remedy.search(text.lower()))


def names_the_order(language: str, text: str) -> bool:
    """Whether ``text`` names an order in ``language``'s words for one (its
    ``order`` topic in data/replies/languages.yml)."""
    texts = language_book().languages.get(language)
    words = texts.topics.get("order") if texts is not None else None
    return bool(words and words.search(text.lower()))


def _order_state(order: Order) -> str:
    """The order's state in English, as the order lookup says it; a delivered one
    only noted for the person (what they asked while waiting is no "where is it?")."""
    book = reply_book()
    if order.status.value == "delivered":
        return book.pick("track_order.delivered_noted", **order.values())
    return book.pick(state_key(order), **order.values())


async def _remember_proof(conversation: str, customer: str) -> bool:
    """Set the chat's ``verified_customer`` in Rasa's tracker; whether it was."""
    base, params = _rasa()
    events = [
        {"event": "slot", "name": "verified_customer", "value": customer},
        {"event": "slot", "name": "proof_tries", "value": 0},
    ]
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_S) as client:
            response = await client.post(
                f"{base}/conversations/{conversation}/tracker/events",
                params={"include_events": "NONE", **params},
                json=events,
            )
            response.raise_for_status()
    except httpx.HTTPError as error:
        log.warning("proof while waiting not remembered: %r", error)
        return False
    return True
