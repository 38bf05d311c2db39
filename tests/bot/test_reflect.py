"""The customer's words said back from our side, and the feeling they name with what
it is about (bot/reflect.py)."""

from __future__ import annotations

import pytest

from bot.reflect import Felt, felt, theirs


@pytest.mark.parametrize(
    ("words", "said_back"),
    [
        ("my parcel", "your parcel"),
        ("that you lost my parcel", "that we lost your parcel"),
        ("angry at you for charging me twice", "angry at us for charging you twice"),
        ("the label you sent me", "the label we sent you"),
        ("that you guys forgot us", "that we forgot you"),
        ("I was sure I am right", "you were sure you are right"),
        ("you'll charge me again", "we'll charge you again"),
        # the one asked to do something: "us"
        ("you to call me back", "us to call you back"),
        (
            "your courier left it with my neighbour",
            "our courier left it with your neighbour",
        ),
        ("we've waited for our sofa", "you've waited for your sofa"),
        # a word in capitals is theirs to shout, not ours: said plainly (not a
        # short name: "DHL")
        ("that the LAMP broke", "that the lamp broke"),
        ("that DHL lost it", "that DHL lost it"),
    ],
)
def test_their_words_are_said_from_our_side(words: str, said_back: str) -> None:
    assert theirs(words) == said_back


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "Hi, I'm a bit nervous the coat won't come before my trip on Sunday.",
            Felt(
                "anxiety",
                "nervous",
                "that the coat won't come before your trip on Sunday",
            ),
        ),
        (
            "i am worried i paid for the same thing two times",
            Felt("anxiety", "worried", "that you paid for the same thing two times"),
        ),
        (
            "I'm really angry that you cancelled it without asking, what now?",
            Felt("anger", "angry", "that we cancelled it without asking"),
        ),
        (
            "Honestly I'm fed up with chasing you for an answer",
            Felt("frustration", "fed up", "with chasing us for an answer"),
        ),
        (
            "I\u2019m so confused about the form you sent me",
            Felt("confusion", "confused", "about the form we sent you"),
        ),
        (
            "It's making me really anxious that nobody has written back",
            Felt("anxiety", "anxious", "that nobody has written back"),
        ),
        # what follows the feeling, up to where a request begins
        (
            "I'm scared my card details were stolen, can you block my account",
            Felt("anxiety", "scared", "that your card details were stolen"),
        ),
        # a long reason is cut at a word where a clause ends, or not said at all
        (
            "I'm disappointed because we had planned to use the tent this weekend "
            "and now the trip is off and the kids are sad",
            Felt(
                "sadness",
                "disappointed",
                "because you had planned to use the tent this weekend",
            ),
        ),
        # said without what it is about: the feeling alone
        ("im stressed lol", Felt("anxiety", "stressed", "")),
        # a word that only says when is not said back
        (
            "I'm so scared they've got my card details now",
            Felt("anxiety", "scared", "that they've got your card details"),
        ),
        # "about it" names nothing to say back
        ("I'm so stressed about it all", Felt("anxiety", "stressed", "")),
        # harsh words are not said back
        ("I'm furious with your useless courier", Felt("anger", "furious", "")),
        # a figure of speech, not a feeling about something
        ("I'm sad to say the vase broke", Felt("sadness", "sad", "")),
    ],
)
def test_a_named_feeling_comes_with_what_it_is_about(text: str, found: Felt) -> None:
    assert felt(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "I'm not worried about it, just curious",
        "Where is my order 48213?",
        "The box was worried open by the dog",  # no feeling of theirs
        "Are you worried about the strike?",
    ],
)
def test_no_feeling_of_their_own_is_none(text: str) -> None:
    assert felt(text) is None


def test_the_words_say_feeling_and_reason() -> None:
    found = felt("I'm worried that the fridge will not fit")
    assert found is not None
    assert found.words == "worried that the fridge will not fit"
