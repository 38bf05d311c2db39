"""Answering a customer who writes in another language than English (NLU is English
only): the simple questions the language has words for (``data/replies/
languages.yml``, actions/language.py), with an order shown only once it is proven
theirs; None hands the chat to a person."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.conversation import bot_texts, customer_texts, when_written
from actions.identity import MAX_TRIES, attempts_proof, may_see, proves, tries
from actions.language import language_book
from actions.language_reading import asks_beside_the_order
from actions.language_tasks import asks_money_back, money_back, wants_cancelled
from actions.language_texts import (
    LanguageTexts,
    order_text,
    problem_said,
    refund_awaited,
    topics_asked,
)
from actions.numbers import find_number, normalise_number
from actions.speaker import RECENT_REPLIES
from actions.store import Order, OrderStatus, store


def asked_for_proof(tracker: Tracker, language: str, order_id: str) -> bool:
    """Whether the bot's latest message asked, in ``language``, for the e-mail
    address or postcode of ``order_id``."""
    said = bot_texts(tracker)[-1:]
    book = language_book()
    if not said or not book.has(language, "order.proof"):
        return False
    asked = {
        book.say(language, key, order_id=order_id)
        for key in ("order.proof", "order.proof_again")
    }
    # after words for what went wrong or for a feeling: "Het spijt me ... . Ik heb
    # bestelling 730915 gevonden. ... wat is het e-mailadres of de postcode ...?"
    return any(question in said[0] for question in asked)


async def in_language(
    tracker: Tracker, language: str
) -> tuple[str, list[EventType]] | None:
    """The answer in ``language`` to the latest message and the events it brings,
    or None when a person should take over (something serious, or nothing the bot
    answers there). An order not yet proven the customer's is asked for its e-mail
    address or postcode first, in the language, as in English."""
    text = str((tracker.latest_message or {}).get("text") or "")
    book = language_book()
    if book.asks_if_ours(language, text):
        # "Ho ricevuto un SMS ... È vostro?": not ours, and what to do, before any
        # order it names is looked up (or a fraud read into the link it mentions)
        return book.say(language, "not_ours"), []
    found = book.situations(language, text)
    if not found:
        return await _in_language(tracker, language, text)
    if not book.answers_first(language, text, found):
        return None  # something serious: a person
    # money worries or illness beside a plain question: answered, with care
    answer = await _in_language(tracker, language, text)
    if answer is None:
        return None
    reply, events = answer
    recent = bot_texts(tracker)[-RECENT_REPLIES:]
    return book.answered_first(language, found, reply, recent, text), events


async def _in_language(
    tracker: Tracker, language: str, text: str
) -> tuple[str, list[EventType]] | None:
    """``in_language`` for a message that tells nothing serious."""
    book = language_book()
    shop = store()
    # every order the chat names, looked up at once (the language's answers read
    # them without waiting)
    references = [
        when_written(tracker, "order_id"),
        tracker.get_slot("order_id"),
        *(find_number(t) for t in [*customer_texts(tracker), text]),
    ]
    numbers = list(dict.fromkeys(n for r in references if (n := normalise_number(r))))
    found = dict(
        zip(numbers, await asyncio.gather(*map(shop.order, numbers)), strict=True)
    )

    def known(reference: Any) -> Order | None:
        key = normalise_number(reference)
        return found.get(key) if key else None

    named = known(find_number(text))
    # the order in the chat when the customer wrote (NLU may since have put a
    # postcode into the slot: "Postleitzahl 10115" after the proof question)
    pending = known(when_written(tracker, "order_id")) or known(
        tracker.get_slot("order_id")
    )
    said = [*customer_texts(tracker)[-3:], text]

    def proven(order: Order) -> list[EventType]:
        return [SlotSet("verified_customer", order.customer), SlotSet("proof_tries", 0)]

    def about(order: Order) -> list[EventType]:
        # the order the chat is about from now on (NLU may have put a postcode in)
        return [SlotSet("order_id", order.id)]

    recent = bot_texts(tracker)[-RECENT_REPLIES:]

    def ask_proof(number: str) -> tuple[str, list[EventType]] | None:
        """The question for the e-mail address or postcode of the order ``number``
        (one no order has too: whether it exists is told only to whoever proves it
        theirs), after the words for what went wrong or a feeling ("Trochę się
        martwię", "está atrasada"); None when it was asked too often (a person
        checks)."""
        if tries(tracker) >= MAX_TRIES or not book.has(language, "order.proof"):
            return None
        asked = book.say(language, "order.proof", order_id=number)
        heard = book.heard(language, text)
        return f"{heard} {asked}".strip(), [SlotSet("order_id", number)]

    def order(number: str) -> dict[str, Any] | None:
        looked_up = known(number)
        return looked_up.values() if looked_up else None

    texts = book.languages.get(language)

    def is_task(message: str) -> bool:
        """Whether ``message`` asks the bot to do something with the order: cancel
        it, or say where their money stands."""
        return wants_cancelled(texts, message) or asks_money_back(texts, message)

    async def do_task(target: Order, message: str) -> str | None:
        """``message``'s task done for ``target``, proven theirs: cancelled (while
        it is with us, as in English), or where their money stands; None when only
        a person can (it has shipped, no refund on record)."""
        if texts is None:
            return None
        if wants_cancelled(texts, message):
            # cancelled before this message ("Sim, pode cancelar." after it was
            # done): that it is already, not the same words again
            already = target.status is OrderStatus.CANCELLED
            if target.status is OrderStatus.PROCESSING:
                target = await shop.cancel(target)
            if target.status is not OrderStatus.CANCELLED:
                return None
            return order_text(texts, target.id, target.values(), again=already)
        refund = await shop.refund_for(target.id)
        values = refund.values() if refund is not None else None
        return money_back(texts, target.values(), values)

    async def first_asked(opened: Order) -> str | None:
        """The answer, now that the order is open, to the message that named it
        ("the wrong colour came", "can I return it when it arrives?"): its state
        and the other questions answered, without the words for what went wrong
        (said with the question for the proof) and without the offer of a person;
        None when that message needs a person."""
        asked = next(
            (t for t in reversed(customer_texts(tracker)[:-1]) if opened.id in t), ""
        )
        if not asked:
            return book.order_answer(language, opened.values())
        if is_task(asked):
            return await do_task(opened, asked)
        reply = book.reply(language, asked, order, recent=recent)
        if reply is None and texts is not None and names_only_the_order(texts, asked):
            # it named the order and asked nothing else (the proof was asked for
            # that): what we can tell of it
            return book.order_answer(language, opened.values(), said=asked)
        if reply is None:
            return None
        # what went wrong was heard with the question for the proof, and a person
        # was offered on the first reply, or is not needed now
        for said in (book.heard(language, asked), book.say(language, "offer_person")):
            if said:
                reply = reply.replace(said, "", 1)
        return " ".join(reply.split())

    # the order of the chat the proof was asked for: a number no order has is
    # asked about like a real one (whether it exists is told only to its owner)
    asked_about = (
        pending.id
        if pending is not None
        else normalise_number(
            when_written(tracker, "order_id") or tracker.get_slot("order_id")
        )
    )
    if (
        named is None
        and asked_about
        and asked_for_proof(tracker, language, asked_about)
    ):
        # the answer to our question about the order in the chat (the order form
        # may have checked it already): the answer to what they first asked
        if pending is not None and (
            may_see(tracker, pending)
            or proves(said, await shop.customer(pending.customer))
        ):
            first = await first_asked(pending)
            if first is None:
                return None  # a person, who sees the order is theirs
            events = [] if may_see(tracker, pending) else proven(pending)
            return first, [*about(pending), *events]
        if attempts_proof(text):
            if tries(tracker) + 1 >= MAX_TRIES:
                return None  # a person checks who they are
            wrong = [SlotSet("proof_tries", tries(tracker) + 1)]
            again = book.say(language, "order.proof_again", order_id=asked_about)
            return again, wrong
        # something else: answered as any message

    target = named or pending
    if target is not None and is_task(text):
        # "Quiero cancelar el pedido 5520174", "mijn geld voor 13579 is er nog
        # niet": done for an order proven theirs, else the proof asked for first
        owner = may_see(tracker, target)
        if not owner and not proves(said, await shop.customer(target.customer)):
            return ask_proof(target.id)
        done = await do_task(target, text)
        # "how long does the refund take?" about an order with no refund yet (no
        # money awaited, nothing to cancel): the general answer below
        general = texts is not None and not (
            wants_cancelled(texts, text) or refund_awaited(texts, text.lower())
        )
        if done is None and not general:
            return None  # a person: it has shipped, no refund on record
        if done is not None and owner:
            return f"{book.heard(language, text)} {done}".strip(), about(target)
        if done is not None:
            return done, [*about(target), *proven(target)]

    # the order's state was the bot's last word: a question about it now wants
    # the day, not the whole state again
    told = bool(recent) and pending is not None and pending.id in recent[-1]
    if (
        told
        and pending is not None
        and named is None
        and may_see(tracker, pending)
        and book.needed_by(language, text, pending.values())
    ):
        # "Kommer den fram före lördag? ... jag är lite stressad" right after its
        # state: whether it comes in time, after the words for how they feel
        answer = book.order_answer(language, pending.values(), again=True, said=text)
        return f"{book.heard(language, text)} {answer}".strip(), about(pending)
    earlier = customer_texts(tracker)[:-1]
    reply = book.reply(language, text, order, recent=recent, earlier=earlier)
    # (after the words for a feeling: "Sono un po' in ansia. Quando arriva?")
    asks_number = reply is not None and book.say(language, "order.ask") in reply
    if (
        named is None
        and pending is not None
        and may_see(tracker, pending)
        and (
            asks_number or (reply is None and told and book.follows_up(language, text))
        )
    ):
        # "A kiedy dotrze?", "Und wann kommt sie an?": the order of the chat, after
        # the words for the feeling they named ("Sono un po' in ansia")
        answer = book.order_answer(language, pending.values(), again=told, said=text)
        return f"{book.heard(language, text)} {answer}".strip(), about(pending)
    if reply is None and book.follows_up(language, text):
        # the topic of the customer's message before
        praise = book.say(language, "praise") if book.has(language, "praise") else ""
        for before in reversed(customer_texts(tracker)[-3:-1]):
            if book.follows_up(language, before):
                break
            reply = book.reply(language, before, order, recent=recent)
            if reply is not None and reply == praise:
                reply = None  # thanks for praise is no answer to a question
                break
            if reply is not None:  # a proof or a number in between asked nothing
                named = known(find_number(before))
                break
    if (
        reply is None
        and named is not None
        and texts is not None
        and names_only_the_order(texts, text)
    ):
        # "mijn kleindochter heeft een sjaal besteld, nummer 48213. Ik weet niet
        # hoe dit werkt.": an order named, and nothing of its own asked beside it
        # that we lack words for: what we can tell of it (after the proof), not
        # "no sure answer" nor a person
        answer = book.order_answer(language, named.values(), said=text)
        reply = f"{book.heard(language, text)} {answer}".strip()
    if reply is None:
        return None  # a person takes over: they check who the customer is
    number = normalise_number(find_number(text))
    if (
        named is None
        and number in found
        and book.say(language, "order.not_found", order_id=number) in reply
    ):
        # a number no order has: asked for the proof like a real one
        return ask_proof(str(number))
    if named is None or named.id not in reply:
        return reply, []  # nothing about the order is shown: no proof needed
    if may_see(tracker, named):
        return reply, about(named)
    if proves(said, await shop.customer(named.customer)):
        return reply, [*about(named), *proven(named)]
    return ask_proof(named.id)


def names_only_the_order(texts: LanguageTexts, text: str) -> bool:
    """Whether ``text`` names an order and asks no question of it we lack words
    for (``asks_beside_the_order``; "ik weet niet hoe dit werkt", with no question
    mark, asks none), nothing a person does (a person asked for, a cancellation,
    a problem) and tells nothing that went wrong: its state is what we can tell
    them."""
    lower = text.lower()
    asked, _ = topics_asked(texts, lower)
    return (
        not set(asked) - {"order", "thanks", "praise"}
        and not problem_said(texts, lower)
        and not ("?" in text and asks_beside_the_order(texts, text))
    )
