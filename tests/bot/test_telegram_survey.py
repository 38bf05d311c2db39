"""The survey on Telegram through the real stack, against the fake Bot API.

Number buttons one question at a time, then the comment: written as the next message
(stored with its emotion reading, never passed on to the bot) or skipped; a comment too
long is explained and nothing is lost; a comment never written keeps the numbers; an
upset customer is not asked. The helpers and fixtures are tests/bot/test_telegram.py's
(imported, so pytest finds the fixtures here: hence F401/F811 off for this file).
"""
# ruff: noqa: F401, F811

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

from bot.conversations import Conversations
from bot.handoff import Agent, Presence, TicketState
from bot.ops.fake_telegram import Call, FakeTelegramAPI
from bot.survey_config import load as load_survey
from bot.telegram_survey import COMMENT_TOO_LONG, RATING_DONE
from bot.transcript import Author, Kind, Transcript
from tests.bot.test_telegram import (
    Gateway,
    aredis,
    callback_update,
    conversations,
    gateway,
    inline_data,
    message_update,
    needs_stack,
    new_chat,
    transcript,
)
from tests.polling import until

# an upset thank-you the stack's analysis reads at frustration 2 (data/surveys.yml
# never_when), answered by the bot with a question: no survey either way
UPSET_THANKS = "thanks, I'm still really upset about this"
NUMBERS = (("c", 5), ("u", 4), ("e", 7), ("n", 10))


async def buttons(api: FakeTelegramAPI, chat: int, data: str, what: str) -> Call:
    """The message sent to ``chat`` with an inline button of callback ``data``."""
    found = await until(
        lambda: [
            c for c in api.calls_to("sendMessage", chat) if data in inline_data(c)
        ],
        what=what,
    )
    return found[0]


async def tap_numbers(
    gateway: Gateway,
    api: FakeTelegramAPI,
    chat: int,
    number: int,
    answers: tuple[tuple[str, int], ...] = NUMBERS,
) -> None:
    """Tap one number per question, each once its buttons have arrived."""
    for code, value in answers:
        asked = await buttons(api, chat, f"rate:{number}:{code}:1", f"{code} buttons")
        tap = callback_update(
            chat, f"rate:{number}:{code}:{value}", asked.result["message_id"]
        )
        assert (await gateway.post(tap)).status_code == 200


async def thanked_bot_only(
    gateway: Gateway, api: FakeTelegramAPI, conversations: Conversations
) -> tuple[int, int]:
    """A new chat that asked something and said thanks: (chat, survey number)."""
    chat = new_chat()
    for text in ("what are your delivery times?", "thanks, that's all"):
        assert (await gateway.post(message_update(chat, text))).status_code == 200
    survey = await conversations.surveys.open_survey(f"tg-{chat}")
    assert survey is not None and survey.kind == "bot"
    return chat, survey.number


async def at_the_comment(
    gateway: Gateway, api: FakeTelegramAPI, conversations: Conversations
) -> tuple[int, int, Call]:
    """A bot-only chat whose numbers are tapped: (chat, survey number, the comment
    question with its Skip button)."""
    chat, number = await thanked_bot_only(gateway, api, conversations)
    await tap_numbers(gateway, api, chat, number)
    skip = await buttons(api, chat, f"rate:{number}:skip", "the comment")
    return chat, number, skip


async def stored(aredis: Any, conversations: Conversations, cid: str) -> list[Any]:
    """The survey records of ``cid`` the reports read."""
    raw = await aredis.zrange(conversations.keys.survey_answers, 0, -1)
    records = [json.loads(r) for r in raw]
    return [r for r in records if r["conversation"] == cid]


@needs_stack
async def test_angry_customer_handoff_agent_reply_resolve_and_rating(
    gateway: Gateway,
    telegram_api: FakeTelegramAPI,
    transcript: Transcript,
    conversations: Conversations,
) -> None:
    chat = new_chat()
    cid = f"tg-{chat}"
    queue = conversations.queue
    angry = (
        "This is the THIRD time I'm asking, my order is weeks late and NOBODY "
        "ANSWERS!!! I want to talk to a real person NOW."
    )
    assert (await gateway.post(message_update(chat, angry))).status_code == 200
    assert await queue.state(cid) is TicketState.QUEUED
    handoff = [e for e in await transcript.read(cid) if e.kind is Kind.HANDOFF]
    assert handoff, "the bot should say a person is coming"
    await until(lambda: handoff[-1].text in telegram_api.texts(chat), what="handoff")

    agent_id = "tg" + secrets.token_hex(4)
    await queue.register_agent(Agent(agent_id, "Sam", capacity=3))
    await queue.set_presence(agent_id, Presence.ONLINE)
    claim = await conversations.claim(agent_id, cid)
    reply = "I'm so sorry about the wait. I'm looking at your order right now."
    await conversations.agent_message(agent_id, cid, claim.token, reply)
    await until(lambda: f"Sam: {reply}" in telegram_api.texts(chat), what="agent reply")
    assert "Sam from our team has joined the chat." in telegram_api.texts(chat)

    # While the agent holds the chat the bot stays silent.
    before = len(telegram_api.texts(chat))
    await gateway.post(message_update(chat, "thank you, it's order 48213"))
    await asyncio.sleep(2.0)
    assert len(telegram_api.texts(chat)) == before

    await conversations.resolve(agent_id, cid, claim.token, "found the parcel")
    number = (await conversations.surveys.open_survey(cid)).number  # type: ignore[union-attr]
    ask = await buttons(telegram_api, chat, f"rate:{number}:c:1", "the rating buttons")
    assert inline_data(ask) == [f"rate:{number}:c:{n}" for n in range(1, 6)]
    assert "How satisfied are you" in ask.params["text"]

    first = callback_update(chat, f"rate:{number}:c:4", ask.result["message_id"])
    assert (await gateway.post(first)).status_code == 200
    answered = telegram_api.calls_to("answerCallbackQuery")
    assert any(
        c.params["callback_query_id"] == first["callback_query"]["id"] for c in answered
    )
    edits = telegram_api.calls_to("editMessageReplyMarkup", chat)
    assert edits and int(edits[-1].params["message_id"]) == ask.result["message_id"]
    # each next question follows the tap before it, the comment last
    await tap_numbers(
        gateway, telegram_api, chat, number, (("u", 5), ("e", 6), ("n", 9))
    )
    comment = await buttons(telegram_api, chat, f"rate:{number}:skip", "the comment")
    assert "Anything else you'd like to tell us?" in comment.params["text"]
    assert (await queue.ticket(cid)).rating is None  # the numbers wait for it
    words = "Sam was lovely, but the wait before was far too long."
    assert (await gateway.post(message_update(chat, words))).status_code == 200
    ticket = await queue.ticket(cid)
    assert ticket.rating is not None
    rated = (ticket.rating.csat, ticket.rating.understood, ticket.rating.effort)
    assert rated == (4, 5, 6) and ticket.rating.recommend == 9
    assert ticket.rating.comment == words
    thanks = load_survey().thanks["en"]
    await until(
        lambda: any(t in thanks for t in telegram_api.texts(chat)), what="the thanks"
    )
    # A late second tap changes nothing.
    late = callback_update(chat, f"rate:{number}:u:1", ask.result["message_id"])
    assert (await gateway.post(late)).status_code == 200
    assert (await queue.ticket(cid)).rating.understood == 5  # type: ignore[union-attr]


@needs_stack
async def test_a_bot_only_chat_that_says_thanks_gets_the_survey_an_upset_one_not(
    gateway: Gateway,
    telegram_api: FakeTelegramAPI,
    transcript: Transcript,
    conversations: Conversations,
) -> None:
    surveys = conversations.surveys
    happy, number = await thanked_bot_only(gateway, telegram_api, conversations)
    upset = new_chat()
    for text in ("what are your delivery times?", UPSET_THANKS):
        assert (await gateway.post(message_update(upset, text))).status_code == 200
    # the whole turn is stored when the webhook answers
    upset_kinds = [e.kind for e in await transcript.read(f"tg-{upset}")]
    assert Kind.RATING_REQUEST not in upset_kinds
    assert await surveys.open_survey(f"tg-{upset}") is None

    ask = await buttons(telegram_api, happy, f"rate:{number}:c:1", "the buttons")
    assert inline_data(ask) == [f"rate:{number}:c:{n}" for n in range(1, 6)]
    assert "How satisfied are you" in ask.params["text"]
    await tap_numbers(gateway, telegram_api, happy, number)
    skip = await buttons(telegram_api, happy, f"rate:{number}:skip", "the comment")
    assert inline_data(skip) == [f"rate:{number}:skip"]
    tap = callback_update(happy, f"rate:{number}:skip", skip.result["message_id"])
    assert (await gateway.post(tap)).status_code == 200
    assert await surveys.open_survey(f"tg-{happy}") is None
    stored_entries = await transcript.read(f"tg-{happy}")
    [rated] = [e for e in stored_entries if e.kind is Kind.RATED]
    assert rated.data == {"csat": 5, "understood": 4, "effort": 7, "recommend": 10}
    # the upset customer's chat never showed a survey button
    await until(lambda: len(telegram_api.texts(upset)) >= 2, what="both answers")
    assert not any(inline_data(c) for c in telegram_api.calls_to("sendMessage", upset))


@needs_stack
async def test_the_comment_is_read_stored_once_and_never_reaches_the_bot(
    gateway: Gateway,
    telegram_api: FakeTelegramAPI,
    transcript: Transcript,
    conversations: Conversations,
    aredis: Any,
) -> None:
    chat, number, _ = await at_the_comment(gateway, telegram_api, conversations)
    cid = f"tg-{chat}"
    limit = load_survey().question("comment").max_chars  # type: ignore[union-attr]

    # too long: said so, nothing stored, the survey still waits for its comment
    long = "The delivery was late. " * (limit // 20)
    assert len(long) > limit
    assert (await gateway.post(message_update(chat, long))).status_code == 200
    too_long = COMMENT_TOO_LONG.format(limit=f"{limit:,}")
    await until(lambda: too_long in telegram_api.texts(chat), what="too long")
    assert await stored(aredis, conversations, cid) == []
    assert await conversations.surveys.awaiting_comment(cid) is not None

    words = "I was so annoyed that the courier never rang the bell."
    assert (await gateway.post(message_update(chat, words))).status_code == 200
    [record] = await stored(aredis, conversations, cid)
    assert record["answers"] == {
        "csat": 5,
        "understood": 4,
        "effort": 7,
        "recommend": 10,
        "comment": words,
    }
    reading = record["comment_emotion"]
    assert reading is not None and reading["label"] in ("anger", "frustration")
    said = [e.text for e in await transcript.read(cid) if e.author is Author.CUSTOMER]
    assert words not in said and long not in said  # the bot never saw them

    # after the comment the chat is the bot's again
    question = "do you ship to Austria?"
    assert (await gateway.post(message_update(chat, question))).status_code == 200
    entries = await transcript.read(cid)
    assert entries[-2].text == question and entries[-1].author is Author.BOT
    assert len(await stored(aredis, conversations, cid)) == 1


@needs_stack
async def test_a_comment_never_written_keeps_the_numbers(
    gateway: Gateway,
    telegram_api: FakeTelegramAPI,
    conversations: Conversations,
    aredis: Any,
) -> None:
    surveys = conversations.surveys
    chat, number, skip = await at_the_comment(gateway, telegram_api, conversations)
    cid = f"tg-{chat}"
    now = surveys.queue.now()
    assert cid not in await surveys.sweep_comments(now)  # not yet
    assert cid in await surveys.sweep_comments(now + surveys.config.quiet_s + 1)
    [record] = await stored(aredis, conversations, cid)
    assert record["answers"] == {
        "csat": 5,
        "understood": 4,
        "effort": 7,
        "recommend": 10,
    }
    assert record["comment_emotion"] is None
    # a late Skip is thanked and changes nothing
    tap = callback_update(chat, f"rate:{number}:skip", skip.result["message_id"])
    assert (await gateway.post(tap)).status_code == 200
    answers = telegram_api.calls_to("answerCallbackQuery")
    query = tap["callback_query"]["id"]
    mine = [c for c in answers if c.params["callback_query_id"] == query]
    assert mine and mine[0].params.get("text") == RATING_DONE
    assert len(await stored(aredis, conversations, cid)) == 1


@needs_stack
async def test_with_a_person_asked_for_the_text_is_no_comment(
    gateway: Gateway,
    telegram_api: FakeTelegramAPI,
    transcript: Transcript,
    conversations: Conversations,
) -> None:
    chat, number, _ = await at_the_comment(gateway, telegram_api, conversations)
    cid = f"tg-{chat}"
    assert (await gateway.post(message_update(chat, "/human"))).status_code == 200
    assert await conversations.queue.state(cid) is TicketState.QUEUED
    words = "my parcel is still missing though"
    assert (await gateway.post(message_update(chat, words))).status_code == 200
    said = [e.text for e in await transcript.read(cid) if e.author is Author.CUSTOMER]
    assert said[-1] == words  # for the person, not the survey
    assert await conversations.surveys.awaiting_comment(cid) is not None
