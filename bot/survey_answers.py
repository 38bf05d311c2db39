"""The answers to the survey (bot/surveys.py asks it): checked, stored once with the
conversation, with the ticket after a person (``HandoffQueue.rate``) and as a record in
``{es}:survey:answers`` for the reports; one tap at a time on Telegram, then the
comment written as a message (or skipped; ``sweep_comments`` stores the numbers of a
comment never written). ``Surveys`` inherits these steps (as ``Conversations``
inherits the agent side)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from bot.handoff import AlreadyRated, HandoffError, HandoffQueue, Rating
from bot.rediskeys import AppKeys
from bot.survey_config import COMMENT, REQUIRED, SurveyConfig, SurveyInputError
from bot.transcript import Author, Entry, Kind, Transcript
from bot.upstream import EmotionClient

logger = logging.getLogger(__name__)

SWEEP_BATCH = 100  # conversations taken per housekeeping round and sweep

# KEYS: the survey hash. ARGV: answers (JSON), now (ms). Closes the open survey.
ANSWER = r"""
local h = KEYS[1]
local open = redis.call('HGET', h, 'open')
if not open or open == '' then
  if redis.call('HEXISTS', h, 'answered') == 1 then return {'answered'} end
  return {'closed'}
end
redis.call('HSET', h, 'open', '', 'answered', open, 'answers', ARGV[1],
  'answered_at', ARGV[2], 'partial', '{}')
return {'ok', open}
"""


class SurveyClosed(Exception):
    """No survey is open in this conversation (or it was answered already)."""

    def __init__(self, answered: bool) -> None:
        super().__init__(
            "we already have your answers, thank you"
            if answered
            else "there is no survey open in this conversation"
        )
        self.answered = answered


@dataclass(frozen=True)
class OpenSurvey:
    """The survey a conversation was asked and has not answered yet."""

    number: int
    questions: list[str]
    kind: str  # "bot" | "person"
    language: str
    partial: dict[str, Any]


class SurveyAnswers:
    """Store the customer's answers to the open survey."""

    redis: Any
    keys: AppKeys
    transcript: Transcript
    queue: HandoffQueue
    emotion: EmotionClient
    config: SurveyConfig
    _answer: Any  # the ANSWER script, registered by Surveys

    async def open_survey(self, cid: str) -> OpenSurvey | None:
        """The survey the conversation has open, None when there is none."""
        raw = {
            _s(k): _s(v)
            for k, v in (await self.redis.hgetall(self.keys.survey(cid))).items()
        }
        if not raw.get("open"):
            return None
        return OpenSurvey(
            int(raw["open"]),
            json.loads(raw.get("questions") or "[]"),
            raw.get("kind", "bot"),
            raw.get("language", ""),
            json.loads(raw.get("partial") or "{}"),
        )

    async def tap(
        self, cid: str, number: int, question_id: str, value: int
    ) -> str | None:
        """One answer of a survey asked one question at a time (Telegram): the next
        question's id (the comment after the numbers, when it is asked: then the
        survey waits for it, ``awaiting_comment``), or None once the last was
        answered (then call ``answer`` with ``open.partial``). SurveyClosed when
        that survey is not open."""
        survey = await self.open_survey(cid)
        if survey is None or survey.number != number:
            raise SurveyClosed(survey is None and await self._answered(cid))
        self.config.check([question_id], {question_id: value})
        if question_id in survey.partial:
            raise SurveyClosed(True)  # a second tap on the same question
        if question_id not in survey.questions:
            raise SurveyInputError(f"{question_id} was not asked")
        partial = survey.partial | {question_id: value}
        await self.redis.hset(self.keys.survey(cid), "partial", json.dumps(partial))
        scales = [
            q
            for q in survey.questions
            if (c := self.config.question(q)) is not None and not c.is_text
        ]
        following = next((q for q in scales if q not in partial), None)
        if following is None and COMMENT in survey.questions:
            at = round(self.queue.now() * 1000)
            await self.redis.zadd(self.keys.survey_comment_wait, {cid: at})
            return COMMENT
        return following

    async def awaiting_comment(self, cid: str) -> OpenSurvey | None:
        """The open survey whose numbers are all answered and whose comment is
        asked and not yet written (Telegram), None when there is none."""
        survey = await self.open_survey(cid)
        if survey is None or COMMENT not in survey.questions:
            return None
        numbers = [
            q
            for q in survey.questions
            if (c := self.config.question(q)) is not None and not c.is_text
        ]
        if any(q not in survey.partial for q in numbers):
            return None
        return survey

    async def sweep_comments(self, now: float | None = None) -> list[str]:
        """Store the numbers of the surveys whose comment was not written within
        ``quiet_minutes`` (so nothing tapped is lost); returns their conversations.
        Each is taken by one gateway (ZREM decides)."""
        now = now or self.queue.now()
        stored = []
        async for cid in self._take_due(self.keys.survey_comment_wait, now):
            survey = await self.awaiting_comment(cid)
            if survey is None:
                continue
            try:
                await self.answer(cid, survey.partial, now)
            except SurveyClosed:
                continue  # answered meanwhile
            stored.append(cid)
        return stored

    async def _take_due(self, waiting: str, now: float) -> AsyncIterator[str]:
        """The conversations in the zset ``waiting`` for ``quiet_minutes`` or
        longer (at most SWEEP_BATCH), one at a time, each taken out of it by this
        gateway only (ZREM decides when two sweep at once)."""
        due = await self.redis.zrangebyscore(
            waiting,
            "-inf",
            round((now - self.config.quiet_s) * 1000),
            start=0,
            num=SWEEP_BATCH,
        )
        for raw in due:
            if await self.redis.zrem(waiting, _s(raw)):
                yield _s(raw)  # else another gateway took it

    async def _answered(self, cid: str) -> bool:
        return bool(await self.redis.hexists(self.keys.survey(cid), "answered"))

    async def answer(
        self, cid: str, answers: dict[str, Any], now: float | None = None
    ) -> Entry:
        """Store the answers of the open survey (once) and thank the customer.

        SurveyInputError (nothing stored, the survey stays open) for answers out of
        range, of the wrong type, missing or not asked; SurveyClosed when there is
        no survey open (or it was answered)."""
        now = now or self.queue.now()
        survey = await self.open_survey(cid)
        if survey is None:
            raise SurveyClosed(await self._answered(cid))
        clean = self.config.check(survey.questions, answers)
        await self.redis.zrem(self.keys.survey_comment_wait, cid)
        reading = None
        if comment := clean.get("comment"):
            reading = await self.emotion.analyze(comment, [])
        if survey.kind == "person":
            try:
                await self.queue.rate(
                    cid,
                    Rating(
                        clean["csat"],
                        clean["understood"],
                        clean.get("effort"),
                        clean.get("recommend"),
                        clean.get("comment", ""),
                        now,
                    ),
                )
            except AlreadyRated:
                raise SurveyClosed(True) from None
            except HandoffError as error:
                logger.info("survey of %s not kept with its ticket: %r", cid, error)
        record = {"answers": clean, "comment_emotion": _compact(reading)}
        result = await self._answer(
            keys=[self.keys.survey(cid)],
            args=[json.dumps(record), round(now * 1000)],
        )
        status = _s(result[0])
        if status != "ok":
            raise SurveyClosed(status == "answered")
        about = await self.transcript.about(cid)
        meta = await self.redis.hmget(self.keys.survey(cid), ["agent", "channel"])
        await self.redis.zadd(
            self.keys.survey_answers,
            {
                json.dumps(
                    {
                        "conversation": cid,
                        "survey": survey.number,
                        "kind": survey.kind,
                        "channel": _s(meta[1] or "") or about.get("channel", ""),
                        "agent": _s(meta[0] or ""),
                        "at": now,
                        **record,
                    },
                    sort_keys=True,
                ): round(now * 1000)
            },
        )
        entry, _ = await self.transcript.append(
            cid,
            Entry(
                Author.BOT,
                self.config.thanks_text(cid, survey.language),
                kind=Kind.RATED,
                data={
                    k: v
                    for k, v in clean.items()
                    if k in (*REQUIRED, "effort", "recommend")
                },
                at=now,
            ),
        )
        return entry


def _compact(reading: dict[str, Any] | None) -> dict[str, Any] | None:
    if reading is None:
        return None
    return {
        "label": reading.get("label"),
        "intensity": reading.get("intensity"),
        "frustration": reading.get("frustration"),
    }


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
