"""A short question about the order whose state was the bot's last word ("ok.
eta?", "which carrier?", "can I still add something to it?"), or the day it is
needed by told right after ("bday's on sunday lol"): the chat's order answers it,
whatever NLU made of a few words out of context. Every ``CaringAction``
(actions/voice.py) asks here before it answers."""

from __future__ import annotations

import re

from rasa_sdk import Tracker

from actions.conversation import bot_texts
from actions.identity import may_see
from actions.mentions import mentioned
from actions.numbers import find_number
from actions.order_checks import (
    TIME_QUESTIONS,
    change_key,
    deadline_reply,
    if_not_key,
    tells_deadline,
    time_question,
    together_key,
)
from actions.replies import reply_book
from actions.side import is_question
from actions.store import Order, OrderStatus, store

# A short question about the order whose state was the bot's last word ("ok. eta?",
# "which carrier?", "when will it go out?"): what NLU makes of a few words out of
# context does not matter, the order answers it (order_follow_up).
FOLLOW_UP_MAX_WORDS = 8
FOLLOW_UP_ACTIONS = ("action_answer", "action_not_understood")
_ABOUT_THE_ORDER = re.compile(
    r"\b(?:eta|when|what day|which day|date|arriv\w*|get here|be here|come|coming|"
    r"carrier|courier|who(?:'s| is)? deliver\w*|tracking|track it|dispatch\w*|"
    r"go out|goes out|sent out|leave us|leaves)\b",
    re.IGNORECASE,
)
# the words that only make a question polite ("Could you kindly tell me which
# carrier ...?", "I'd like to know when ...")
_POLITE = re.compile(
    r"^\W*(?:(?:hi|hello|good (?:morning|afternoon|evening)|ok(?:ay)?|thanks?)\W+)*"
    r"(?:(?:could|can|would|will) you (?:please |kindly )?(?:tell|let) me(?: know)?|"
    r"i(?:'d| would) (?:like|love) to know|please (?:tell|let) me(?: know)?|"
    r"do you know|may i ask)\s+",
    re.IGNORECASE,
)
# ...unless it asks something general ("when do you ship to Norway?", "when do you
# open?"): the general answer, not the order's day
_GENERAL_QUESTION = re.compile(
    r"\b(?:cost\w*|price\w*|how much|return\w*|refund\w*|pay\w*|abroad|"
    r"international|countr\w*|express|next[- ]day|free|open|close|hours|stock|size|"
    r"colou?r|norway|germany|france|spain|italy|usa|uk)\b",
    re.IGNORECASE,
)


# What a follow-up asks that the chat's order answers, however it is put: whether it
# can change, its tracking, a cancellation not theirs, what is in it, having a
# cancelled one after all (beside TIME_QUESTIONS: why so slow, can it be faster)
ANSWERED_HERE = (
    "asks_change",
    "asks_tracking",
    "didnt_cancel",
    "asks_contents",
    "asks_reorder",
    "if_it_does_not",
    "asks_together",
)


async def order_follow_up(
    tracker: Tracker,
) -> tuple[str, Order, dict[str, str]] | None:
    """The reply key, the order and the key's other values for a short question
    about the order the bot just gave the state of (the chat's order, proven the
    customer's), or for the day they need it by told right after; else None."""
    latest = str((tracker.latest_message or {}).get("text") or "")
    said = bot_texts(tracker)
    if not mentioned("if_it_does_not", latest) and (
        dated := await _deadline_after_state(tracker, latest, said)
    ):
        # (the day named in "if it's not here by Friday, what happens?" is not
        # what it asks)
        return dated
    # "why so slow?", "can you speed it up?": about the time it takes; "can I still
    # add something to it?": whether it can change
    answered_here = any(
        mentioned(m, latest) for m in (*TIME_QUESTIONS.values(), *ANSWERED_HERE)
    )
    # "Please can you tell me when it will be send?": says what it asks, so it may
    # be longer (but "when do you ship to Norway?" is still a general question)
    says_what = answered_here or mentioned("asks_dispatch", latest)
    if (
        not said
        or not (is_question(latest) or answered_here)
        # a question that says what it asks may be longer than a bare "eta?"; the
        # words that only make it polite ("could you kindly tell me") do not count
        or len(re.findall(r"[\w']+", _POLITE.sub("", latest)))
        > FOLLOW_UP_MAX_WORDS * (2 if says_what else 1)
        or not (_ABOUT_THE_ORDER.search(latest) or answered_here)
        # "how much is express?" is a general question; "can I pay more for express
        # to get it sooner?" is about this order's time
        or (_GENERAL_QUESTION.search(latest) and not answered_here)
        or find_number(latest)
        # "so is the money coming back?": the refund, not where the order is
        or mentioned("asks_money_back", latest)
    ):
        return None
    order = await store().order(str(tracker.get_slot("order_id") or ""))
    if order is None or order.id not in said[-1] or not may_see(tracker, order):
        return None
    status = str(order.status)
    if order.status is OrderStatus.CANCELLED and mentioned("didnt_cancel", latest):
        # "I don't remember cancelling it": not their doing, and who can say why
        return "order.record_disagrees.cancelled_unknown", order, {}
    if order.status is OrderStatus.CANCELLED and mentioned("asks_reorder", latest):
        # "can you put it back through?": not restarted, ordered anew or by a person
        return "track_order.cancelled_reorder", order, {}
    if mentioned("asks_contents", latest):
        # "which items are in that consignment?": its items and total
        return "track_order.contents", order, {}
    if together := together_key(order, latest):
        # "same box?", "do they come together?": one parcel, one tracking number
        return together, order, {}
    tracking = f"track_order.{status}_tracking"
    if mentioned("asks_tracking", latest) and reply_book().has(tracking):
        return tracking, order, {}  # the number and where to follow it, not the day
    if timed := time_question(order, latest):
        return timed, order, {}
    if mentioned("asks_change", latest):
        return change_key(order), order, {}
    if order.status in (OrderStatus.PROCESSING, OrderStatus.SHIPPED) and mentioned(
        "if_it_does_not", latest
    ):
        # "Fine. If it's not here by Friday what happens?": what can be done then,
        # as the lookup answers "and if it doesn't?"
        return if_not_key(order), order, {}
    if status == "processing" and mentioned("asks_dispatch", latest):
        # as the lookup answers "when will it be sent?" (asks_dispatch)
        return "track_order.processing_dispatch", order, {}
    # the day it was due has passed: that it is late, not that day as the new one
    again = f"track_order.{status}_late_again" if order.late else ""
    again = again if reply_book().has(again) else f"track_order.{status}_again"
    return (again if reply_book().has(again) else f"track_order.{status}"), order, {}


async def _deadline_after_state(
    tracker: Tracker, latest: str, said: list[str]
) -> tuple[str, Order, dict[str, str]] | None:
    """ "bday's on sunday lol" right after the chat's order's state: whether it comes
    in time for that day (``track_order.<status>_deadline``), whatever NLU read."""
    order_id = str(tracker.get_slot("order_id") or "")
    if not said or not order_id or order_id not in said[-1]:
        return None
    if not tells_deadline(latest):
        return None  # no order looked up for a message that names no day
    order = await store().order(order_id)
    if order is None or not may_see(tracker, order):
        return None
    needed = deadline_reply(order, [latest])
    if needed is None:
        return None
    key, words = needed
    return key, order, words
