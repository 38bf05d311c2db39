"""Cutting a message into the questions it asks (actions/side.py); the answers to
side questions through the whole stack are in tests/test_escalation.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.replies import ReplyBook, reply_book
from actions.side import clauses, is_question, points_back, topic


@pytest.mark.parametrize(
    ("text", "questions"),
    [
        (
            "Could you ship to Norway, what would it cost and may I pay by Klarna?",
            ["Could you ship to Norway", "what would it cost", "may I pay by Klarna?"],
        ),
        (
            "Where's my parcel? Also, do you take Apple Pay?",
            ["Where's my parcel?", "do you take Apple Pay?"],
        ),
        ("The strap snapped on day two; can I send it back?", ["can I send it back?"]),
        # after a preamble and a colon; "is" opens a question that ends as one
        (
            "two quick ones: can I pay by Klarna, and is shipping to Iceland possible?",
            ["two quick ones: can I pay by Klarna", "is shipping to Iceland possible?"],
        ),
        ("the lamp arrived late and is scratched.", None),
        # one question, however long, is one
        ("how long does it take for a refund to reach my card", None),
        ("I'd like to cancel and have my money back please", None),
        # a relative clause is no question ("which has ..."), nor is one that points
        # back at what the message is about
        (
            "I'm writing about parcel 5512, which has now missed two delivery dates.",
            None,
        ),
        ("hi there", None),
    ],
)
def test_a_message_is_cut_where_a_new_question_starts(
    text: str, questions: list[str] | None
) -> None:
    parts = clauses(text)
    if questions is None:
        assert len(parts) == 1
    else:
        assert [p for p in parts if is_question(p)] == questions


def test_a_reply_key_answers_its_question() -> None:
    assert topic("delivery_options_place") == "delivery_options"
    assert topic("delivery_options_place_abroad") == "delivery_options"
    assert topic("delivery_period_place_no") == "delivery_period"
    assert topic("payment_issue.double_charge") == "payment_issue"
    assert topic("faq.gift_wrap") == "faq.gift_wrap"


def test_every_side_question_has_an_answer(tmp_path: Path) -> None:
    assert reply_book().side_questions
    assert all(reply_book().has(i) for i in reply_book().side_questions)
    bad = tmp_path / "answers.yml"
    bad.write_text("answers:\n  greet: ['Hi']\nside_questions: [delivery_options]\n")
    with pytest.raises(ValueError, match="delivery_options"):
        ReplyBook.from_file(bad)


@pytest.mark.parametrize(
    ("clause", "back"),
    [
        ("so when does it come back?", True),
        ("how long will that take?", True),
        ("how long does a refund take to reach my card?", False),
        ("which courier do you use?", False),
        ("is it possible to return a worn item that I bought in the sale?", False),
    ],
)
def test_a_short_clause_about_it_points_back(clause: str, back: bool) -> None:
    """ "when does it come back?" beside a refund is the refund's question, not one of
    its own for the FAQ (back in stock)."""
    assert points_back(clause) is back


def test_in_a_message_naming_an_order_a_question_about_it_is_the_orders() -> None:
    """ "How will I know when it gets to me?" beside order 228810 is the lookup's
    question, not one for the general delivery times; a question of its own beside
    it ("do you deliver to Norway?") still is."""
    from actions.side import clauses, own_questions

    text = (
        "I bought a lamp, it's number 228810. How will I know when it gets to me? "
        "And do you deliver to Norway?"
    )
    assert own_questions(text, clauses(text)) == ["do you deliver to Norway?"]
    plain = "How will I know when it gets to me from your shop? Do you ship to Norway?"
    assert len(own_questions(plain, clauses(plain))) == 2
