"""What an order's record says against what the customer says: whether it can still
be changed (``change_key``), where the record and the customer disagree
(``record_disagrees``), and a day they need it by that it will miss
(``against_deadline``)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

from actions.emotion.situations import MONTHS, WEEKDAYS
from actions.mentions import mentioned
from actions.replies import reply_book
from actions.store import Order, OrderStatus


def change_key(order: Order, address: bool = False) -> str:
    """The reply about changing ``order`` (its delivery address, or its items)."""
    if order.status is OrderStatus.PROCESSING:
        return "change_address.editable" if address else "change_order.editable"
    if order.status is OrderStatus.CANCELLED:
        return "change_order.cancelled"  # nothing will be sent: nothing to change
    if address and order.status is OrderStatus.SHIPPED:
        return "change_address.locked"
    if address:
        return "change_address.delivered"
    return "change_order.locked"


def if_not_key(order: Order) -> str:
    """The reply to "and if it doesn't come?" about ``order``: what can be done
    then; for one past its day already, without that day."""
    late = f"track_order.{order.status}_late_if_not"
    return (
        late
        if order.late and reply_book().has(late)
        else (f"track_order.{order.status}_if_not")
    )


def together_key(order: Order, text: str) -> str | None:
    """The reply to "same box?", "do they come together?" (``asks_together``) about
    ``order``: one parcel, one tracking number; None when ``text`` asks no such
    thing or the order's state has no such answer (a cancelled one)."""
    key = f"track_order.together_{order.status}"
    if mentioned("asks_together", text) and reply_book().has(key):
        return key
    return None


# charged twice for the order: a person checks the payments (actions/lookups.py)
DOUBLE_CHARGE = "order.double_charge"


def item_problem(*said: str) -> bool:
    """Whether the customer ``said`` they have the item with a problem: it came
    broken, wrong or leaking (``has_it_with_a_problem``), or it does not work
    (``not_working``: "my kettle from order 651234 stopped working")."""
    return mentioned("has_it_with_a_problem", *said) or mentioned("not_working", *said)


def record_disagrees(order: Order, *said: str) -> str | None:
    """The reply key when what the customer ``said`` about the order matters more
    than the question: they were charged twice for it (the payments, not the
    state), they have it with a problem while it is not delivered (the record is
    doubted) or delivered (the item needs putting right, not finding), it is
    delivered and they say it has not come (a missing parcel), or it was cancelled
    while they wait for it or have it (they did not know)."""
    if mentioned("double_charge", *said):
        return DOUBLE_CHARGE
    if order.status in (OrderStatus.PROCESSING, OrderStatus.SHIPPED) and item_problem(
        *said
    ):
        return f"order.record_disagrees.{order.status}"
    if order.status is OrderStatus.DELIVERED and mentioned("checked_around", *said):
        # looked with the neighbours and it is not there: not the same advice again
        return "track_order.delivered_missing_checked"
    if order.status is OrderStatus.DELIVERED and mentioned("not_arrived", *said):
        return "track_order.delivered_missing"
    if order.status is OrderStatus.DELIVERED and item_problem(*said):
        return "complaint.order"  # broken or wrong in their hands: put it right
    if order.status is OrderStatus.CANCELLED:
        if item_problem(*said):
            return "order.record_disagrees.cancelled_received"
        if mentioned("didnt_cancel", *said):
            return "order.record_disagrees.cancelled_unknown"  # not their doing
        if mentioned("refund_not_arrived", *said):
            return None  # they know it was cancelled: the money is the question
        if mentioned("not_arrived", *said) or mentioned("waiting_for_it", *said):
            return "order.record_disagrees.cancelled"
    return None


def complaint_key(order: Order, *said: str) -> str:
    """The reply key for a complaint about ``order``: where the record and what
    the customer ``said`` disagree, that; a cancelled order, what its cancelling
    means (nothing is coming, the money goes back: there is nothing to replace);
    else putting the item right."""
    if disagrees := record_disagrees(order, *said):
        return disagrees
    if order.status is OrderStatus.CANCELLED:
        return "complaint.cancelled"
    return "complaint.order"


def still_coming(order: Order, *said: str) -> bool:
    """Whether a complaint about ``order`` is about one not delivered yet that
    the customer says has not come ("it was due last Tuesday and it's still not
    here"), not one they have with a problem: where it is answers it, not a
    replacement."""
    return (
        order.status in (OrderStatus.PROCESSING, OrderStatus.SHIPPED)
        and (mentioned("not_arrived", *said) or mentioned("waiting_for_it", *said))
        and not item_problem(*said)
    )


def state_key(order: Order) -> str:
    """The reply key for where ``order`` is (late: that it is, and who can chase
    it)."""
    late = order.late and order.status in (OrderStatus.PROCESSING, OrderStatus.SHIPPED)
    return f"track_order.{order.status}{'_late' if late else ''}"


def deadline_day(when: str, today: dt.date) -> tuple[dt.date, bool] | None:
    """The day a deadline the customer wrote ("before Saturday", "tomorrow", "by
    Friday", "this weekend") falls on, counted from ``today``, and whether the order
    must come before it (True) or by it; None when the words name no day."""
    words = when.lower().split()
    before = bool(words) and words[0] == "before"
    if "today" in words or "tonight" in words:
        return today, before
    if "tomorrow" in words:
        return today + dt.timedelta(days=1), before
    for i, name in enumerate(WEEKDAYS):
        if name in words or (name == "saturday" and "weekend" in words):
            ahead = (i - today.weekday()) % 7 or 7
            if "next" in words and ahead < 7:
                ahead += 7
            return today + dt.timedelta(days=ahead), before
    if days := _IN_DAYS.search(when.lower()):
        # "in 10 days": counted from today, not the 10th
        count = days.group(1)
        ahead = int(count) if count.isdigit() else _NUMBERS[count]
        return today + dt.timedelta(days=ahead), before
    dated = _day_of_month(when.lower(), today)
    return (dated, before) if dated is not None else None


_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5}
_IN_DAYS = re.compile(r"\bin (\d{1,2}|two|three|four|five) days\b")
_MONTH_NAMES = "|".join(MONTHS)
# a day of the month: with its suffix ("the 20th") or beside its month ("19 december",
# "dec 12", "20 of this month"), never a bare number
_DAY_OF_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)\b|"
    rf"\b(\d{{1,2}}) (?:of )?(?:{_MONTH_NAMES}|this month)|"
    rf"(?:{_MONTH_NAMES})[a-z]*\.? (\d{{1,2}})\b"
)
_MONTH = re.compile(rf"\b({_MONTH_NAMES})[a-z]*\b")


def _day_of_month(when: str, today: dt.date) -> dt.date | None:
    """The next day a day of the month names ("the 20th", "19 december", "dec 12"),
    from ``today`` on: with its month that month (next year once it has gone by),
    without one this month, or next month once the day has gone by."""
    found = _DAY_OF_MONTH.search(when)
    if found is None:
        return None
    day = int(next(g for g in found.groups() if g))
    named = _MONTH.search(when)
    month = MONTHS.index(named.group(1)) + 1 if named else today.month
    for year, month_ in _months_from(today.year, month, 0 if named else 1):
        try:
            dated = dt.date(year, month_, day)
        except ValueError:
            continue  # the 31st of a short month
        if dated >= today:
            return dated
    if named:
        with contextlib.suppress(ValueError):
            return dt.date(today.year + 1, month, day)
    return None


def _months_from(year: int, month: int, more: int) -> list[tuple[int, int]]:
    """``month`` of ``year`` and the ``more`` months after it."""
    return [
        (year + (month - 1 + k) // 12, (month - 1 + k) % 12 + 1)
        for k in range(more + 1)
    ]


def against_deadline(
    order: Order, said: list[str]
) -> tuple[str, dict[str, str]] | None:
    """When the customer said the day they need ``order`` by: ``after`` when its
    expected day is too late, ``on`` when it is due that very day (in time, with
    no day to spare: not "before"), ``before`` when it should be in time, with the words
    for the reply (``deadline``: "Saturday 12 December", ``event``: "the wedding",
    ``for_event``: " for the wedding" or ""); else None."""
    if order.due is None or order.status not in (
        OrderStatus.SHIPPED,
        OrderStatus.PROCESSING,
    ):
        return None
    from actions.mood import analyzer  # the situation reader of the analysis

    for text in reversed(said):
        for found in analyzer().message.situations.detect(text.lower()):
            if found.kind != "deadline" or not found.when:
                continue
            day = deadline_day(found.when, order.as_of)
            if day is None:
                continue
            deadline, before = day
            words = {
                "deadline": f"{deadline:%A} {deadline.day} {deadline:%B}",
                "event": f"the {found.what}" if found.what else "then",
                "for_event": f" for the {found.what}" if found.what else "",
            }
            late = order.due > deadline or (before and order.due >= deadline)
            if late:
                return "after", words
            return ("on" if order.due == deadline else "before"), words
    return None


def deadline_reply(order: Order, said: list[str]) -> tuple[str, dict[str, str]] | None:
    """The reply key for the day the customer said they need ``order`` by
    (``track_order.[processing_]<after|on|before>_deadline``, ``against_deadline``;
    a late one ``track_order.late_deadline``) and its words; None when they said
    none."""
    needed = against_deadline(order, said)
    if needed is None:
        return None
    side, words = needed
    if order.late:
        # its expected day has passed: no sum to make, and no promise
        return "track_order.late_deadline", words
    packed = "processing_" if order.status is OrderStatus.PROCESSING else ""
    return f"track_order.{packed}{side}_deadline", words


def tells_deadline(text: str) -> bool:
    """Whether ``text`` names a day something is needed by ("bday's on sunday"):
    cheap to ask before an order is looked up for it."""
    from actions.mood import analyzer  # the situation reader of the analysis

    return any(
        found.kind == "deadline" and bool(found.when)
        for found in analyzer().message.situations.detect(text.lower())
    )


# The reply's suffix -> the mention that asks it: why it takes so long, making it faster
TIME_QUESTIONS = {"why": "asks_why_slow", "speed_up": "asks_speed_up"}


def time_question(order: Order, text: str) -> str | None:
    """The reply key for "why so slow?" or "can you speed it up?" about ``order``
    when it is on its way or being prepared and not late (a late one says so
    first); None when ``text`` asks neither."""
    if order.late:
        return None
    for suffix, mention in TIME_QUESTIONS.items():
        key = f"track_order.{order.status}_{suffix}"
        if mentioned(mention, text) and reply_book().has(key):
            return key
    return None
