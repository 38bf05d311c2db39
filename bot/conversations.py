"""One place that routes every message of every channel: bot, queue or person.

A channel (widget WebSocket, Telegram, the HTTP API) hands a customer message to
``Conversations.customer_message``; the agent console calls the agent methods
(bot/agent_side.py). Each writes the transcript (bot/transcript.py), which announces
every entry on pub/sub, so whichever gateway process holds the customer's connection
delivers it. The handoff queue (bot/handoff) is the truth about who owns a
conversation:

- ``bot`` or ``resolved``: the message goes to Rasa; its replies are stored. If Rasa or
  the action server fails or times out, the customer gets an apology and is queued.
- ``queued`` or ``assigned``: the bot stays silent. The message is scored by the action
  server's emotion analysis, the ticket re-prioritised, and the agent sees it live
  (bot/waiting_side.py).

Resolving a chat resumes the Rasa conversation and asks the customer the survey; a
bot-only conversation is asked it when it ends with thanks or goes quiet
(bot/surveys.py, data/surveys.yml); ``answer_survey`` stores the answers.

Who owns the chat as the customer sees it: bot/state_view.py; what Rasa gets of a
message: bot/rasa_messages.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from redis.exceptions import RedisError

from bot.agent_side import AgentSide
from bot.handoff import (
    Customer,
    HandoffQueue,
    HandoffRequest,
    TicketState,
    UnknownTicket,
)
from bot.rasa_messages import (
    INTENT_PREFIX,
    OFFERED_LOOKBACK,
    offered_payloads,
    rasa_buttons,
)
from bot.ratelimit import TOO_MANY_OPEN, LimitExceeded, RateLimiter
from bot.rediskeys import AppKeys
from bot.state_view import StateView
from bot.surveys import Surveys
from bot.texts import say
from bot.transcript import Author, Entry, Kind, Transcript
from bot.upstream import BotUnavailable, EmotionClient, RasaClient
from bot.waiting import WaitingReplies
from bot.waiting_side import WaitingSide

logger = logging.getLogger(__name__)

HANDED_OFF = (TicketState.QUEUED, TicketState.ASSIGNED)
DONE_TTL_S = 24 * 3600  # how long a resend is recognised as already answered
BUSY_POLL_S = 0.25
RECOVER_ENTRIES = 20  # recent entries searched for messages nobody answered...
RECOVER_WITHIN_S = 3600  # ...written within this time


@dataclass
class Inbound:
    """A customer message as a channel received it."""

    conversation_id: str
    channel: str  # "web" | "telegram" | "api"
    text: str
    client_id: str = ""  # the client's own message id (resends are not repeated)
    customer_name: str = ""
    customer_ref: str = ""  # who the customer is on the channel (Telegram user id)
    address: str = ""  # the client's network address (never stored as it is)
    # The shop customer whose page vouched for this session (a signed customer
    # token, bot/identity.py); the action server shows their orders without asking.
    # Set only from the session's binding, never from anything a client sends.
    customer_id: str = ""


@dataclass
class Outcome:
    """What became of a customer message."""

    message: Entry  # the stored customer message
    duplicate: bool  # it had been stored before (answered now only if nobody had)
    replies: list[Entry] = field(default_factory=list)  # bot and system answers
    state: TicketState = TicketState.BOT


class Conversations(AgentSide, WaitingSide):
    """Route customer and agent messages; keep transcript, queue and Rasa in step
    (the agent side, claim to resolve, is in bot/agent_side.py)."""

    def __init__(
        self,
        *,
        redis: Any,
        keys: AppKeys,
        queue: HandoffQueue,
        transcript: Transcript,
        rasa: RasaClient,
        emotion: EmotionClient,
        limits: RateLimiter | None = None,
        surveys: Surveys | None = None,
    ) -> None:
        """``redis`` and ``keys``: the gateway's client and key handle (its lifespan,
        bot/app.py), for the work marks of customer messages; ``surveys``: the survey
        after a conversation (data/surveys.yml unless given)."""
        self.redis = redis
        self.keys = keys
        self.queue = queue
        self.transcript = transcript
        self.rasa = rasa
        self.emotion = emotion
        self.limits = limits  # open tickets per client address, when given
        self.surveys = surveys or Surveys(redis, keys, transcript, queue, emotion)
        self.waiting = WaitingReplies(queue, rasa, emotion, self.view)
        # A message's "busy" mark lives this long unless the process answering it
        # renews it (it may wait its turn for Rasa longer: bot/upstream_line.py);
        # a dead process's mark expires after it.
        self.busy_ttl_s = round(rasa.timeout) + 5

    # -- customer side -------------------------------------------------------------

    async def customer_message(self, inbound: Inbound) -> Outcome:
        """Store a customer message and answer it (bot) or pass it on (person).

        LimitExceeded (nothing stored) when the message would go to the bot while
        the client's address already has OPEN_TICKETS_PER_IP chats open elsewhere.
        """
        cid = inbound.conversation_id
        await self._check_open_tickets(inbound)
        entry, duplicate = await self.transcript.append(
            cid,
            Entry(
                Author.CUSTOMER,
                inbound.text,
                channel=inbound.channel,
                client_id=inbound.client_id,
            ),
        )
        if not duplicate:
            await self.transcript.describe(
                cid,
                channel=inbound.channel,
                customer_name=inbound.customer_name,
                customer_ref=inbound.customer_ref,
            )
        if not await self._take(cid, entry.id):
            return Outcome(entry, True, state=await self.queue.state(cid))
        answered = asyncio.Event()
        renewing = asyncio.create_task(self._keep_busy(cid, entry.id, answered))
        try:
            replies = await self._answer(inbound, entry)
        except BaseException:
            answered.set()
            renewing.cancel()
            await self.redis.delete(self.keys.work(cid, entry.id))
            raise
        answered.set()
        renewing.cancel()
        await self.redis.set(self.keys.work(cid, entry.id), "done", ex=DONE_TTL_S)
        last = replies[-1] if replies else None
        if last and last.author is Author.BOT and last.kind is Kind.MESSAGE:
            # the bot answered: the survey when the customer ended the conversation
            # (after the "done" mark, so the answer is never given twice for it;
            # the survey never costs the answer)
            try:
                asked = await self.surveys.after_bot(
                    cid, entry, inbound.channel, replies
                )
            except Exception:  # noqa: BLE001
                logger.exception("no survey for %s", cid)
                asked = None
            if asked is not None:
                replies.append(asked)
        return Outcome(entry, duplicate, replies, await self.queue.state(cid))

    async def _check_open_tickets(self, inbound: Inbound) -> None:
        """Refuse a bot-mode message from an address with too many open tickets."""
        if self.limits is None or self.limits.exempt(inbound.address):
            return
        cid = inbound.conversation_id
        try:
            if await self.queue.state(cid) in HANDED_OFF:
                return  # the address's own open chat: always heard
        except ValueError:
            return  # a ticket we cannot read: _answer brings in a person
        verdict = await self.limits.open_tickets(inbound.address, cid)
        if not verdict.allowed:
            logger.info("%s refused: its address has too many open chats", cid)
            raise LimitExceeded(verdict, TOO_MANY_OPEN)

    async def _answer(self, inbound: Inbound, entry: Entry) -> list[Entry]:
        """The bot's or the waiting note's answer, by who owns the chat now."""
        try:
            state = await self.queue.state(inbound.conversation_id)
            if state in HANDED_OFF:
                return await self._to_person(inbound, entry, state)
            return await self._to_bot(inbound, entry)
        except RedisError:
            raise  # the caller tries again when Redis is back
        except Exception:
            # A bug or data we did not expect: the customer still gets an honest
            # answer and a person, and the log has the details.
            logger.exception(
                "could not answer %s in %s", entry.id, inbound.conversation_id
            )
            return await self._bot_failed(inbound)

    async def unanswered(self, conversation_id: str) -> list[Entry]:
        """Recent customer messages that were stored but nobody finished answering.

        A gateway that dies after storing a message (its client saw the echo, so it
        will not send it again) and before answering leaves no "done" mark; so does
        a Redis that restarts without its last second of writes. The widget hands
        these to ``customer_message`` again when the customer reconnects or Redis
        is back; that waits for a dead process's "busy" mark to expire, so nothing
        is answered twice.
        """
        recent = await self.transcript.last(conversation_id, RECOVER_ENTRIES)
        since = time.time() - RECOVER_WITHIN_S
        waiting = [
            e
            for e in recent
            if e.author is Author.CUSTOMER and e.client_id and e.at >= since
        ]
        if not waiting:
            return []
        keys = [self.keys.work(conversation_id, e.id) for e in waiting]
        marks = await self.redis.mget(keys)
        return [
            e
            for e, mark in zip(waiting, marks, strict=True)
            if mark not in ("done", b"done")
        ]

    async def _take(self, conversation_id: str, entry_id: str) -> bool:
        """Whether this process should answer the message (False: it was answered).

        A resent message is answered only if nobody did: when the process that took
        it died on the way (its "busy" mark expires), the resend answers it.
        """
        key = self.keys.work(conversation_id, entry_id)
        redis = self.redis
        while not await redis.set(key, "busy", nx=True, ex=self.busy_ttl_s):
            if await redis.get(key) == "done":
                return False
            await asyncio.sleep(BUSY_POLL_S)
        return True

    async def _keep_busy(
        self, conversation_id: str, entry_id: str, answered: asyncio.Event
    ) -> None:
        """Renew the message's "busy" mark until it is ``answered`` (an event, not
        only a cancel: redis-py may swallow a cancel that lands in a command)."""
        key = self.keys.work(conversation_id, entry_id)
        while not answered.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.busy_ttl_s / 3):
                    await answered.wait()
            if answered.is_set():
                return
            try:
                # GT: a "done" mark (a day) is never shortened; a gone key stays gone
                await self.redis.expire(key, self.busy_ttl_s, gt=True)
            except RedisError as error:  # the answer goes on; the mark may expire
                logger.warning("could not renew the busy mark of %s: %r", key, error)

    async def _to_bot(self, inbound: Inbound, entry: Entry) -> list[Entry]:
        cid = inbound.conversation_id
        metadata = bot_metadata(inbound, entry)
        text = await self._rasa_text(cid, inbound.text, entry)
        try:
            answers = await self.rasa.send(cid, text, metadata)
            if not answers and await self.rasa.is_paused(cid):
                state = await self.queue.state(cid)
                if state in HANDED_OFF:
                    # Another turn handed the chat over while this message waited
                    # for Rasa (its lock): the person has it now, not the bot.
                    return await self._to_person(inbound, entry, state)
                # The queue says the bot has the chat, but Rasa missed the resume
                # (it was down when the agent resolved): resume and ask again.
                await self.rasa.resume(cid)
                answers = await self.rasa.send(cid, text, metadata)
        except BotUnavailable:
            return await self._bot_failed(inbound)
        if not answers:
            # Rasa is up but said nothing: its custom actions failed (the action
            # server is down or broke; Rasa logs it and carries on). Never silence.
            logger.warning("rasa gave no answer for %s", cid)
            return await self._bot_failed(inbound)
        handed_off = await self.queue.state(cid) in HANDED_OFF
        replies = []
        for i, answer in enumerate(answers):
            last = i == len(answers) - 1
            reply, _ = await self.transcript.append(
                cid,
                Entry(
                    Author.BOT,
                    str(answer.get("text") or ""),
                    kind=Kind.HANDOFF if handed_off and last else Kind.MESSAGE,
                    channel=inbound.channel,
                    buttons=rasa_buttons(answer.get("buttons")),
                ),
            )
            replies.append(reply)
        return replies

    async def _rasa_text(self, conversation_id: str, text: str, entry: Entry) -> str:
        """What Rasa gets of a customer message: never an intent the bot did not
        offer as a button in its last turn (see bot/rasa_messages.py)."""
        if not text.startswith(INTENT_PREFIX):
            return text
        recent = await self.transcript.last(conversation_id, OFFERED_LOOKBACK)
        if text in offered_payloads(recent, entry.id):
            return text
        logger.info("intent syntax dropped from a message in %s", conversation_id)
        return text.lstrip(INTENT_PREFIX).strip() or "?"

    async def _bot_failed(self, inbound: Inbound) -> list[Entry]:
        """Rasa or the action server did not answer: apologise, bring in a person."""
        cid = inbound.conversation_id
        request = HandoffRequest(
            conversation_id=cid,
            channel=inbound.channel,
            customer=Customer(inbound.customer_ref or cid, inbound.customer_name),
            reasons=["bot_unavailable"],
            explanation=(
                "The assistant could not answer (Rasa or the action server was down "
                "or too slow), so the customer was passed to a person at once."
            ),
        )
        result = await self.queue.enqueue(request)
        logger.warning("bot unavailable for %s: queued (new=%s)", cid, result.created)
        apology, _ = await self.transcript.append(
            cid,
            Entry(
                Author.SYSTEM,
                say("bot_unavailable"),
                kind=Kind.HANDOFF,
                channel=inbound.channel,
                data={"reason": "bot_unavailable"},
            ),
        )
        return [apology]

    async def view(self, conversation_id: str) -> StateView:
        """Who owns the conversation now, with queue position and wait when queued."""
        try:
            position = await self.queue.position(conversation_id)
        except UnknownTicket:
            return StateView(TicketState.BOT)
        agent_name = ""
        if position.state is TicketState.ASSIGNED:
            ticket = await self.queue.ticket(conversation_id)
            if ticket.agent_id:
                agent_name = (await self.queue.agent(ticket.agent_id)).agent.name
        state = (
            TicketState.BOT
            if position.state is TicketState.RESOLVED
            else position.state
        )
        return StateView(
            state,
            position.position,
            position.expected_wait,
            position.agents_online,
            agent_name,
            self.queue.closed_until() if state is TicketState.QUEUED else None,
            position.version,
        )

    async def answer_survey(
        self, conversation_id: str, answers: dict[str, Any]
    ) -> Entry:
        """Store the customer's survey answers (once) and thank them
        (``Surveys.answer``: SurveyInputError, SurveyClosed)."""
        return await self.surveys.answer(conversation_id, answers)


def bot_metadata(inbound: Inbound, entry: Entry) -> dict[str, Any]:
    """What Rasa's message metadata says of a customer message; ``customer_id``
    only when the shop vouched for the customer (the action server trusts it)."""
    metadata: dict[str, Any] = {
        "channel": inbound.channel,
        "customer_name": inbound.customer_name or None,
        "entry": entry.id,
    }
    if inbound.customer_id:
        metadata["customer_id"] = inbound.customer_id
    return metadata
