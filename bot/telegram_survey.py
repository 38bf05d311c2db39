"""The survey on Telegram (bot/surveys.py asks it, bot/telegram_render.py draws it).

A tap on a number button stores that one answer (``Surveys.tap``) and asks the next
question; after the numbers, when the survey asks for a comment, the comment question
comes with a Skip button. The customer's next text in the chat is then the comment:
it is stored with the numbers (``Conversations.answer_survey``: checked, read by the
emotion analysis, kept like the widget's) and never passed on to the bot; Skip stores
the numbers alone. A comment longer than the survey allows is explained and nothing
is stored, so the customer can send a shorter one. A comment that never comes: the
gateway's housekeeping stores the numbers after ``quiet_minutes``
(``Surveys.sweep_comments``). While a person has the chat, text is never a comment.
"""

from __future__ import annotations

import logging
import re

from bot.handoff import HandoffError, TicketState
from bot.survey_answers import SurveyClosed
from bot.survey_config import COMMENT, SurveyInputError
from bot.telegram_channel import Customer, TelegramChannel
from bot.telegram_render import ASK, QUESTION_IDS, RATING_DATA, SKIP_DATA, question_text
from bot.transcript import Author

logger = logging.getLogger(__name__)

# a survey button: a number for a question, or Skip for the comment
SURVEY_DATA = re.compile(f"{RATING_DATA.pattern}|{SKIP_DATA.pattern}")
RATING_THANKS = "Thank you!"
RATING_DONE = "We already have your rating, thank you."
RATING_CLOSED = "This rating is no longer open, but thank you."
COMMENT_TOO_LONG = (
    "Thank you! That comment is longer than the {limit} characters we can keep. "
    "Could you send a shorter one, or tap Skip?"
)
WITH_A_PERSON = (TicketState.QUEUED, TicketState.ASSIGNED)


async def button_tapped(channel: TelegramChannel, customer: Customer, data: str) -> str:
    """Store a survey button's answer and ask what follows (the next number, the
    comment) or store them all; returns the few words the tap is answered with."""
    cid = customer.conversation_id
    surveys = channel.conversations.surveys
    try:
        if skipped := SKIP_DATA.match(data):
            survey = await surveys.awaiting_comment(cid)
            if survey is None or survey.number != int(skipped[1]):
                raise SurveyClosed(await surveys.open_survey(cid) is None)
            await channel.conversations.answer_survey(cid, survey.partial)
            return RATING_THANKS
        match = RATING_DATA.match(data)
        if match is None:
            return ""
        number, question, value = int(match[1]), QUESTION_IDS[match[2]], int(match[3])
        following = await surveys.tap(cid, number, question, value)
        survey = await surveys.open_survey(cid)
        if survey is None:
            return RATING_CLOSED
        if following is None:
            await channel.conversations.answer_survey(cid, survey.partial)
            return RATING_THANKS
        config = surveys.config.question(following)
        if config is not None:
            asked = config.to_dict(survey.language)
            await channel.say(
                customer, question_text(asked), data={ASK: asked, "survey": number}
            )
        return RATING_THANKS
    except SurveyClosed as error:
        return RATING_DONE if error.answered else RATING_CLOSED
    except (SurveyInputError, HandoffError) as error:
        logger.info("survey answer for %s not stored: %r", cid, error)
        return RATING_CLOSED
    finally:
        channel.outbox.kick(cid)


async def take_comment(channel: TelegramChannel, customer: Customer, text: str) -> bool:
    """The customer's text as the survey's comment, when the survey waits for one
    and the chat is with the bot; False when it is a message like any other."""
    cid = customer.conversation_id
    surveys = channel.conversations.surveys
    async with channel.turn(customer):
        survey = await surveys.awaiting_comment(cid)
        if survey is None or await surveys.queue.state(cid) in WITH_A_PERSON:
            return False
        try:
            await channel.conversations.answer_survey(
                cid, survey.partial | {COMMENT: text}
            )
        except SurveyClosed:
            return False  # skipped or stored meanwhile: an ordinary message
        except SurveyInputError as error:
            logger.info("comment of %s not stored: %s", cid, error)
            question = surveys.config.question(COMMENT)
            limit = question.max_chars if question else 0
            await channel.say(
                customer, COMMENT_TOO_LONG.format(limit=f"{limit:,}"), Author.SYSTEM
            )
    channel.outbox.kick(cid)
    return True
