"""In a chat where something grave was told (a death, an injury, a fraud), a reply
does not open with a glad word ("Done.", "All sorted:", "Good news:"): the facts,
plainly."""

from __future__ import annotations

from actions.replies import reply_book
from actions.situation import Situation
from actions.speaker import grave


def test_a_glad_opener_goes_and_the_facts_stay() -> None:
    book = reply_book()
    for key in ("cancel_order.cancellable", "cancel_fee.processing"):
        for variant in book.answers[key]:
            plain = book.without_gladness(variant)
            assert not plain.lower().startswith(("done", "all sorted", "good news"))
            assert "{order_id}" in plain and plain[0].isupper(), plain
    # a reply that is nothing but the glad word stays as it is
    assert book.without_gladness("Done.") == "Done."


def test_a_death_told_earlier_in_the_chat_is_grave() -> None:
    told = Situation(
        intent="cancel_order",
        analysis=None,
        text="kwame@example.org",
        earlier=["My wife passed away on Sunday, please cancel her order 5520174"],
    )
    assert grave(told)
    calm = Situation(
        intent="cancel_order",
        analysis=None,
        text="kwame@example.org",
        earlier=["please cancel order 5520174, I found it cheaper"],
    )
    assert not grave(calm)
