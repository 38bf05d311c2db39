"""Turns that end a question or hand it on: "that is all I needed" after a reply
that asked something is a goodbye, not a yes to it; "could you find out and get back
to me?" after a reply that said a colleague could check is a yes to a person."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.closings import done_asking
from tests.actions.test_offers import conversation

DOMAIN: dict = {}


@pytest.mark.parametrize(
    ("text", "done"),
    [
        ("Very well, that is all I needed.", True),
        ("Really nice, that was all I wanted to know", True),
        ("All good, nothing else", True),
        ("no, that's everything, thank you", True),
        ("I'm all set, cheers", True),
        ("nothing else for now, thanks", True),
        ("That's all I wanted to know!", True),
        # signed off after it
        ("Fine, that is everything. Best regards.", True),
        ("perfect that's it, thanks, have a good day", True),
        ("That will be all. Many thanks, goodbye", True),
        # more than that: not the end
        ("that's all fine but where is my refund?", False),
        ("is that all the colours you have?", False),
        ("ok", False),
        ("Kind regards", False),
    ],
)
def test_a_message_that_needs_nothing_more(text: str, done: bool) -> None:
    assert done_asking(text) is done


async def test_that_is_all_after_a_question_of_ours_is_a_goodbye() -> None:
    turns: list[tuple[str, str, str | None]] = [
        ("customer", "how many days do I have to return something?", "return_policy"),
        (
            "bot",
            "You have 30 days, and returns are free. Would you like help starting one?",
            None,
        ),
        ("customer", "Right, that is all I needed, thank you.", "affirm"),
    ]
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(dispatcher, conversation(turns, "done-asking"), DOMAIN)
    said = " ".join(m["text"] for m in dispatcher.messages)
    assert "listening" not in said and "What can I" not in said
    assert "return" not in said.lower()


async def test_find_out_for_me_after_a_colleague_could_check_brings_one_in(
    own_queue: str,
) -> None:
    turns: list[tuple[str, str, str | None]] = [
        ("customer", "is the wool on the blue jumper mulesing-free?", "product_info"),
        (
            "bot",
            "The product page lists the materials under Details. If what you need "
            "isn't there, a colleague can check with our product team.",
            None,
        ),
        ("customer", "can you find that out for me please?", "get_refund"),
    ]
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(
        dispatcher, conversation(turns, "find-out-for-me"), DOMAIN
    )
    assert {"event": "pause", "timestamp": None} in events


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("is there someone who could check that with the maker?", "nlu_fallback"),
        ("could you confirm it with the supplier?", "out_of_scope"),
        ("can you ask the manufacturer for me", "nlu_fallback"),
        # someone described by what they know, asked to check for them
        ("OK, can anyone who knows the jewellery look for me?", "place_order"),
    ],
)
async def test_someone_to_check_after_a_colleague_could_brings_one_in(
    own_queue: str, text: str, intent: str
) -> None:
    """Taking up the offer in its own words ("is there anyone who can check with
    the manufacturer?") after a reply that said a colleague could check, whatever
    NLU made of it: a person, not "is it one of these?"."""
    from actions.unclear import ActionNotUnderstood

    turns: list[tuple[str, str, str | None]] = [
        ("customer", "does the clasp on the necklace contain nickel?", "product_info"),
        (
            "bot",
            "The product page lists the materials under Details. If what you need "
            "isn't there, I can ask a member of our team to find out for you.",
            None,
        ),
        ("customer", text, intent),
    ]
    dispatcher = CollectingDispatcher()
    events = await ActionNotUnderstood().run(
        dispatcher, conversation(turns, f"check-with-{intent}"), DOMAIN
    )
    assert {"event": "pause", "timestamp": None} in events


@pytest.mark.parametrize(
    ("text", "taken"),
    [
        ("yes please", True),
        # a person only mentioned ("just say so"), not asked about: "ok" heard the
        # answer (after "Shall I bring one in?" it is a yes: test_offers.py)
        ("ok", False),
        ("that'd be great", True),
        # thanks or an acknowledgement only: the offer is not taken
        ("Perfect, thanks.", False),
        # an ok, then a new question: the question, not the offer
        ("OK. Otherwise, is there a wish list I can save things in?", False),
        ("Yes please. I can send a photo too.", True),
        ("right.", False),
        ("ok thanks", False),
    ],
)
def test_an_offered_person_is_taken_only_with_a_yes(text: str, taken: bool) -> None:
    from actions.conversation import accepted_offer

    turns: list[tuple[str, str, str | None]] = [
        ("customer", "can I still change the address?", "change_shipping_address"),
        (
            "bot",
            "Yes, under Account > Orders. A person can do it too; just say so.",
            None,
        ),
        ("customer", text, "affirm"),
    ]
    tracker = conversation(turns, "offer-taken", offered="handoff")
    assert (accepted_offer(tracker) == "handoff") is taken


def _person_asked_about(text: str) -> Tracker:
    """A broken gift, "Shall I bring one in?", and ``text`` in answer."""
    turns: list[tuple[str, str, str | None]] = [
        ("customer", "the vase I sent my mum arrived broken", "complaint"),
        (
            "bot",
            "I'm so sorry it arrived broken. A colleague will arrange a replacement or "
            "a refund. Shall I bring one in?",
            None,
        ),
        ("customer", text, "thank_you"),
    ]
    return conversation(turns, "offer-glad", offered="handoff")


@pytest.mark.parametrize(
    ("text", "taken"),
    [
        ("great, thanks", True),
        ("Perfect, thank you!", True),
        ("ok thanks", False),  # an acknowledgement: asked again, not taken
        ("thanks", False),
    ],
)
def test_glad_thanks_to_a_question_offering_a_person_takes_it(
    text: str, taken: bool
) -> None:
    """ "great, thanks" right after "Shall I bring one in?" is glad of the person
    asked about (the broken gift is then arranged); after an offer that was only an
    option, it closes (test above)."""
    from actions.conversation import accepted_offer

    tracker = _person_asked_about(text)
    assert (accepted_offer(tracker) == "handoff") is taken


async def test_glad_thanks_to_the_offer_brings_the_person(own_queue: str) -> None:
    """The answer to "great, thanks" after "Shall I bring one in?" is the person,
    not "Glad I could help"."""
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(
        dispatcher, _person_asked_about("great, thanks"), DOMAIN
    )
    assert {"event": "pause", "timestamp": None} in events
