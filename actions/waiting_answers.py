"""What the bot tells a customer who waits for a person: a general question NLU or
the FAQ is sure of, or the state of the chat's order when it is theirs, in their
language; nothing that needs a decision (the person makes those). Called by the
action server's ``/answer`` endpoint (actions/server.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from actions.faq import beats_intent as faq_beats_intent
from actions.faq import match as faq_match
from actions.language import language_book
from actions.language_tasks import money_back
from actions.payments import method_named
from actions.readings import DECLINED, FOLLOW_UP_CONFIDENCE, asks_about_the_order
from actions.replies import reply_book
from actions.side import clauses, is_question, points_back
from actions.store import Order, Refund
from actions.waiting_order import names_the_order
from bot import waiting_reading as read  # the gateway's reading of the same
from bot import waiting_texts as words_of
from bot.handoff import UrgencyFlag
from bot.texts import say
from bot.texts import texts as texts_of

# A customer waiting for a person may still be told what needs no order and no
# decision (the person makes those): general answers, read by NLU at least this sure.
WAITING_INTENTS = frozenset(
    {
        "check_payment_methods",
        "delivery_options",
        "delivery_period",
        "check_refund_policy",
        "check_cancellation_fee",
        "recover_password",
        "newsletter_subscription",
        "exchange_item",
        "get_refund",
        "create_account",
        "edit_account",
        "delete_account",
        "switch_account",
        "set_up_shipping_address",
        "review",
        "contact_customer_service",
    }
)
WAITING_CONFIDENCE = 0.9
# ...in the words for a waiting customer where the intent's own answer offers what the
# wait already is ("is there a number I can ring?": its answer offers to bring a
# person into the chat)
WAITING_KEYS = {"contact_customer_service": "faq.contact_hours"}
# ...but not a short question about something of the chat ("how long will that
# take?" after the order's number, side.points_back): NLU reads it alone, as the
# general question, and the person who reads the whole chat answers it. A question
# that names its topic ("how long does it take for a refund to arrive?") is longer
# and still answered.
_NO_VALUES = {"name_greeting": "", "account_type": "", "delivery_place": ""}
# What the customer reported (the gateway reads it in their messages: a double
# charge, a broken item, the wrong item; or the ticket's flag: fraud, someone hurt,
# a death) makes a general answer about returning unused items or the refund after
# a return wrong: the gateway says what holds then (or what the person arranges).
UNFIT_SITUATIONS = frozenset(
    {
        "double_charge",
        "damaged",
        "not_working",
        "missing",
        "wrong_item",
        "fraud",
        "safety",
        "bereavement",
    }
)
# answers about sending back, money back or prices: not what holds for a double
# charge, a broken or wrong item, or fraud ("can you refund the extra one today?" is
# no price drop)
_ABOUT_RETURNS = re.compile(r"refund|return|exchange|price_|cancel")
# ...and for fraud or after a death, the account and password how-tos ("I've changed
# my password, what about the money?" is no password question; "I don't know his
# password" is for the person who closes the account)
_ABOUT_THE_ACCOUNT = re.compile(r"password|reset_link|account|payment_methods")
UNFIT = "unfit"  # what answer_while_waiting returns for such an answer


def fits(situation: str, key: str = "", said: str = "", language: str = "") -> bool:
    """Whether the general answer ``key`` (English) or ``said`` (in ``language``)
    fits what the customer reported (``situation``): a double charge's refund is
    no return, a broken or wrong item is no return of an unused one."""
    if situation not in UNFIT_SITUATIONS:
        return True
    # after a fraud or a death, how to sign in is no answer: the account is
    # secured, or closed, by the person ("I don't know his password")
    account = situation in ("fraud", "bereavement")
    if not language:
        if account and _ABOUT_THE_ACCOUNT.search(key):
            return False
        return not _ABOUT_RETURNS.search(key)
    own = language_book()
    topics = ("returns", "refund", *(("password",) if account else ()))
    return not any(
        own.has(language, topic) and own.say(language, topic) in said
        for topic in topics
    )


def answer_while_waiting(
    text: str,
    language: str,
    intent: str | None,
    confidence: float | None,
    order: Order | None = None,
    situation: str = "",
    refund: Refund | None = None,
    *,
    asks_money: bool = False,
) -> str | None:
    """The answer to a general question a customer asks while they wait for a
    person (``intent`` and ``confidence``: NLU's reading of ``text`` alone; English
    when ``language`` is ""): the state of the chat's ``order`` when it is theirs
    and they ask about it, the FAQ's answer (NLU sure of an intent the FAQ does not
    beat, else the FAQ's best match), or a general answer NLU is sure of; in another
    language the language's own answers; where their money stands when they ask
    (``asks_money``: the caller read ``text`` so, waiting_order.about_money;
    ``refund``: the order's refund on record); without a closing question (the
    bot cannot follow one up while a person has the chat). None otherwise."""
    book = reply_book()
    if order is not None and asks_money and situation == "double_charge":
        # "how long until the refund shows up?" after a double charge: the
        # duplicate's money, which only the person sees, not a refund on record
        # for something else of the order
        return UNFIT
    if order is not None and asks_money:
        # where their money stands, from the record: the refund by its state (a
        # cancelled order's amount in another language); else the person says
        if language:
            texts = language_book().languages.get(language)
            values = refund.values() if refund is not None else None
            return money_back(texts, order.values(), values) if texts else None
        if refund is None:
            return None
        said = book.pick(f"track_refund.{refund.status}", **refund.values())
    elif order is not None and asks_about_the_order(text, intent) and not language:
        late = "_late" if order.late else "_again"
        key = f"track_order.{order.status}{late}"
        if not book.has(key):
            key = f"track_order.{order.status}"
        said = book.pick(key, **order.values())
    elif language:
        own = language_book()
        general = own.general(language, text)
        if general is None and order is not None and names_the_order(language, text):
            return own.order_answer(language, order.values(), again=True)
        if general is not None and not fits(situation, said=general, language=language):
            return UNFIT
        return general
    else:
        sure = (confidence or 0.0) >= FOLLOW_UP_CONFIDENCE
        if intent and intent not in DECLINED and sure:
            hit = faq_beats_intent(text, intent)
        else:
            hit = faq_match(text)  # NLU unsure: the FAQ reads it
        if hit is not None:
            if not fits(situation, hit.key):
                return UNFIT
            said = book.pick(hit.key, **_NO_VALUES)
        elif (
            intent in WAITING_INTENTS
            and (confidence or 0.0) >= WAITING_CONFIDENCE
            and not points_back(text)
        ):
            key = WAITING_KEYS.get(intent) or book.specific_key(intent, text) or intent
            if not fits(situation, key):
                return UNFIT
            said = book.pick(
                key, **{**_NO_VALUES, "payment_method": method_named(text)}
            )
        else:
            return None
    sentences = re.split(r"(?<=[.?!])\s+", said.strip())
    while len(sentences) > 1 and sentences[-1].endswith("?"):
        sentences.pop()  # "Would you like me to check an order?"
    return " ".join(sentences)


def answer_beside_handoff(
    texts: list[str],
    language: str,
    intent: str | None = None,
    confidence: float | None = None,
    flags: Iterable[UrgencyFlag] = (),
) -> str:
    """The answer to a general question the customer asks in the message that brings
    in a person (``texts``: their messages, newest last), said before the person is
    brought in, in their ``language`` ("" English): what becomes of the item or the
    money after what happened (``flags``: "Can I send it back when it comes?" after
    a death: the person arranges it with them, ``waiting_asked_<flag>``), else the
    FAQ's answer to the last question in it, or the language's own answer, when it
    fits what they reported; "" when it asks none, asks for a person, or nothing
    known answers it."""
    words = read.words_for(language)
    parts = clauses(texts[-1]) if texts else []
    asked = [c for c in parts if is_question(c)]
    if not asked or words.person.search(asked[-1].lower()):
        return ""
    flag = read.advice_flag(None, flags)
    what = f"waiting_asked_{flag.value}" if flag else ""
    if what in texts_of() and words.remedy.search(asked[-1].lower()):
        return say(what, language)
    reported = read.situation(texts[-3:], words)
    if reported in words_of.REMEDIES and words.remedy.search(asked[-1].lower()):
        # "can I get my money back?" after a broken item: what holds for that
        return say(f"waiting_fits_{reported}", language)
    if len(parts) > 1:  # NLU read the whole message, not this question
        intent, confidence = None, None
    answer = answer_while_waiting(
        asked[-1], language, intent, confidence, situation=reported
    )
    if answer == UNFIT:  # what holds for what they reported, not the general rule
        return say(f"waiting_fits_{reported}", language)
    return answer or ""
