"""Which order the chat is about, and what the customer asked about it: the topic a
form answers (``form_topic``), the order meant, a message that only gives a number
or an e-mail address or postcode (the proof), a refund the chat explains without
any order, and a message that only praises (nothing to look up)."""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet

from actions.conversation import (
    customer_texts,
    latest_entity,
    latest_intent,
    when_written,
)
from actions.emotion import Analysis, Emotion
from actions.identity import (
    attempts_proof,
    may_see,
    offers_proof,
    proves,
)
from actions.mentions import mentioned, mentions
from actions.mood import assess
from actions.numbers import find_number, is_postcode_part
from actions.order_checks import item_problem
from actions.replies import reply_book
from actions.side import clauses, is_question
from actions.store import Order, store

ORDER_TOPICS = (
    "track_order",
    "cancel_order",
    "change_order",
    "track_refund",
    "complaint",
    "change_address",
    "return",
    "cancel_fee",
)
# Questions that are about one order when the message names it ("I'd like to return
# order 808080123456"): the topic of the lookup that answers them.
ORDER_QUESTIONS = {
    "get_refund": "return",
    "exchange_item": "return",
    "check_refund_policy": "return",
    "change_shipping_address": "change_address",
    "check_cancellation_fee": "cancel_fee",
}
INVOICE_TOPICS = ("check_invoice", "get_invoice")
# Money back for an item that came faulty or wrong: the order's refund still counts.
FAULTY_REFUNDS = frozenset({"get_refund.faulty"})
PROOF_LOOKBACK = 3  # the customer's latest messages that may hold the proof
# Words beside a proof ("my email is ...", "it's under postcode ...", "here you go").
_PROOF_FILLER = frozenset(
    {
        "email",
        "e-mail",
        "mail",
        "address",
        "postcode",
        "post",
        "code",
        "zip",
        "plz",
        "postal",
        "under",
        "registered",
        "used",
        "with",
        "on",
        "account",
        "go",
        "thanks",
        "thank",
        "please",
        "sure",
        "of",
        "course",
        "i've",
        "i'm",
        "i",
        "have",
        "we",
        "use",
    }
)
# An order number said to be one ("order 48213", "#48213", "order no. 48213").
_ORDER_NAMED = re.compile(r"(?:\b(?:orders?|ordr|no|nr|number)\.?\s*|#)#?\s*\d+", re.I)
# A message that gives the proof and says little else ("my email is ...", "it's
# under EC1A 1BB"): at most this many words besides it.
PROOF_WORDS = 6
# A message that is only an order number ("48213", "it's order 48213") goes on with
# what the customer talked about just before; never into a cancellation.
CARRIED_TOPICS = {
    "complaint": "complaint",
    "get_refund": "return",
    "check_refund_policy": "return",
    "exchange_item": "return",
    "track_refund": "track_refund",
    "change_order": "change_order",
    "change_shipping_address": "change_address",
    "set_up_shipping_address": "change_address",
}
_FILLER = frozenset(
    {
        "it",
        "it's",
        "its",
        "is",
        "the",
        "my",
        "order",
        "number",
        "no",
        "nr",
        "here",
        "you",
        "are",
        "that",
        "this",
        "one",
        "ok",
        "okay",
        "sure",
        "yes",
        "was",
        "for",
        "about",
    }
)


# Asks whether a cancellation is possible rather than asking for one ("can I still
# cancel?", "is it possible to cancel", "if it doesn't come, can I cancel?"): nothing
# is cancelled before a yes. "Can you cancel it?", "cancel it please" ask for it.
_PLEASE = re.compile(r"\b(?:please|pls|plz|kindly)\b", re.IGNORECASE)
_IF_POSSIBLE = re.compile(
    r"\b(?:can|could|may|might|do|shall) (?:i|we) (?:still |just |even |then )?"
    r"canc(?:el|le)|\bi can (?:still )?canc(?:el|le)\b|\b(?:is|would) it (?:still )?"
    r"(?:be )?possible to canc(?:el|le)|\b(?:am i|are we|would i be|will i be|"
    r"would we be) (?:still )?able to canc(?:el|le)|\bcan (?:it|this|that|the order|"
    r"my order|order \S+) (?:still )?be canc(?:el|le)|\bcancel+ation (?:still )?"
    r"possible|\bif\b[^.?!]{0,80}\bcanc(?:el|le)",
    re.IGNORECASE,
)
# Says not to cancel ("ok nvm dont cancel it, just wanted to know", "no need to
# cancel"): nothing is cancelled, whatever NLU read into the word
_KEEP_IT = re.compile(
    r"\b(?:don'?t|do not|dont|not|never|no need to|no need|without|wouldn'?t|"
    r"won'?t)\b[^.?!]{0,20}?\bcanc(?:el|le)|\b(?:nvm|never ?mind|forget (?:it|that)|"
    r"keep (?:it|the order|my order)|leave it)\b",
    re.IGNORECASE,
)


def keeps_it(tracker: Tracker) -> bool:
    """Whether the customer's request about the order (their latest message that is
    more than a number or a proof) says not to cancel ("ok nvm dont cancel it")."""
    texts = telling(customer_texts(tracker))
    return bool(texts) and bool(_KEEP_IT.search(texts[-1]))


def asks_if_possible(tracker: Tracker) -> bool:
    """Whether the customer's request about the order (their latest message that
    is more than a number or a proof) asks whether it can be cancelled, not for it
    to be cancelled."""
    texts = telling(customer_texts(tracker))
    if not texts or not (found := _IF_POSSIBLE.search(texts[-1])):
        return False
    # "Can I cancel please?", "could I cancel it, please": a request, said politely
    start = max(texts[-1].rfind(end, 0, found.start()) for end in ".!?")
    sentence = texts[-1][start + 1 :]
    return not _PLEASE.search(sentence.split("?")[0] + "?")


def refund_in_context(tracker: Tracker) -> str | None:
    """The reply key for money back that the customer's last few messages call
    for (a parcel that never came, a double charge, a broken item), or None; none
    when the latest looks ahead to the parcel coming ("can I swap the size once
    they arrive?": nothing is missing, whatever "where is it?" said before)."""
    latest = str((tracker.latest_message or {}).get("text") or "")
    if mentioned("arrival_ahead", latest):
        return None
    return reply_book().refund_in_context(telling(customer_texts(tracker))[-3:])


def telling(texts: list[str]) -> list[str]:
    """The messages of ``texts`` that say something: without those that only give
    an order number or the proof asked for, so an identity check does not push what
    went wrong out of the last few messages."""
    return [t for t in texts if not (only_proof(t) or only_a_number(t))]


def only_a_number(text: str) -> bool:
    """Whether ``text`` gives an order number and says nothing else."""
    if not find_number(text):
        return False
    words = re.findall(r"[a-z']+", text.lower())
    return all(word in _FILLER for word in words)


def only_proof(text: str) -> bool:
    """Whether ``text`` gives an e-mail address or a postcode and, besides it, at
    most PROOF_WORDS words that only introduce it, and no question ("my email is
    ...", "EC1A 1BB"; not "where's my refund for 48213")."""
    text = _ORDER_NAMED.sub(" ", text)  # "order 48213" is the order, not a proof
    if "?" in text or not attempts_proof(text):
        return False
    words = re.findall(r"[\w'@.+-]+", text.lower())
    rest = [w for w in words if "@" not in w and not any(c.isdigit() for c in w)]
    return len(rest) <= PROOF_WORDS and all(
        w.strip(".") in _FILLER | _PROOF_FILLER for w in rest
    )


def form_topic(
    tracker: Tracker, form: str, topics: tuple[str, ...], default: str
) -> str:
    """What the customer asked when ``form`` was last activated ("cancel_order", ...).

    The answer to "what's the order number?" may be classified as anything, so the
    topic is the intent of the message that started the form; when that message was
    only a number, the topic of the message before it carries on (CARRIED_TOPICS).
    """
    topic, current, before, last, proof = None, None, None, None, False
    for event in tracker.events:
        if event.get("event") == "user":
            text = str(event.get("text") or "")
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            carried = CARRIED_TOPICS.get(str(before))
            if carried and only_a_number(text):
                intent = carried
            before, current = intent, ORDER_QUESTIONS.get(str(intent), intent)
            # an e-mail address or postcode given on its own goes on with the
            # latest question about an order (proof_outside_the_form)
            proof = attempts_proof(text) and current not in topics
            last = current if current in topics else last
        elif event.get("event") == "active_loop" and event.get("name") == form:
            if current in topics:
                topic = current
            elif proof and last:
                topic = last
    return str(topic) if topic else default


async def meant_order(tracker: Tracker, number: str | None) -> str | None:
    """The order number the customer means when NLU read ``number`` in their
    latest message: asked for proof, digits are a postcode, not another order,
    unless they are one of ours that the answer does not prove; and a number the
    message calls a postcode ("order 651234, postcode 10115") is never the order."""
    said = str((tracker.latest_message or {}).get("text") or "")
    if number and is_postcode_part(number, said):
        number = find_number(said)
    before = when_written(tracker, "order_id")
    asked_proof = requested_when_written(tracker) == "order_proof"
    if not before or number == before or not asked_proof:
        return number
    shop = store()
    order = await shop.order(before)
    owner = await shop.customer(order.customer) if order else None
    if await shop.order(number) is None or proves(said, owner):
        return str(before)
    return number


async def chat_order(tracker: Tracker) -> Order | None:
    """The order the conversation is about: the one in ``order_id``, else the latest
    known order number in the customer's recent messages."""
    shop = store()
    if order := await shop.order(tracker.get_slot("order_id")):
        return order
    for text in reversed(customer_texts(tracker)[-PROOF_LOOKBACK:]):
        if order := await shop.order(find_number(text)):
            return order
    return None


async def proof_outside_the_form(tracker: Tracker) -> list[EventType] | None:
    """The customer gives the e-mail address or postcode while nothing asks for it
    ("my email is ...", the postcode after an answer that could not show the
    order): the order of the chat is looked up with it (the order form checks it
    and answers the question they asked before); with no order in the chat yet,
    its number is asked for and the proof kept for it. None when the message gives
    no proof, or a form is asking anyway."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if tracker.active_loop_name or not (
        only_proof(text) or latest_intent(tracker) in ("nlu_fallback", "out_of_scope")
    ):
        return None  # a question with an address in it is that question
    order = await chat_order(tracker)
    if order is None:
        return [FollowupAction("order_form")] if offers_proof(text) else None
    owner = await store().customer(order.customer)
    if may_see(tracker, order) or not (
        offers_proof(text, order.id) or proves(text, owner)
    ):
        return None
    return [SlotSet("order_id", order.id), FollowupAction("order_form")]


async def asked_order(tracker: Tracker) -> Order | None:
    """The order a form is about: the invoice's order in ``invoice_form``, else the
    order in ``order_id`` (as the customer meant it: ``meant_order``)."""
    shop = store()
    if tracker.active_loop_name == "invoice_form":
        invoice = await shop.invoice(tracker.get_slot("invoice_id")) or (
            await shop.invoice_for_order(tracker.get_slot("order_id"))
        )
        return await shop.order(invoice.order) if invoice else None
    number = tracker.get_slot("order_id")
    meant = await meant_order(tracker, find_number(number) if number else None)
    return await shop.order(meant)


def requested_when_written(tracker: Tracker) -> str | None:
    """The slot the bot had asked for when the customer wrote the latest message."""
    requested = when_written(tracker, "requested_slot")
    return str(requested) if requested else None


def refund_without_order(tracker: Tracker) -> str | None:
    """The reply key when the customer asks about a refund the chat's context
    explains without any order data (``refund_in_context``: a double charge, a
    parcel that never came); None otherwise."""
    latest = latest_intent(tracker)
    if latest in ORDER_TOPICS and latest != "track_refund":
        return None  # a new question about an order (the form may just be starting)
    if not talks_money(tracker):
        return None  # NLU's refund was a guess: nothing was said about money
    if form_topic(tracker, "order_form", ORDER_TOPICS, ORDER_TOPICS[0]) != (
        "track_refund"
    ):
        return None
    key = reply_book().refund_in_context(customer_texts(tracker)[-3:])
    # something faulty in hand may already have a refund on the way: look it up
    return None if key in FAULTY_REFUNDS else key


def talks_money(tracker: Tracker) -> bool:
    """Whether the customer's latest messages say anything about money or sending
    something back (``about_money``): a refund question does."""
    return mentioned("about_money", *customer_texts(tracker)[-PROOF_LOOKBACK:])


# Words that want something done or known, in a sentence that asks no question.
_WANTS = re.compile(
    r"\b(?:when|wen|where|what|wat|which|how|whether|status|track\w*|check|"
    r"look (?:it )?up|will (?:it|they|that|this)|"
    r"find|cancel\w*|change|return|refund me|send|(?:can|could|would|will) you|"
    r"tell me|let me know|"
    r"(?:like|love|delighted|want|need|wish) to (?:know|have|get))\b",
    re.I,
)


def praised(text: str) -> str:
    """What the customer praises, in their words ("coffee set", from "the coffee
    set from order 730915 is gorgeous"), or ""."""
    found = mentions()["praised_thing"].search(text.lower())
    return found.group("thing") if found else ""


def praised_person(text: str) -> str:
    """Someone of ours the customer praises by name ("Anna", from "your support
    person Anna helped me"), as a name is written, or ""."""
    found = mentions()["praised_person"].search(text.lower())
    if found is None:
        return ""
    return (found.group("person") or found.group("name") or "").capitalize()


def only_praise(tracker: Tracker, analysis: Analysis | None = None) -> bool:
    """Whether the message that started the form only praises ("my order 5520174
    arrived early and the packaging was lovely", "Anna sorted my refund, she was
    brilliant"): happy, asks nothing, reports no problem. NLU may read an order or a
    refund in it; there is nothing to look up. ``analysis``: the message's, when
    the caller has it (else it is made)."""
    if requested_when_written(tracker) is not None:
        return False  # the answer to our question
    text = str((tracker.latest_message or {}).get("text") or "")
    if any(is_question(part) for part in clauses(text)) or item_problem(text):
        return False
    if mentioned("not_arrived", text) or mentioned("waiting_for_it", text):
        return False
    if _WANTS.search(text) or mentioned("polite_request", text):
        # "I'd be delighted to know when it comes", "I'd be grateful for a date":
        # a request
        return False
    analysis = analysis or assess(tracker).analysis
    return analysis.label is Emotion.JOY and not analysis.has("sarcasm")


def named_order_number(tracker: Tracker) -> str | None:
    """The order number the latest message names (NLU's entity, else digits in
    the text that are no phone number or postcode)."""
    text = str((tracker.latest_message or {}).get("text") or "")
    return latest_entity(tracker, "order_id") or find_number(text)


async def refund_on_record(tracker: Tracker) -> Order | None:
    """The order the chat is about when the customer may see it and it has a
    refund on record, else None."""
    order = await chat_order(tracker)
    if order is None or not may_see(tracker, order):
        return None
    return order if await store().refund_for(order.id) else None
