"""The survey on a real Redis with the queue's fake clock (bot/surveys.py): asked when a
bot-only conversation ends with thanks or goes quiet, not when the customer is upset or
mid-problem; the NPS once per customer per window; answers checked, stored once, kept
for the reports; after a person, with the ticket. The action server is not running
here: the readings are written into the transcript as it writes them."""

from __future__ import annotations

import json
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.handoff import HandoffQueue, TicketState
from bot.handoff.keys import Keys
from bot.survey_answers import SurveyClosed
from bot.survey_config import SurveyInputError
from bot.surveys import Surveys
from bot.transcript import Author, Entry, Kind, Transcript
from bot.upstream import EmotionClient
from tests.bot.handoff.conftest import (  # noqa: F401 - fixtures
    Clock,
    client,
    clock,
    online_agent,
    prefix,
    queue,
    request,
    shared_url,
)

NOWHERE = "http://127.0.0.1:9"  # no action server: an unread comment stays unread
CALM = {"label": "joy", "intensity": 0.3, "frustration": 0}
ANGRY = {"label": "anger", "intensity": 0.8, "frustration": 3}
DAY = 86400.0


@pytest.fixture
def surveys(
    client: aioredis.Redis,  # noqa: F811
    queue: HandoffQueue,  # noqa: F811
) -> Surveys:
    name = queue.keys.prefix
    return Surveys(
        client,
        Keys(name),
        Transcript(client, prefix=name),
        queue,
        EmotionClient(NOWHERE, timeout=0.5),
    )


async def say(
    surveys: Surveys, cid: str, text: str, reading: dict[str, Any] | None = CALM
) -> Entry:
    """The customer writes ``text``, the analysis reads it, the bot answers."""
    transcript = surveys.transcript
    entry, _ = await transcript.append(cid, Entry(Author.CUSTOMER, text, channel="web"))
    if reading is not None:
        await transcript.annotate(cid, entry.id, reading)
    await transcript.append(cid, Entry(Author.BOT, "Happy to help.", channel="web"))
    await transcript.describe(cid, channel="web", customer_ref=f"ref-{cid[:6]}")
    return entry


async def test_thanks_thats_all_gets_the_survey_with_every_question(
    surveys: Surveys,
    clock: Clock,  # noqa: F811
) -> None:
    await say(surveys, "web-s1", "where is order 48213?")
    closing = await say(surveys, "web-s1", "thanks, that's all")
    asked = await surveys.after_bot("web-s1", closing, "web")
    assert asked is not None and asked.kind is Kind.RATING_REQUEST
    ids = [q["id"] for q in asked.data["questions"]]
    assert ids == ["csat", "understood", "effort", "recommend", "comment"]
    assert asked.data["scales"]["effort"] == [1, 7]
    assert asked.text in surveys.config.intro["en"]
    # not twice: a second goodbye the same day asks nothing
    again = await say(surveys, "web-s1", "bye")
    assert await surveys.after_bot("web-s1", again, "web") is None


async def test_an_upset_customer_or_a_chat_with_a_person_gets_no_survey(
    surveys: Surveys,
    queue: HandoffQueue,  # noqa: F811
) -> None:
    await say(surveys, "web-up", "this is the third time I ask!!", ANGRY)
    closing = await say(surveys, "web-up", "thanks, that's all")
    assert await surveys.after_bot("web-up", closing, "web") is None
    await queue.enqueue(request("web-q"))
    closing = await say(surveys, "web-q", "thank you")
    assert await surveys.after_bot("web-q", closing, "web") is None
    # the bot's answer to the thanks asks something back: mid-problem
    await say(surveys, "web-ask", "where is order 48213?")
    closing = await say(surveys, "web-ask", "thanks. this order was a nightmare")
    asks = Entry(Author.BOT, "Something went wrong, is that right?")
    assert await surveys.after_bot("web-ask", closing, "web", [asks]) is None
    assert await surveys.open_survey("web-up") is None
    assert await surveys.open_survey("web-q") is None


async def test_no_survey_after_something_grave_was_told(surveys: Surveys) -> None:
    """ "Thank you" from someone whose husband died, his order cancelled: no "how
    did we do?" (the death is a signal that raises a serious flag)."""
    loss = {
        "label": "neutral",  # (calm words: not "still upset")
        "intensity": 0.1,
        "frustration": 0,
        "signals": [{"name": "bereavement", "weight": 0.0, "reason": "husband died"}],
    }
    await say(surveys, "web-loss", "my husband died, please cancel his order", loss)
    closing = await say(surveys, "web-loss", "thank you, that's all")
    assert await surveys.after_bot("web-loss", closing, "web") is None


async def test_no_survey_after_something_grave_told_in_another_language(
    surveys: Surveys,
) -> None:
    """The analysis reads English: a death told in Spanish is read by the
    language's own words, and "Gracias" after it gets no "how did we do?"; nor
    does thanks that names a weight beside it ("Es todo muy difícil")."""
    await say(
        surveys, "web-es-loss", "Mi marido falleció y quiero cancelar su pedido.", None
    )
    closing = await say(surveys, "web-es-loss", "Gracias.", None)
    assert await surveys.after_bot("web-es-loss", closing, "web") is None
    await say(surveys, "web-es-hard", "¿Dónde está mi pedido 48213?", None)
    closing = await say(
        surveys, "web-es-hard", "Gracias. Es todo muy difícil ahora mismo.", None
    )
    assert await surveys.after_bot("web-es-hard", closing, "web") is None
    # plain thanks in Spanish after a plain question: the survey
    await say(surveys, "web-es-plain", "¿Dónde está mi pedido 48213?", None)
    closing = await say(surveys, "web-es-plain", "Gracias.", None)
    assert await surveys.after_bot("web-es-plain", closing, "web") is not None


async def test_thanks_alone_is_no_conversation_to_rate(surveys: Surveys) -> None:
    closing = await say(surveys, "web-only", "thanks!")
    assert await surveys.after_bot("web-only", closing, "web") is None
    assert await surveys.open_survey("web-only") is None


async def test_german_thanks_gets_the_survey_in_german(surveys: Surveys) -> None:
    await say(surveys, "web-de", "Wo ist meine Bestellung 48213?")
    closing = await say(surveys, "web-de", "Danke, das war alles")
    asked = await surveys.after_bot("web-de", closing, "web")
    assert asked is not None and asked.text in surveys.config.intro["de"]
    first = asked.data["questions"][0]
    assert first["text"] == surveys.config.question("csat").texts["de"]  # type: ignore[union-attr]


async def test_the_nps_is_asked_once_per_customer_within_its_window(
    surveys: Surveys,
    clock: Clock,  # noqa: F811
) -> None:
    def questions(entry: Entry | None) -> list[str]:
        assert entry is not None
        return [q["id"] for q in entry.data["questions"]]

    # three conversations of one Telegram user (the same customer_ref)
    for n, (advance, nps) in enumerate(
        [(0, True), (30 * DAY, False), (61 * DAY, True)]
    ):
        clock.advance(advance)
        cid = f"tg-{n}"
        await say(surveys, cid, "how long does a refund take?")
        closing = await say(surveys, cid, "thank you")
        await surveys.transcript.describe(cid, customer_ref="user-7")
        asked = await surveys.after_bot(cid, closing, "telegram")
        assert ("recommend" in questions(asked)) is nps, n
    # another customer is asked it
    await say(surveys, "tg-other", "can I pay by invoice")
    closing = await say(surveys, "tg-other", "thank you")
    assert "recommend" in questions(await surveys.after_bot("tg-other", closing, "x"))


async def test_a_quiet_conversation_is_asked_after_the_quiet_minutes(
    surveys: Surveys,
    clock: Clock,  # noqa: F811
) -> None:
    quiet = surveys.config.quiet_s
    message = await say(surveys, "web-quiet", "what are your delivery times?")
    assert await surveys.after_bot("web-quiet", message, "web") is None
    # the bot asked a question last: mid-problem, never asked
    message = await say(surveys, "web-mid", "I want to return something")
    await surveys.transcript.append(
        "web-mid", Entry(Author.BOT, "Which order is it about?")
    )
    assert await surveys.after_bot("web-mid", message, "web") is None
    clock.advance(quiet - 1)
    assert await surveys.sweep_quiet() == []
    clock.advance(2)
    assert await surveys.sweep_quiet() == ["web-quiet"]
    assert await surveys.sweep_quiet() == []  # taken once
    last = (await surveys.transcript.last("web-quiet", 1))[0]
    assert last.kind is Kind.RATING_REQUEST
    assert await surveys.open_survey("web-mid") is None


async def test_bad_answers_are_refused_and_nothing_is_lost(
    surveys: Surveys,
    client: aioredis.Redis,  # noqa: F811
    clock: Clock,  # noqa: F811
) -> None:
    await say(surveys, "web-bad", "do you ship to Norway")
    closing = await say(surveys, "web-bad", "thanks, bye")
    assert await surveys.after_bot("web-bad", closing, "web") is not None
    for bad, problem in [
        ({"csat": 9, "understood": 3}, "csat must be 1-5"),
        ({"csat": "five", "understood": 3}, "csat must be a whole number"),
        ({"csat": 5}, "understood is missing"),
        ({"csat": 5, "understood": 3, "effort": 0}, "effort must be 1-7"),
    ]:
        with pytest.raises(SurveyInputError, match=problem):
            await surveys.answer("web-bad", bad)
        assert await surveys.open_survey("web-bad") is not None  # still open
    good = {"csat": 4, "understood": 5, "effort": 6, "recommend": 9, "comment": "ok"}
    thanks = await surveys.answer("web-bad", good)
    assert thanks.kind is Kind.RATED and thanks.text in surveys.config.thanks["en"]
    with pytest.raises(SurveyClosed, match="already have your answers") as error:
        await surveys.answer("web-bad", {"csat": 1, "understood": 1})
    assert error.value.answered
    stored = json.loads(
        await client.hget(surveys.keys.survey("web-bad"), "answers")  # type: ignore[arg-type]
    )
    assert stored["answers"] == good and stored["comment_emotion"] is None
    [record] = await client.zrange(surveys.keys.survey_answers, 0, -1)
    assert json.loads(record)["answers"] == good
    with pytest.raises(SurveyClosed, match="no survey open"):
        await surveys.answer("web-never", good)


async def test_after_a_person_the_answers_go_with_the_ticket_too(
    surveys: Surveys,
    queue: HandoffQueue,  # noqa: F811
) -> None:
    agent = "kim"
    await online_agent(queue, agent)
    await queue.enqueue(request("web-p"))
    claim = await queue.claim(agent, "web-p")
    await say(surveys, "web-p", "this is awful!!", ANGRY)  # before the person joined
    await surveys.transcript.append(
        "web-p", Entry(Author.SYSTEM, "Kim", kind=Kind.JOINED)
    )
    await say(surveys, "web-p", "oh thank you, that sorts it")
    resolved = await queue.resolve(agent, "web-p", claim.token)
    asked = await surveys.after_person(resolved.ticket, "1:1")
    assert asked is not None
    assert await surveys.after_person(resolved.ticket, "1:1") is None  # once
    await surveys.answer("web-p", {"csat": 5, "understood": 4, "effort": 7})
    ticket = await queue.ticket("web-p")
    assert ticket.state is TicketState.RESOLVED and ticket.rating is not None
    assert (ticket.rating.csat, ticket.rating.understood, ticket.rating.effort) == (
        5,
        4,
        7,
    )


async def test_telegram_taps_one_question_at_a_time(surveys: Surveys) -> None:
    await say(surveys, "tg-tap", "where is my parcel")
    closing = await say(surveys, "tg-tap", "thanks!")
    asked = await surveys.after_bot("tg-tap", closing, "telegram")
    assert asked is not None
    number = asked.data["survey"]
    assert await surveys.tap("tg-tap", number, "csat", 4) == "understood"
    with pytest.raises(SurveyClosed):
        await surveys.tap("tg-tap", number + 1, "understood", 4)  # an older keyboard
    with pytest.raises(SurveyInputError, match="understood must be 1-5"):
        await surveys.tap("tg-tap", number, "understood", 6)
    assert await surveys.tap("tg-tap", number, "understood", 5) == "effort"
    assert await surveys.tap("tg-tap", number, "effort", 6) == "recommend"
    assert await surveys.open_survey("tg-tap") is not None
    assert await surveys.awaiting_comment("tg-tap") is None  # numbers still to come
    # after the numbers, the comment: the survey waits for it
    assert await surveys.tap("tg-tap", number, "recommend", 10) == "comment"
    survey = await surveys.awaiting_comment("tg-tap")
    assert survey is not None and survey.partial == {
        "csat": 4,
        "understood": 5,
        "effort": 6,
        "recommend": 10,
    }
    await surveys.answer("tg-tap", survey.partial | {"comment": "quick, thanks"})
    assert await surveys.open_survey("tg-tap") is None
    assert await surveys.awaiting_comment("tg-tap") is None
