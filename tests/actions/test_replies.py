"""Reply templates: complete for every intent and outcome, varied, never repeated."""

import random
import re
from pathlib import Path

import pytest
import yaml

from actions.paths import ROOT
from actions.readings import SMALL_TALK
from actions.replies import MissingReply, ReplyBook, reply_book

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
LOOKUP_INTENTS = {
    "track_order",
    "cancel_order",
    "change_order",
    "track_refund",
    "check_invoice",
    "get_invoice",
}
STATUSES = ("processing", "shipped", "delivered", "cancelled")
REQUIRED_KEYS = {
    "fallback",
    "out_of_scope",
    "confirm_intent",
    "confirm_denied",
    "affirm_nothing_pending",
    "deny_nothing_pending",
    "ask.order_id",
    "ask.order_id_again",
    "ask.invoice_id_or_order",
    "order.not_found",
    "invoice.not_found",
    "check_invoice.found",
    "get_invoice.found",
    "change_order.editable",
    "change_order.locked",
    "track_refund.none",
    *(f"track_order.{s}" for s in STATUSES),
    "cancel_order.cancellable",
    "cancel_order.shipped",
    "cancel_order.delivered",
    "cancel_order.cancelled",
    *(f"track_refund.{s}" for s in ("requested", "approved", "paid")),
}


def test_every_answered_intent_has_templates() -> None:
    book = reply_book()
    answered = (
        set(DOMAIN["intents"]) - LOOKUP_INTENTS - {"affirm", "deny", "out_of_scope"}
    )
    missing = sorted(i for i in answered if not book.has(i))
    assert missing == []


def test_every_outcome_has_templates() -> None:
    book = reply_book()
    assert sorted(k for k in REQUIRED_KEYS if not book.has(k)) == []


def test_every_business_intent_can_be_described() -> None:
    book = reply_book()
    business = set(DOMAIN["intents"]) - SMALL_TALK
    assert sorted(i for i in business if not book.describe(i)) == []


def test_every_key_has_variations_and_calm_tone() -> None:
    for key, texts in reply_book().answers.items():
        assert len(texts) >= 3, key
        for text in texts:
            assert text.count("!") <= 1, (key, text)
            shouting = re.findall(r"\b[A-Z]{4,}\b", text)
            assert shouting == [], (key, text)


def test_pick_never_repeats_the_last_reply() -> None:
    book = ReplyBook(answers={"k": ["one", "two", "three"]}, rng=random.Random(1))
    last = "one"
    for _ in range(50):
        text = book.pick("k", avoid=[last])
        assert text != last
        last = text


def test_pick_fills_placeholders_and_blanks_missing_ones() -> None:
    book = ReplyBook(answers={"k": ["Order {order_id} is {status}."]})
    assert (
        book.pick("k", order_id="48213", status="on its way")
        == "Order 48213 is on its way."
    )
    assert book.pick("k", order_id="48213") == "Order 48213 is."


def test_unknown_key_is_an_error() -> None:
    with pytest.raises(MissingReply):
        reply_book().pick("no.such.key")


def test_template_file_without_variations_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "answers.yml"
    bad.write_text("answers:\n  greet: []\n")
    with pytest.raises(ValueError, match="greet"):
        ReplyBook.from_file(bad)


def test_every_decline_offers_a_person() -> None:
    book = reply_book()
    for key in ("fallback", "out_of_scope"):
        for text in book.answers[key]:
            assert re.search(r"person|colleague|someone", text), text


def test_a_stock_closer_is_never_said() -> None:
    book = reply_book()
    answer = "We accept cards and PayPal. Anything else I can help with?"
    assert book.closes(answer)
    assert book.without_closer(answer) == "We accept cards and PayPal."
    # a one-sentence reply is never emptied, a reply without a closer never changed
    assert book.without_closer("Anything else?") == "Anything else?"
    plain = "We accept cards. PayPal works too."
    assert book.without_closer(plain) == plain


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("you took the payment twice for one order", "payment_issue.double_charge"),
        (
            "I see two charges on my card for the same jacket",
            "payment_issue.double_charge",
        ),
        ("my card keeps getting declined at checkout", None),
    ],
)
def test_a_message_that_says_more_than_its_intent_gets_the_specific_answer(
    text: str, key: str | None
) -> None:
    assert reply_book().specific_key("payment_issue", text) == key
    assert reply_book().specific_key("track_order", text) is None


def test_one_named_pattern_drives_both_the_concern_and_the_specific_answer() -> None:
    from actions.empathy import empathy_book
    from actions.situation import Situation

    text = "my bank shows you charged me again for the same order"
    assert reply_book().specific_key("payment_issue", text) == (
        "payment_issue.double_charge"
    )
    situation = Situation(intent="payment_issue", analysis=None, text=text)
    assert empathy_book().said_concern(situation) == "the double charge"


def test_a_rule_naming_an_unknown_mention_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "answers.yml"
    bad.write_text(
        "answers:\n  payment_issue: ['a']\n  payment_issue.x: ['b']\n"
        "specific:\n  payment_issue:\n    - mention: no_such_thing\n"
        "      key: payment_issue.x\n"
    )
    with pytest.raises(ValueError, match="no_such_thing"):
        ReplyBook.from_file(bad)


def test_a_refund_that_has_not_come_is_not_a_parcel_that_has_not_come() -> None:
    book = reply_book()
    assert book.refund_in_context(["the parcel still hasn't arrived"]) == (
        "get_refund.not_arrived"
    )
    assert book.refund_in_context(["my refund STILL hasn't arrived"]) is None
    assert book.refund_in_context(["the money never came back to my card"]) is None


def test_a_return_for_a_change_of_mind_is_answered_yes_first() -> None:
    """ "Can I return it if I've just changed my mind?" is a yes-or-no question:
    the answer says yes first, not only the returns rules."""
    book = reply_book()
    for asked in (
        "Can I return something if I've simply changed my mind?",
        "can I send it back if I just don't like it?",
    ):
        key = book.specific_key("check_refund_policy", asked)
        assert key == "check_refund_policy.change_of_mind", asked
        assert all(v.startswith(("Yes", "You can, yes")) for v in book.answers[key])
    assert (
        book.specific_key("check_refund_policy", "what is your returns policy?") is None
    )
