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


async def test_thanks_after_a_death_is_met_with_care() -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from actions.answers import ActionAnswer
    from tests.actions.conftest import says
    from tests.actions.test_offers import conversation

    turns = [
        ("customer", "My dad died last month, please cancel his order", "cancel_order"),
        ("bot", "I'm so sorry about your dad. Order 5520174 is cancelled.", None),
        ("customer", "thank you", "thank_you"),
    ]
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(dispatcher, conversation(turns, "grave-thanks"), {})
    said = " ".join(m["text"] for m in dispatcher.messages)
    assert says(said, "thank_you_grave"), said
    plain = [("customer", "where is my order?", "track_order"), *turns[1:]]
    plain[0] = ("customer", "please cancel my order", "cancel_order")
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(dispatcher, conversation(plain, "plain-thanks"), {})
    said = " ".join(m["text"] for m in dispatcher.messages)
    assert not says(said, "thank_you_grave"), said
