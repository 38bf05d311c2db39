"""Plain turns of a customer waiting for a person, on a real Redis: how soon someone
gets in touch is the wait; whether to give the number to call is answered yes; thanks
for something is thanks; a plain "ok, I understand" is thanked for its patience, not
met with reassurance it did not ask for."""

from __future__ import annotations

import pytest

from bot.conversations import Conversations
from bot.handoff import UrgencyFlag
from bot.texts import say
from bot.waiting_courtesy import only_thanks
from tests.bot.handoff.test_waiting_replies import still, waiting


async def test_how_soon_and_the_number_to_call(conversations: Conversations) -> None:
    replies = await waiting(
        conversations,
        "web-plain-call",
        [
            "How soon will somebody call me back?",
            "it's a landline, should I give it to you?",
            "should I just type it in here?",
            "Thank you for being so patient with me",
        ],
    )
    # how soon someone gets in touch is the wait, not a request to be called
    assert replies[0] == still(say("waiting_nobody_online"))
    assert replies[1:] == [
        say("waiting_call"),
        say("waiting_call_again"),  # yes, here: not "they'll answer that here"
        say("waiting_thanks"),
    ]


async def test_a_plain_ok_after_a_health_worry_is_not_reassured(
    conversations: Conversations,
) -> None:
    flags = frozenset({UrgencyFlag.HEALTH})
    calm = await waiting(conversations, "web-plain-ok", ["ok, I understand"], "", flags)
    assert calm == [say("waiting_patience")]
    # a message that is more than an "ok" still hears it
    worried = await waiting(
        conversations, "web-plain-worried", ["I just don't know what to do"], "", flags
    )
    assert say("waiting_advice_health") in worried[0]


async def test_is_anyone_there_in_german_is_the_wait(
    conversations: Conversations,
) -> None:
    [reply] = await waiting(conversations, "web-plain-de", ["Ist hier wer?"], "de")
    # nobody is online: said, not "the person will answer that here"
    assert reply != say("waiting_question", "de")
    assert reply == still(say("waiting_nobody_online", "de"), "de")


@pytest.mark.parametrize(
    ("text", "thanks"),
    [
        ("Thank you for being patient with me", True),
        ("thanks for taking the time.", True),
        ("Thanks for nothing", False),
        ("thanks for the update but where is my parcel", False),
        ("thank you for the reply, is it coming today?", False),
    ],
)
def test_thanks_for_something_is_thanks(text: str, thanks: bool) -> None:
    assert only_thanks(text) is thanks


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("I really need that money back before then.", "the money back"),
        ("I need this refund by Friday", "the refund"),
        ("I want my money back soon", "your money back"),
    ],
)
def test_what_they_want_is_said_back_without_when_or_pointing(
    text: str, wanted: str
) -> None:
    """ "...will see that you want that money back before then" read as a seam
    (blind probe ce): the want said back alone, "the money back"."""
    from bot.waiting_english import ENGLISH
    from bot.waiting_texts import wants

    assert wants(text, ENGLISH, "") == say("wants_named", wanted=wanted)
