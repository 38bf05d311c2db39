"""The survey after every conversation: when it is asked, and its answers stored once.

data/surveys.yml says which questions and when (bot/survey_config.py reads it). Asked:

- after a person resolves a chat (bot/agent_side.py), unless the customer is still
  upset in what they wrote since the person joined;
- in a bot-only conversation whose latest message only thanks or says goodbye
  ("thanks, that's all"), or that went quiet for ``quiet_minutes`` after the bot's last
  answer (``sweep_quiet``, from the gateway's housekeeping, bot/maintenance.py); never
  when one of the customer's latest readings is upset, never mid-problem (with a
  person, or the bot's last message asks something or offers choices), at most once
  per ``again_after_hours``.

The NPS question is left out for a customer asked it within its ``every_days``. The
request is a ``rating_request`` transcript entry whose data lists the questions in the
customer's language, so every channel shows it (the widget a form, Telegram buttons).
The answers (bot/survey_answers.py, whose steps ``Surveys`` inherits) are checked (a
number out of its scale, a wrong type, a second answer: a clear error and nothing
lost), kept with the conversation and, after a person, with the ticket
(``HandoffQueue.rate``); the comment is read by the emotion analysis. Every answered
survey is also a record in ``{es}:survey:answers`` by time, for the reports
(bot/report.py). Times are the queue's clock (``HandoffQueue.now``) unless given.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from bot.handoff import HandoffQueue, Ticket
from bot.handoff import TicketState as State
from bot.handoff.flags import SERIOUS_FLAGS, urgency_flags
from bot.rediskeys import AppKeys
from bot.survey_answers import ANSWER, SurveyAnswers
from bot.survey_config import SurveyConfig, load
from bot.texts import waiting_words
from bot.transcript import Author, Entry, Kind, Transcript
from bot.upstream import EmotionClient
from bot.waiting_reading import felt_words, serious_flags

logger = logging.getLogger(__name__)

RECENT = 12  # latest transcript entries read for the readings and the bot's last word

# KEYS: the conversation's survey hash. ARGV: handoff ('' for a bot-only survey), now
# (ms), questions (JSON), kind, language, ask-again gap (ms), ttl (s), agent, channel.
# Returns {1, survey number} when opened, {0, ''} when not (asked too recently, or
# this handoff's survey is open already).
OPEN = r"""
local h = KEYS[1]
if ARGV[1] ~= '' and redis.call('HGET', h, 'handoff') == ARGV[1] then
  return {0, ''}
end
local last = tonumber(redis.call('HGET', h, 'asked_at') or '0') or 0
if ARGV[1] == '' and last > 0 and tonumber(ARGV[2]) - last < tonumber(ARGV[6]) then
  return {0, ''}
end
local seq = redis.call('HINCRBY', h, 'seq', 1)
redis.call('HSET', h, 'open', seq, 'asked_at', ARGV[2], 'questions', ARGV[3],
  'kind', ARGV[4], 'language', ARGV[5], 'handoff', ARGV[1], 'agent', ARGV[8],
  'channel', ARGV[9], 'partial', '{}')
redis.call('EXPIRE', h, tonumber(ARGV[7]))
return {1, tostring(seq)}
"""


class Surveys(SurveyAnswers):
    """Ask, and store the answers of, the survey of one deployment."""

    def __init__(
        self,
        redis: Any,
        keys: AppKeys,
        transcript: Transcript,
        queue: HandoffQueue,
        emotion: EmotionClient,
        config: SurveyConfig | None = None,
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.transcript = transcript
        self.queue = queue
        self.emotion = emotion
        self.config = config or load()
        self._open = redis.register_script(OPEN)
        self._answer = redis.register_script(ANSWER)

    # -- asking -------------------------------------------------------------------

    async def after_person(
        self, ticket: Ticket, handoff: str, now: float | None = None
    ) -> Entry | None:
        """The survey after a person resolved ``ticket`` (``handoff`` names that
        resolve, so a repeated resolve asks once); None when not asked."""
        if not self.config.after_person:
            return None
        recent = await self.transcript.last(ticket.id, RECENT * 2)
        joined = max(
            (i for i, e in enumerate(recent) if e.kind is Kind.JOINED), default=-1
        )
        if self.config.upset(_readings(recent[joined + 1 :])):
            logger.info("no survey for %s: still upset", ticket.id)
            return None
        language = str(ticket.slots.get("language") or "")
        return await self._ask(
            ticket.id,
            "person",
            language,
            now or self.queue.now(),
            handoff=handoff,
            agent=ticket.agent_id or "",
            channel=ticket.channel,
        )

    async def after_bot(
        self,
        conversation_id: str,
        message: Entry,
        channel: str,
        replies: list[Entry] | None = None,
        now: float | None = None,
    ) -> Entry | None:
        """After the bot answered ``message`` with ``replies``: the survey when the
        message ended the conversation (and the bot asks nothing back); else the
        conversation is watched for going quiet."""
        now = now or self.queue.now()
        cid = conversation_id
        if await self.queue.state(cid) in (State.QUEUED, State.ASSIGNED):
            await self.redis.zrem(self.keys.survey_quiet, cid)
            return None
        language = self.config.closing_language(message.text)
        if language is None or (replies and self._asks(replies[-1])):
            await self.redis.zadd(self.keys.survey_quiet, {cid: round(now * 1000)})
            return None
        recent = await self.transcript.last(cid, RECENT)
        mine = next((e for e in recent if e.id == message.id), None)
        if mine is not None and (mine.emotion is None or language):
            # the bot's answer to thanks need not read the feeling: read it here;
            # and thanks in another language than English: the chat's language
            history = [
                {
                    "author": "customer" if e.author is Author.CUSTOMER else "bot",
                    "text": e.text,
                }
                for e in recent
                if e.id != message.id and e.text
            ]
            reading = await self.emotion.analyze(message.text, history)
            if reading is not None and mine.emotion is None:
                mine.emotion = reading
                await self.transcript.annotate(cid, message.id, reading)
            if reading is not None and reading.get("language") in self.config.intro:
                # "Top, dank je" thanks in Dutch and German words alike: the
                # chat's language decides
                language = str(reading["language"])
        await self.redis.zrem(self.keys.survey_quiet, cid)
        if not self._had_a_request(recent):
            return None  # "thanks!" alone is no conversation to rate
        if self.config.upset(_readings(recent)) or _felt(message.text, language):
            logger.info("no survey for %s: still upset", cid)
            return None
        if _grave(_readings(recent)) or _grave_words(recent, language):
            # "thank you" from someone whose husband died: no "how did we do?"
            logger.info("no survey for %s: something grave was told", cid)
            return None
        return await self._ask(cid, "bot", language, now, channel=channel)

    def _had_a_request(self, recent: list[Entry]) -> bool:
        """Whether the customer asked for something (wrote more than thanks)."""
        return any(
            e.author is Author.CUSTOMER
            and e.kind is Kind.MESSAGE
            and self.config.closing_language(e.text) is None
            for e in recent
        )

    async def sweep_quiet(self, now: float | None = None) -> list[str]:
        """Ask the conversations that went quiet after the bot's answer; returns
        their ids. Each is taken by one gateway (ZREM decides)."""
        now = now or self.queue.now()
        asked = []
        async for cid in self._take_due(self.keys.survey_quiet, now):
            if await self._quiet_ready(cid):
                about = await self.transcript.about(cid)
                channel = about.get("channel", "")
                if await self._ask(cid, "bot", "", now, channel=channel):
                    asked.append(cid)
        return asked

    async def _quiet_ready(self, cid: str) -> bool:
        """Whether a quiet conversation may be asked: the bot had the last word, it
        asked nothing and offered no choices, and the customer is not upset."""
        if await self.queue.state(cid) in (State.QUEUED, State.ASSIGNED):
            return False
        recent = await self.transcript.last(cid, RECENT)
        said = [e for e in recent if e.kind is Kind.MESSAGE]
        if not said or said[-1].author is not Author.BOT:
            return False
        if self._asks(said[-1]):
            return False  # mid-problem: the bot waits for an answer
        if any(e.kind is Kind.RATING_REQUEST for e in recent[-3:]):
            return False
        if not self._had_a_request(recent):
            return False
        return not self.config.upset(_readings(recent))

    def _asks(self, entry: Entry) -> bool:
        return self.config.asks(entry.text, bool(entry.buttons))

    async def _ask(
        self,
        cid: str,
        kind: str,
        language: str,
        now: float,
        *,
        handoff: str = "",
        agent: str = "",
        channel: str = "",
    ) -> Entry | None:
        config = self.config
        questions = [q for q in config.questions if await self._may_ask(q, cid, now)]
        ids = [q.id for q in questions]
        opened, number = await self._open(
            keys=[self.keys.survey(cid)],
            args=[
                handoff,
                round(now * 1000),
                json.dumps(ids),
                kind,
                language,
                config.again_after_s * 1000,
                self.transcript.retention_s,
                agent,
                channel,
            ],
        )
        if not int(opened):
            return None
        number = number.decode() if isinstance(number, bytes) else str(number)
        if "recommend" in ids:
            question = config.question("recommend")
            days = question.every_days if question else 0
            await self.redis.set(
                self.keys.nps_asked(await self._customer(cid)),
                str(round(now * 1000)),
                ex=max(days, 1) * 86400,
            )
        scales = {q.id: [q.low, q.high] for q in questions if not q.is_text}
        entry, _ = await self.transcript.append(
            cid,
            Entry(
                Author.BOT,
                config.intro_text(cid, language),
                kind=Kind.RATING_REQUEST,
                channel=channel,
                data={
                    "survey": int(number),
                    "questions": [q.to_dict(language) for q in questions],
                    "scales": scales,
                },
                client_id=f"sys:survey:{handoff or number}",
                at=now,
            ),
        )
        logger.info("survey %s asked in %s (%s)", number, cid, kind)
        return entry

    async def _may_ask(self, question: Any, cid: str, now: float) -> bool:
        """Whether ``question`` is asked now: the NPS at most once per customer in
        its ``every_days``."""
        if not question.every_days:
            return True
        raw = await self.redis.get(self.keys.nps_asked(await self._customer(cid)))
        if raw is None:
            return True
        return now * 1000 - int(raw) >= question.every_days * 86400 * 1000

    async def _customer(self, cid: str) -> str:
        """Who the customer is across conversations, as a digest: the shop's id or
        the channel's user id, else the conversation."""
        session = await self.redis.hget(self.keys.web_session(cid), "customer")
        about = await self.transcript.about(cid)
        who = _s(session) if session else about.get("customer_ref") or cid
        digest = hashlib.sha256(f"{self.keys.prefix}:{who}".encode()).hexdigest()
        return digest[:24]


def _readings(entries: list[Entry]) -> list[dict[str, Any]]:
    """The emotion readings of the customer's messages among ``entries``."""
    return [
        e.emotion
        for e in entries
        if e.author is Author.CUSTOMER and e.kind is Kind.MESSAGE and e.emotion
    ]


def _grave(readings: list[dict[str, Any]]) -> bool:
    """Whether the customer told something grave in these emotion readings (a
    death, an injury, a fraud: a signal that raises a serious flag)."""
    return any(
        flag in SERIOUS_FLAGS
        for reading in readings
        for flag in urgency_flags(
            str(s.get("name")) for s in reading.get("signals") or []
        )
    )


def _grave_words(entries: list[Entry], language: str) -> bool:
    """Whether the customer told something grave in another ``language``'s own
    words among ``entries`` (the emotion readings read English)."""
    return language not in ("", "en") and any(
        serious_flags(e.text, language) & SERIOUS_FLAGS
        for e in entries
        if e.author is Author.CUSTOMER and e.kind is Kind.MESSAGE
    )


def _felt(text: str, language: str) -> bool:
    """Whether thanks in another ``language`` names a feeling beside it ("Gracias.
    Es todo muy difícil ahora mismo."): no survey then."""
    words = waiting_words(language) if language not in ("", "en") else None
    return words is not None and felt_words(text.lower(), words)


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
