"""The words an intent needs (data/intent_words.yml, bot/intent_words.py): the NLU
step in Rasa's pipeline gives an intent without them to the next one that fits."""

from __future__ import annotations

from bot.intent_words import load_requirements, supported

RANKING = [
    {"name": "change_order", "confidence": 0.7},
    {"name": "track_order", "confidence": 0.2},
    {"name": "complaint", "confidence": 0.1},
]


def test_an_intent_without_its_words_goes_to_the_next_that_fits() -> None:
    needs = load_requirements()
    text = "my order was supposed to arrive yesterday"
    assert supported(text, RANKING[0], RANKING, needs) == RANKING[1]


def test_an_intent_with_its_words_or_without_needs_stays() -> None:
    needs = load_requirements()
    assert supported("can I change the size", RANKING[0], RANKING, needs) == RANKING[0]
    assert supported("hello", RANKING[1], RANKING, needs) == RANKING[1]
    # nothing else fits: NLU's choice stands (the fallback threshold still applies)
    only = [RANKING[0]]
    assert supported("my order is late", RANKING[0], only, needs) == RANKING[0]


def test_a_cancellation_needs_words_that_ask_for_one() -> None:
    """A cancellation undoes an order: a question about the delivery that NLU reads
    as one goes to the next intent; "cancel", its typos, "I don't want it any
    more" keep it."""
    needs = load_requirements()
    ranking = [
        {"name": "cancel_order", "confidence": 0.6},
        {"name": "track_order", "confidence": 0.3},
    ]
    leave = "can the courier leave order 5520174 with a neighbour?"
    assert supported(leave, ranking[0], ranking, needs) == ranking[1]
    for asked in (
        "please cancel order 5520174",
        "cnacel my purchase",
        "I don't want it any more, stop the order",
        "get rid of my order please",
    ):
        assert supported(asked, ranking[0], ranking, needs) == ranking[0], asked


def test_a_request_for_a_person_needs_words_for_one() -> None:
    """An e-mail address given to prove an order is no request for a person, however
    NLU reads it; a person asked for in any words (typos too) stays one."""
    needs = load_requirements()
    ranking = [
        {"name": "contact_human_agent", "confidence": 0.31},
        {"name": "nlu_fallback", "confidence": 0.3},
    ]
    assert supported("j.doe@example.org", ranking[0], ranking, needs) == ranking[1]
    for asked in (
        "let me speak to a human",
        "is there anyone I can call",
        "speek to an agnet pls",
        "put your manager on the line",
    ):
        assert supported(asked, ranking[0], ranking, needs) == ranking[0], asked


def test_where_a_refund_stands_needs_the_money_or_the_return() -> None:
    """ "Where's my parcel? I paid for next-day" asks where the order is, however
    NLU reads the word "paid"; the refund, the money, a return or a rebate named
    keep the refund (its typos too)."""
    needs = load_requirements()
    ranking = [
        {"name": "track_refund", "confidence": 0.6},
        {"name": "track_order", "confidence": 0.4},
    ]
    order = "where's my parcel 48213?? I paid for next-day delivery!!"
    assert supported(order, ranking[0], ranking, needs) == ranking[1]
    for asked in (
        "any news on my refnud?",
        "has the money gone back to my card",
        "I posted the return last week, has it been processed?",
        "is my rebate on its way",
    ):
        assert supported(asked, ranking[0], ranking, needs) == ranking[0], asked


def test_an_invoice_needs_a_bill_receipt_or_invoice_named() -> None:
    """ "Will the courier carry it up to my flat?" or "must I keep the box to send it
    back?" read as an invoice go to the next intent; the invoice asked for in any of
    its words stays one."""
    needs = load_requirements()
    for intent in ("check_invoice", "get_invoice"):
        ranking = [
            {"name": intent, "confidence": 0.6},
            {"name": "delivery_options", "confidence": 0.3},
        ]
        door = "will the courier carry it up to my flat?"
        assert supported(door, ranking[0], ranking, needs) == ranking[1]
        for asked in (
            "can I get an invoice for order 48213",
            "I need a receipt for my expenses",
            "where's the bill for my last purchase",
            "ich brauche eine Rechnung",
        ):
            assert supported(asked, ranking[0], ranking, needs) == ranking[0], asked
