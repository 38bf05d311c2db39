"""One place that routes every message of every channel: bot, queue or person.

A channel (widget WebSocket, Telegram, the HTTP API) hands a customer message to
``Conversations.customer_message``; the agent console calls the agent methods. Each
writes the transcript (bot/transcript.py), which announces every entry on pub/sub, so
whichever gateway process holds the customer's connection delivers it. The handoff
queue (bot/handoff) is the truth about who owns a conversation:

- ``bot`` or ``resolved``: the message goes to Rasa; its replies are stored. If Rasa or
  the action server fails or times out, the customer gets an apology and is queued.
- ``queued`` or ``assigned``: the bot stays silent. The message is scored by the action
  server's emotion analysis, the ticket re-prioritised, and the agent sees it live.

Resolving a chat resumes the Rasa conversation and asks the customer for a CSAT and a
"did you feel understood?" rating, which ``rate`` stores with the ticket.

Rasa reads a message that starts with ``/`` as an intent (with entities) at confidence
1.0, past NLU and the fallback. Customers of every channel may only send the exact
payloads of the buttons the bot offered in its last turn; any other leading ``/`` is
dropped before the text goes to Rasa (the transcript keeps what they wrote).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from redis.exceptions import RedisError

from bot.contact import CALL_WORDS, contact_request
from bot.handoff import (
    AlreadyResolved,
    Claim,
    Customer,
    EmotionSnapshot,
    HandoffError,
    HandoffQueue,
    HandoffRequest,
    Rating,
    Resolved,
    Ticket,
    TicketState,
    UnknownTicket,
    UrgencyFlag,
    urgency_flags,
)
from bot.ratelimit import TOO_MANY_OPEN, LimitExceeded, RateLimiter
from bot.texts import WaitingWords, say, texts, translations, waiting_words
from bot.transcript import Author, Entry, Kind, Transcript
from bot.upstream import BotUnavailable, EmotionClient, RasaClient

logger = logging.getLogger(__name__)

HANDED_OFF = (TicketState.QUEUED, TicketState.ASSIGNED)
DONE_TTL_S = 24 * 3600  # how long a resend is recognised as already answered
BUSY_POLL_S = 0.25
HISTORY_TURNS = 12  # earlier transcript entries the emotion analysis sees
RECOVER_ENTRIES = 20  # recent entries searched for messages nobody answered...
RECOVER_WITHIN_S = 3600  # ...written within this time
# An order number a waiting customer adds ("it's 48213"): digits standing alone.
ORDER_NUMBER = re.compile(r"(?<![\w+-])\d{5,15}(?![\w-])")
# "postcode 10115", "PLZ 10115", "CP 28013": a postcode, not an order number
POSTCODE_NUMBER = re.compile(
    r"\b(?:post\s?codes?|postal\s+codes?|zip(?:\s?code)?|plz|postleitzahl|cp|cap|"
    r"c[oó]digo\s+postal|code\s+postal|kod\s+pocztowy)\b[^\d\n]{0,30}\d[\d ]*",
    re.IGNORECASE,
)
INTENT_PREFIX = "/"  # Rasa's RegexMessageHandler: "/intent{...}" skips NLU
OFFERED_LOOKBACK = 20  # recent entries searched for the buttons the bot offered
# a message of at least this many letters, all capitals, is shouted
SHOUTED_LETTERS = 6
URGENT_FRUSTRATION = 3  # a waiting message at this level (0-4) is answered as urgent
# ...when the message itself shows it (actions/emotion signal names)
FELT_SIGNALS = frozenset(
    {"emotion_words", "all_caps", "punctuation", "swearing", "abuse", "impatience"}
)
# A waiting customer asks something, asks for a person, or thanks us.
QUESTION_START = re.compile(
    r"^(?:(?:please|so|and|but|ok|okay|like|sweet|cool|right|well|um|hmm|fine|yeah|"
    r"yes|no)[ ,]+){0,3}(?:what|when|whne|wen|where|who|why|how|which|can|"
    r"could|will|would|is|are|do|does|did|should|may)\b",
    re.IGNORECASE,
)
WANTS_PERSON = re.compile(
    r"\b(?:some(?:one|body)(?! else)|any(?:one|body)(?! else)|a person|a human|"
    r"an? (?:real )?(?:agent|"
    r"human|person)|a manager|your team|speak to|talk to)\b|"
    r"\bare you (?:still |even )?(?:there|here|listening|reading this)\b",
    re.IGNORECASE,
)
# "how long will I have to wait?", "when will someone reply?", "what's the wait time?"
WAIT_WORDS = re.compile(
    r"\bhow long (?:will|do|must|should|have|shall) (?:i|we) "
    r"(?:have to |need to |still )?(?:wait|be waiting)\b|"
    r"\bhow long (?:is|will|'s) (?:the|my) (?:wait|queue)\b|"
    r"\bwhen (?:will|can|does|do|is|are|would) "
    r"(?:someone|somebody|anyone|a person|your team|the team|an agent|a human|they)\b"
    r"[^.?!]{0,25}\b(?:reply|answer|respond|get back|pick|"
    r"be (?:here|back|online|available|in)|come|help|contact|open)|"
    r"\bwait(?:ing)? time\b|"
    r"\bhow (?:long|much longer) (?:until|till|before) "
    r"(?:someone|somebody|anyone|a person|an agent|you|they|i)\b|\bhow much longer\b|"
    r"\bhow long (?:is|will) (?:it|this) (?:take|be) (?:for|until|till|before) "
    r"(?:someone|somebody|a person|an agent|you|they)\b|"
    r"\bwhen (?:will|do|can|shall|would) (?:i|we) (?:hear|get (?:an? )?(?:answer|reply|"
    r"response|call))\b|"
    r"\bwill (?:it|this|that) (?:take|be) (?:long|much longer|ages)\b|"
    # "HELLO??", "hi?": is anyone there
    r"^\W*(?:hello|hi|hey|hallo)\W*\?+\W*$",
    re.IGNORECASE,
)
THANKS = re.compile(r"\b(?:thanks?|thank you|cheers|ta|much appreciated)\b", re.I)
THANKS_WORDS = 6  # "thank you dear", not "thanks but where is it"
# Flags whose advice a waiting customer gets first (the most urgent first).
ADVICE_ORDER = (
    UrgencyFlag.SAFETY,
    UrgencyFlag.FRAUD,
    UrgencyFlag.HEALTH,
    UrgencyFlag.HARDSHIP,
    UrgencyFlag.BEREAVEMENT,
)
# A question put to whoever reads it ("can someone tell me", "could anyone let me
# know"): what follows is the question
_TELL_ME = re.compile(
    r"^\W*(?:(?:hi|hello|hey)\W+)?(?:can|could|would|will) (?:someone|somebody|"
    r"anyone|anybody|you)(?: please| just)? (?:tell|let) me(?: know)?\W*",
    re.IGNORECASE,
)
# How a waiting customer's message is read in English (the emotion analysis names
# the feelings); other languages have their words in languages.yml (bot/texts.py).
# the one who was hurt is all right now, or a doctor has seen them
SEEN_TO = re.compile(
    r"\b(?:(?:no one|nobody|no-one) (?:was|got|is) (?:hurt|injured)|"
    r"nothing serious|"
    r"(?:he|she|they|i|we|my \w+)(?:'s| is| are|'m| am|'re) (?:now |fine now |"
    r"ok now )?(?:ok|okay|fine|alright|all right|better|doing better|recovering)\b|"
    r"(?:went|been|go|gone|took (?:him|her|them)) to (?:a&e|the er|the doctor|the gp|"
    r"(?:the )?hospital|urgent care|the emergency room)|(?:saw|seen|see) (?:a|the|our|"
    r"his|her|my) (?:doctor|gp|nurse|pharmacist)|(?:doctor|gp|nurse) (?:said|says|"
    r"checked))"
)
ENGLISH = WaitingWords(
    THANKS, QUESTION_START, CALL_WORDS, WANTS_PERSON, wait=WAIT_WORDS, seen=SEEN_TO
)
NOTHING = re.compile(r"(?!)")
# a language without words of its own: a question mark is all we read
UNREAD = WaitingWords(NOTHING, NOTHING, NOTHING, NOTHING)


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


@dataclass(frozen=True)
class StateView:
    """Who owns the conversation, as the customer should see it."""

    state: TicketState
    position: int | None = None
    expected_wait: float | None = None  # seconds
    agents_online: int = 0
    agent_name: str = ""
    back: str | None = None  # outside business hours: when the team is back

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the widget's ``state`` frame)."""
        return {
            "state": self.state.value,
            "position": self.position,
            "wait_s": round(self.expected_wait) if self.expected_wait else None,
            "agents_online": self.agents_online,
            "agent_name": self.agent_name or None,
            "back": self.back,
        }


class Conversations:
    """Route customer and agent messages; keep transcript, queue and Rasa in step."""

    def __init__(
        self,
        *,
        queue: HandoffQueue,
        transcript: Transcript,
        rasa: RasaClient,
        emotion: EmotionClient,
        limits: RateLimiter | None = None,
    ) -> None:
        self.queue = queue
        self.transcript = transcript
        self.rasa = rasa
        self.emotion = emotion
        self.limits = limits  # open tickets per client address, when given
        # A message is "busy" at most this long: Rasa's timeout plus the rest.
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
        try:
            replies = await self._answer(inbound, entry)
        except BaseException:
            await self.queue.redis.delete(self.queue.keys.work(cid, entry.id))
            raise
        await self.queue.redis.set(
            self.queue.keys.work(cid, entry.id), "done", ex=DONE_TTL_S
        )
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
        keys = [self.queue.keys.work(conversation_id, e.id) for e in waiting]
        marks = await self.queue.redis.mget(keys)
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
        key = self.queue.keys.work(conversation_id, entry_id)
        redis = self.queue.redis
        while not await redis.set(key, "busy", nx=True, ex=self.busy_ttl_s):
            if await redis.get(key) == "done":
                return False
            await asyncio.sleep(BUSY_POLL_S)
        return True

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
                    buttons=_buttons(answer.get("buttons")),
                ),
            )
            replies.append(reply)
        return replies

    async def _rasa_text(self, conversation_id: str, text: str, entry: Entry) -> str:
        """What Rasa gets of a customer message: never an intent the bot did not
        offer as a button in its last turn (see the module docstring)."""
        if not text.startswith(INTENT_PREFIX):
            return text
        recent = await self.transcript.last(conversation_id, OFFERED_LOOKBACK)
        if text in _offered(recent, entry.id):
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

    async def _to_person(
        self, inbound: Inbound, entry: Entry, state: TicketState
    ) -> list[Entry]:
        cid = inbound.conversation_id
        earlier = await self.transcript.last(cid, HISTORY_TURNS + 1)
        history = [
            {
                "author": "customer" if e.author is Author.CUSTOMER else "bot",
                "text": e.text,
            }
            for e in earlier
            if e.id != entry.id and e.text
        ]
        try:
            ticket: Ticket | None = await self.queue.ticket(cid)
        except UnknownTicket:
            ticket = None
        # the language the customer writes in when it is not English (the bot put
        # it in the ticket's slots when it handed over)
        language = str(ticket.slots.get("language") or "") if ticket else ""
        # something serious said in another language raises its flag too (the
        # analysis reads English)
        words = waiting_words(language) if language else None
        lower = inbound.text.lower()
        flags = urgency_flags(
            kind
            for kind, found in (words.serious if words else {}).items()
            if found.search(lower)
        )
        analysis = await self.emotion.analyze(inbound.text, history[-HISTORY_TURNS:])
        if analysis is not None:
            await self.transcript.annotate(cid, entry.id, analysis)
            snapshot = EmotionSnapshot(
                str(analysis.get("label", "neutral")),
                float(analysis.get("intensity", 0.0)),
                int(analysis.get("frustration", 0)),
            )
            flags |= urgency_flags(s.get("name") for s in analysis.get("signals", []))
            try:
                await self.queue.rescore(cid, snapshot, flags)
            except HandoffError as error:
                # Best effort: the agent may have resolved the chat meanwhile; the
                # message is stored and the agent side has seen it.
                logger.info("no rescore for %s: %s", cid, error)
        if state is TicketState.ASSIGNED:
            return []  # the agent is here and sees it live
        if follow_up := contact_request(inbound.text):
            await self.queue.request_follow_up(cid, follow_up)
            text = say("follow_up_saved", language, contact=follow_up.contact)
        else:
            said = [e.text for e in earlier if e.author is Author.SYSTEM]
            # the analysis reads English: another language is read by its own words
            # and the ticket's flags
            text = await self._waiting_reply(
                cid,
                inbound.text,
                None if language else analysis,
                said,
                _flag(ticket, flags),  # with the flags this message raised
                language,
                # the handoff message said who is available and when: not again
                told_where=any(e.kind is Kind.HANDOFF for e in earlier),
                wrote=[
                    e.text
                    for e in earlier
                    if e.author is Author.CUSTOMER and e.id != entry.id
                ],
            )
        reassurance, _ = await self.transcript.append(
            cid, Entry(Author.SYSTEM, text, channel=inbound.channel)
        )
        return [reassurance]

    async def _waiting_reply(
        self,
        conversation_id: str,
        text: str,
        analysis: dict[str, Any] | None,
        said: list[str],
        flag: UrgencyFlag | None = None,
        language: str = "",
        told_where: bool = False,
        wrote: list[str] | None = None,
    ) -> str:
        """What a waiting customer hears after writing again, in their ``language``
        (English when ""): what they can do meanwhile (the advice for what happened,
        the ticket's ``flag``, said once, to anything but plain thanks), an answer to
        what they added (a question we can answer, an order number, how urgent it
        is), never the same words twice in a row, and where they stand when they are
        upset (not when ``told_where``: the handoff message among the recent entries
        said it). A feeling they put into words is heard first, whatever else is
        said, with what it is about when they named that (now or in ``wrote``, their
        earlier messages, oldest first)."""
        words = ENGLISH if not language else waiting_words(language) or UNREAD
        lower = text.lower()
        felt = _felt(analysis) or _urgent(analysis) or _felt_words(lower, words)
        ack = _ack(analysis, lower, words, language, wrote or []) if felt else ""
        if ack and any(ack in x for x in said[-1:]):
            # said a moment ago: the feeling alone, not the same words again
            ack = _ack(analysis, lower, words, language, [], named=False)
            ack = "" if any(ack in x for x in said[-1:]) else ack
        reply = await self._waiting_answer(
            conversation_id,
            text,
            analysis,
            said,
            flag,
            language,
            told_where,
            ack,
            wrote or [],
        )
        if not ack or _acknowledges(reply, language):
            return reply
        return f"{ack} {reply}"

    async def _waiting_answer(
        self,
        conversation_id: str,
        text: str,
        analysis: dict[str, Any] | None,
        said: list[str],
        flag: UrgencyFlag | None,
        language: str,
        told_where: bool,
        ack: str,
        wrote: list[str],
    ) -> str:
        """The waiting reply that follows ``ack``, the words for the feeling
        (_waiting_reply)."""
        advice = say(f"waiting_advice_{flag.value}", language) if flag else None
        words = ENGLISH if not language else waiting_words(language) or UNREAD
        lower = text.lower()
        asks = _asks(text, words)
        urgent = _urgent(analysis)
        order = ORDER_NUMBER.search(POSTCODE_NUMBER.sub(" ", text))
        thanks = bool(words.thanks.search(lower)) and len(text.split()) <= THANKS_WORDS
        # "can someone ring me please": a call asked for, however upset they are
        calls = bool(words.call.search(lower)) and asks
        plain_thanks = thanks and not (asks or urgent or order)
        # the advice for what happened is said once; a question of theirs we can
        # answer comes first ("while I wait, how long do refunds take?")
        due = advice is not None and not plain_thanks and advice not in " ".join(said)
        if flag is UrgencyFlag.SAFETY and any(
            words.seen.search(t.lower()) for t in (text, *wrote)
        ):
            due = False  # "he's ok, we went to A&E", now or before: no "see a doctor"
        if due and (calls or not asks):
            then = "waiting_call" if calls else "waiting_advice_then"
            return f"{advice} {say(then, language)}"
        if calls:
            return _fresh(said, language, "waiting_call", "waiting_for_person_again")
        if words.wait.search(lower) and not urgent:
            answer = await self._how_long(conversation_id, language, said, told_where)
            if said and said[-1] == answer:  # asked again: not the same words
                return say("waiting_for_person_again", language)
            return answer
        # a question we can answer is answered, after the feeling it carries: a
        # general one (delivery, returns, payment...), the chat's own order once
        # proven, even beside words for a person ("can someone tell me when it's
        # coming?"); a decision waits for the person
        known = None
        if asks and not order:
            # "can someone tell me how long a refund takes?" asks how long a refund
            # takes: the wrapper is no request for a person to NLU
            question = text if language else _TELL_ME.sub("", text) or text
            reading = None if language else await self.rasa.intent(question)
            known = await self.emotion.answer(
                question, language, reading, conversation_id
            )
        # an urgent question ("what are you going to do about this?") is answered
        # below, after the words for how they feel
        if (words.person.search(lower) and known is None) or (urgent and not asks):
            asked = say("waiting_person_asked", language)
            # asked again, or in capitals: the wait itself is what they feel
            insists = any(asked in x for x in said) or _shouted(analysis, text)
            first = say(
                "waiting_person_insists" if insists else "waiting_person_asked",
                language,
            )
            if urgent:
                # after the words for what they are upset about or the feeling they
                # named (_waiting_reply), not a stock "I hear you, and I'm sorry"
                first = say(
                    "waiting_urgent_passed" if ack else "waiting_urgent", language
                )
            where = await self._where(conversation_id, language)
            if told_where or any(where and where in t for t in said):
                where = ""  # told a moment ago: not the same lines again
            reply = " ".join(p for p in (first, where) if p)
            if reply in said[-1:]:  # "are you even listening??": not the same again
                return say("waiting_for_person_again", language)
            return reply
        felt = _felt_text(analysis, lower, words)
        if asks and not order:
            if known is None and due:  # "what do I do now?": the advice first
                return f"{advice} {say('waiting_advice_then', language)}"
            # the advice not said yet comes after the answer, not instead of it
            closing = advice if due and advice else ""
            if known is None and flag and f"waiting_asked_{flag.value}" in texts():
                # ...or what to do about what happened (keep the kettle? how do I
                # secure my account?)
                known, closing = say(f"waiting_asked_{flag.value}", language), ""
            if known is not None and not any(known in x for x in said[-1:]):
                return " ".join(p for p in (known, closing) if p)
        if due:
            return f"{advice} {say('waiting_advice_then', language)}"
        if felt is not None:
            if ack:
                # the words for it come first (_waiting_reply); then that it is
                # passed on
                return _fresh(
                    said, language, "waiting_felt_passed", "waiting_for_person_again"
                )
            return _fresh(
                said, language, felt, "waiting_felt", "waiting_for_person_again"
            )
        if order:
            return say("waiting_added_order", language, order=order.group(0))
        if thanks:
            return _fresh(said, language, "waiting_thanks", "waiting_thanks_again")
        if asks:
            return _fresh(
                said, language, "waiting_question", "waiting_for_person_again"
            )
        return _fresh(said, language, "waiting_for_person", "waiting_for_person_again")

    async def _how_long(
        self,
        conversation_id: str,
        language: str = "",
        said: Iterable[str] = (),
        told_where: bool = False,
    ) -> str:
        """How long a waiting customer waits, as far as we know: when the team is
        back (outside business hours), that nobody is online yet (asked again, or
        the handoff message, ``told_where``, said so: that we cannot give a time,
        and their place in line), or their place in line and the expected wait."""
        view = await self.view(conversation_id)
        opens = translations().get(language, {}).get("opens") if language else None
        at = self.queue.reopens() if view.back else None
        if view.back and not language:
            return say("waiting_back", back=view.back)
        if at is not None and opens:  # the language writes the time its own way
            back = self.queue.config.hours.written(opens, at)
            return say("waiting_back", language, back=back)
        if view.agents_online == 0:
            nobody = say("waiting_nobody_online", language)
            if not told_where and nobody not in said:
                return nobody
            if view.position:
                position = str(view.position)
                return say("waiting_no_time_position", language, position=position)
            return say("waiting_no_time", language)
        if view.position:
            place = say("waiting_position", language, position=str(view.position))
            if view.expected_wait:
                minutes = str(max(1, round(view.expected_wait / 60)))
                return f"{place} {say('waiting_expected', language, minutes=minutes)}"
            return place
        return say("waiting_for_person_again", language)

    async def _where(self, conversation_id: str, language: str = "") -> str:
        """Where a waiting customer stands: nobody online, or their place in line."""
        view = await self.view(conversation_id)
        if view.agents_online == 0:
            return say("waiting_nobody_online", language)
        if view.position:
            return say("waiting_position", language, position=str(view.position))
        return ""

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
        )

    async def rate(self, conversation_id: str, rating: Rating) -> Entry:
        """Store the customer's ratings of the resolved chat (once) and thank them."""
        await self.queue.rate(conversation_id, rating)
        entry, _ = await self.transcript.append(
            conversation_id,
            Entry(
                Author.BOT,
                say("rating_thanks"),
                kind=Kind.RATED,
                data={"csat": rating.csat, "understood": rating.understood},
            ),
        )
        return entry

    # -- agent side ----------------------------------------------------------------

    async def claim(self, agent_id: str, conversation_id: str) -> Claim:
        """The agent takes this chat; the customer is told who joined."""
        claim = await self.queue.claim(agent_id, conversation_id)
        await self.announce_claim(claim)
        return claim

    async def claim_next(self, agent_id: str) -> Claim | None:
        """The agent takes the best waiting chat for them, if any."""
        claim = await self.queue.claim_next(agent_id)
        if claim is not None:
            await self.announce_claim(claim)
        return claim

    async def announce_claim(self, claim: Claim) -> None:
        """Tell the customer which person joined the chat."""
        ticket = claim.ticket
        name = await self._agent_name(ticket.agent_id or "")
        await self.transcript.append(
            ticket.id,
            Entry(
                Author.SYSTEM,
                say("agent_joined", agent=name),
                kind=Kind.JOINED,
                agent_id=ticket.agent_id or "",
                agent_name=name,
            ),
        )

    async def _agent_name(self, agent_id: str) -> str:
        view = await self.queue.agent(agent_id)
        return view.agent.name or agent_id

    async def agent_message(
        self, agent_id: str, conversation_id: str, token: int, text: str
    ) -> Entry:
        """An agent's reply; refused (StaleToken, ...) unless the token holds it
        (checked and written in one atomic step)."""
        entry, _ = await self.transcript.append(
            conversation_id,
            Entry(
                Author.AGENT,
                text,
                agent_id=agent_id,
                agent_name=await self._agent_name(agent_id),
            ),
            fence=self.queue.fence(conversation_id, token, agent_id),
        )
        return entry

    async def release(
        self, agent_id: str, conversation_id: str, token: int, reason: str = ""
    ) -> Ticket:
        """Back to the queue; the customer is told."""
        ticket = await self.queue.release(agent_id, conversation_id, token, reason)
        await self.transcript.append(
            conversation_id,
            Entry(Author.SYSTEM, say("released"), kind=Kind.RELEASED),
            ends_claim=token,
        )
        return ticket

    async def transfer(
        self,
        agent_id: str,
        conversation_id: str,
        token: int,
        *,
        to_agent: str | None = None,
        to_skill: str | None = None,
        note: str = "",
    ) -> Ticket:
        """To another agent (who joins at once) or to the queue for a skill."""
        ticket = await self.queue.transfer(
            agent_id,
            conversation_id,
            token,
            to_agent=to_agent,
            to_skill=to_skill,
            note=note,
        )
        await self.transcript.append(
            conversation_id,
            Entry(Author.SYSTEM, say("transferred"), kind=Kind.RELEASED),
            ends_claim=token,
        )
        if ticket.state is TicketState.ASSIGNED and ticket.agent_id:
            await self.announce_claim(Claim(ticket, ticket.token, 0.0))
        return ticket

    async def resolve(
        self, agent_id: str, conversation_id: str, token: int, resolution: str = ""
    ) -> Resolved:
        """Close the chat: the bot is back (Rasa resumed) and asks for ratings.

        Safe to repeat with the same token: when an earlier call closed the ticket
        and then failed (Redis went away before the customer was told), the repeat
        finishes the job instead of refusing, and the customer is told once.
        """
        try:
            resolved = await self.queue.resolve(
                agent_id, conversation_id, token, resolution
            )
        except AlreadyResolved:
            ticket = await self.queue.ticket(conversation_id)
            if (ticket.agent_id, ticket.token) != (agent_id, token):
                raise
            resolved = Resolved(ticket, False, self.queue.config.break_minutes)
        try:
            await self.rasa.resume(conversation_id)
        except BotUnavailable:
            # The queue says "bot" now; Rasa stays paused until it answers again,
            # and the next customer message resumes it (see _to_bot).
            logger.warning("could not resume %s in Rasa", conversation_id)
        # Unique per handoff (the fencing token never repeats), however long ago
        # an earlier ticket of this conversation expired: a repeated call with the
        # same token is recognised, a later handoff is not mistaken for it.
        handoff = f"{resolved.ticket.episode}:{resolved.ticket.token}"
        await self.transcript.append(
            conversation_id,
            Entry(
                Author.BOT,
                say("resolved"),
                kind=Kind.RESOLVED,
                client_id=f"sys:resolved:{handoff}",
            ),
            ends_claim=token,
        )
        await self.transcript.append(
            conversation_id,
            Entry(
                Author.BOT,
                say("rating_request"),
                kind=Kind.RATING_REQUEST,
                data={"scales": {"csat": [1, 5], "understood": [1, 5]}},
                client_id=f"sys:rating:{handoff}",
            ),
        )
        return resolved


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


def _urgent(analysis: dict[str, Any] | None) -> bool:
    """Whether a waiting customer's message raises a flag, or is strongly felt in its
    own words (a high level from the conversation alone, such as a repeat, is not:
    "I'm sorry you're still waiting" must answer something the customer said; nor is
    confusion, which is met with waiting_felt_confusion, not with urgency)."""
    if not analysis:
        return False
    names = {str(s.get("name")) for s in analysis.get("signals", [])}
    if urgency_flags(names):
        return True
    if analysis.get("label") == "confusion":
        return False
    return int(analysis.get("frustration", 0)) >= URGENT_FRUSTRATION and bool(
        names & FELT_SIGNALS
    )


def _flag(
    ticket: Ticket | None, said: Iterable[UrgencyFlag] = ()
) -> UrgencyFlag | None:
    """The first of the ticket's flags, and of those the message just ``said``, that
    has advice for a waiting customer (``waiting_advice_<flag>`` in channel.yml),
    else None."""
    flags = {*(ticket.flags if ticket else ()), *said}
    return next((f for f in ADVICE_ORDER if f in flags), None)


def _asks(text: str, words: WaitingWords = ENGLISH) -> bool:
    """Whether a waiting customer's message asks something ("What do I do now?",
    "can someone phone me"): a question mark, or the language's question words."""
    return "?" in text or bool(words.question.search(text.strip().lower()))


def _feeling_label(
    analysis: dict[str, Any] | None, lower: str, words: WaitingWords
) -> str:
    """The feeling a waiting customer's message names: by the language's feeling
    words, else the emotion analysis's label ("" when neither says)."""
    if words.feelings:
        return next((k for k, w in words.feelings.items() if w.search(lower)), "")
    return str((analysis or {}).get("label", ""))


def _ack(
    analysis: dict[str, Any] | None,
    lower: str,
    words: WaitingWords,
    language: str,
    wrote: list[str],
    named: bool = True,
) -> str:
    """The words for a waiting customer's feeling and what it is about (when
    ``named``): in English the concern the action server's analysis names, in this
    message or an earlier one ("I can hear how worried you are about the double
    charge."); in another language the feeling its words name and the care for
    what went wrong, said now or in ``wrote`` (their earlier messages, oldest
    first). Else the words for the feeling alone (``waiting_ack_<label>``); "" when
    none is known."""
    label = _feeling_label(None if language else analysis, lower, words)
    if named and language:
        texts_read = (lower, *(w.lower() for w in reversed(wrote)))
        care = next(
            (c for t in texts_read for found, c in words.problems if found.search(t)),
            "",
        )
        if care:
            return " ".join(p for p in (words.feeling_says.get(label, ""), care) if p)
    concern = str((analysis or {}).get("concern") or "") if named else ""
    if concern and not language:
        key = f"concern_ack_{label}"
        return say(key if key in texts() else "concern_ack", concern=concern)
    key = f"waiting_ack_{label}"
    return say(key, language) if key in texts() else ""


def _felt_words(lower: str, words: WaitingWords) -> bool:
    """Whether a message in another language names a feeling by its words."""
    return any(w.search(lower) for w in words.feelings.values())


# The texts that open with the words for a feeling: nothing more is put before them.
_ACKNOWLEDGING = (
    "waiting_felt",
    "waiting_felt_anxiety",
    "waiting_felt_sadness",
    "waiting_felt_anger",
    "waiting_felt_frustration",
    "waiting_felt_confusion",
    "waiting_urgent",
    "waiting_person_insists",
)


def _acknowledges(reply: str, language: str) -> bool:
    """Whether ``reply`` opens with the words for a feeling already."""
    return any(reply.startswith(say(name, language)) for name in _ACKNOWLEDGING)


def _felt_text(
    analysis: dict[str, Any] | None, lower: str, words: WaitingWords
) -> str | None:
    """The name of the text for the unhappy feeling a waiting customer put into
    words: ``waiting_felt_<label>`` where the texts have it, else ``waiting_felt``;
    None when they put none into words. English is read by the analysis, another
    language by its feeling words (``lower`` is the message lower-cased)."""
    if words.feelings:
        label = next((k for k, w in words.feelings.items() if w.search(lower)), None)
    elif _felt(analysis):
        label = str((analysis or {}).get("label", ""))
    else:
        return None
    if label is None:
        return None
    return (
        f"waiting_felt_{label}"
        if f"waiting_felt_{label}" in texts()
        else "waiting_felt"
    )


def _shouted(analysis: dict[str, Any] | None, text: str) -> bool:
    """Whether a waiting customer's message is written in capitals or with "!!!"
    (the analysis says so in English; another language by its letters)."""
    names = {str(s.get("name")) for s in (analysis or {}).get("signals", [])}
    letters = [c for c in text if c.isalpha()]
    capitals = len(letters) >= SHOUTED_LETTERS and text.isupper()
    return bool(names & {"all_caps", "punctuation"}) or capitals or "!!!" in text


def _fresh(said: list[str], language: str, *names: str) -> str:
    """The first of the texts ``names`` that is not the words just said (the last
    of them when all are)."""
    options = [say(name, language) for name in names]
    return next((o for o in options if o not in said[-1:]), options[-1])


def _felt(analysis: dict[str, Any] | None) -> bool:
    """Whether a waiting customer's message puts an unhappy feeling into words (not
    urgent, but not to be met with "Thanks, I've added that")."""
    if not analysis:
        return False
    names = {str(s.get("name")) for s in analysis.get("signals", [])}
    if "sarcasm" in names:
        return True  # "what a surprise, same answer again" is no thanks
    if str(analysis.get("label", "neutral")) in ("neutral", "joy"):
        return False
    if "softened" in names and "emotion_words" not in names:
        return False  # "sorry to be a bother" is politeness, not a feeling to soothe
    return bool(names & {"emotion_words", "negative_sentiment"})


def _offered(recent: list[Entry], entry_id: str) -> set[str]:
    """Payloads of the buttons of the bot's last turn before entry ``entry_id``."""
    ids = [e.id for e in recent]
    before = recent[: ids.index(entry_id)] if entry_id in ids else recent
    payloads: set[str] = set()
    for earlier in reversed(before):
        if earlier.author is Author.CUSTOMER:
            break
        if earlier.author is Author.BOT:
            payloads.update(b["payload"] for b in earlier.buttons if b.get("payload"))
    return payloads


def _buttons(raw: Any) -> list[dict[str, str]]:
    """Rasa's quick-reply buttons, as title/payload strings only."""
    if not isinstance(raw, list):
        return []
    return [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in raw
        if isinstance(b, dict)
    ]
