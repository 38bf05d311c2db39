"""A customer who only asks whether a message is ours, with nothing clicked, given or
paid (data/emotion/situations.yml ``fraud.calm``): that it is not ours and what to
do, a person offered; and what they ask about it right after ("didn't click
anything, should I report it?"): that nothing else is needed."""

from __future__ import annotations

import re

from rasa_sdk import Tracker

from actions.conversation import bot_texts
from actions.emotion import Analysis
from actions.replies import reply_book

FRAUD_CHECK = "fraud_check"  # the calm kind, and its reply key
AFTER = "fraud_check_after"
# what a customer asks or tells about that message next: a step (not) taken, what
# to do, whether to report it, whether they are safe
_ABOUT_IT = re.compile(
    r"\b(?:report\w*|click\w*|tap\w*|open\w*|delete\w*|block\w*|spam|safe|"
    r"anything else|what else|what (?:now|should)|do i (?:need|have) to|should i|"
    r"bank|police|forward\w*|ignore\w*)\b",
    re.IGNORECASE,
)


def fraud_check_key(tracker: Tracker, analysis: Analysis) -> str | None:
    """The reply key when the latest message only asks whether a message is ours
    (``FRAUD_CHECK``), or asks about it right after that answer (``AFTER``); None
    otherwise (and always beside something serious)."""
    if analysis.serious:
        return None
    if any(c.kind == FRAUD_CHECK for c in analysis.circumstances):
        return FRAUD_CHECK
    latest = str((tracker.latest_message or {}).get("text") or "")
    said = bot_texts(tracker)[-1:]
    book = reply_book()
    answered = bool(said) and any(
        book.without_closer(v) in said[0] for v in book.answers.get(FRAUD_CHECK, [])
    )
    return AFTER if answered and _ABOUT_IT.search(latest) else None
