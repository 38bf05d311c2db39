"""What the bot does for a customer who writes in another language beyond answering
a question (actions/language.py): cancelling an order, and where their money stands
(a refund on record, a cancelled order's amount), with the texts of
``data/replies/languages.yml``."""

from __future__ import annotations

from typing import Any

from actions.language_texts import (
    LanguageTexts,
    asks_something,
    day_month,
    problem_said,
    refund_awaited,
    topics_asked,
)
from actions.side import sentences


def wants_cancelled(texts: LanguageTexts | None, text: str) -> bool:
    """Whether ``text`` asks for an order to be cancelled and for nothing else
    ("Quiero cancelar el pedido 5520174, ya no lo necesito"): the bot cancels
    it, as in English; not a question whether it can be ("Könnte ich sie
    stornieren?"), nor beside something that went wrong (a person)."""
    if texts is None or not texts.topics:
        return False
    lower = text.lower()
    # the topics of the sentences that ask or request something: a reason told
    # beside it ("Ich habe den Füller inzwischen im Laden gekauft.") asks nothing
    asking = " ".join(
        s for s in sentences(lower) if asks_something(texts, s) or _cancels(texts, s)
    )
    asked, _ = topics_asked(texts, asking or lower)
    return (
        "cancel" in asked
        and set(asked) <= {"cancel", "order", "thanks", "praise"}
        and not problem_said(texts, lower)
        and not _refused(texts, lower)
    )


def _cancels(texts: LanguageTexts, sentence: str) -> bool:
    """Whether ``sentence`` has the language's word for cancelling."""
    words = texts.topics.get("cancel")
    return words is not None and words.search(sentence) is not None


# How far before the word for cancelling a negation turns it down ("no quiero
# cancelar", "ik wil bestelling 1209384756 niet annuleren")
REFUSAL_SPAN = 40


def _refused(texts: LanguageTexts, lower: str) -> bool:
    """Whether a negation stands within REFUSAL_SPAN characters before the word
    for cancelling in ``lower`` ("no quiero cancelar", "ik wil ... niet
    annuleren": in Dutch and German the negation may come after the object)."""
    cancel = texts.topics.get("cancel")
    if cancel is None or texts.negation is None:
        return False
    return any(
        texts.negation.search(lower[max(0, m.start() - REFUSAL_SPAN) : m.start()])
        for m in cancel.finditer(lower)
    )


def asks_money_back(texts: LanguageTexts | None, text: str) -> bool:
    """Whether ``text`` is about the customer's money coming back (a refund, the
    amount of a cancelled order): it names the money and says it has not come
    yet or asks about it; nothing else went wrong."""
    if texts is None or texts.money is None:
        return False
    lower = text.lower()
    if not texts.money.search(lower):
        return False
    if refund_awaited(texts, lower):
        return problem_said(texts, lower) == texts.care.get("refund_late")
    asked, rest = topics_asked(texts, lower)
    return (
        (asks_something(texts, rest) or "refund" in asked)
        and not problem_said(texts, lower)
        and not ({"person", "problem", "cancel"} & set(asked))
    )


def money_back(
    texts: LanguageTexts, order: dict[str, Any], refund: dict[str, Any] | None
) -> str | None:
    """Where the customer's money for ``order`` stands: the refund on record by
    its state, or a cancelled order's amount; None when neither (a person)."""
    if refund is not None and f"refund.{refund.get('status')}" in texts.answers:
        day = day_month(str(refund.get("updated") or ""))
        values = {**refund, "updated": texts.date.format(**day) if day else ""}
        return texts.answers[f"refund.{refund['status']}"].format(**values)
    if order.get("status") == "cancelled" and "refund.cancelled" in texts.answers:
        return texts.answers["refund.cancelled"].format(**order)
    return None
