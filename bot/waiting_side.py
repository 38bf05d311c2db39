"""The customer side of a chat handed to a person: a message written while they wait
is scored by the action server's emotion analysis (and read for something serious in
another language), the ticket re-prioritised, and, unless an agent has the chat, the
customer answered: the chat's order once they give the proof asked for, the contact
they leave for a call-back, else what the waiting replies say (bot/waiting.py).
``Conversations`` (bot/conversations.py) routes the message here and inherits this."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot import reach
from bot.contact import contact_request, offers_proof
from bot.handoff import (
    EmotionSnapshot,
    HandoffError,
    HandoffQueue,
    Ticket,
    TicketState,
    UnknownTicket,
    urgency_flags,
)
from bot.texts import say
from bot.transcript import Author, Entry, Kind, Transcript
from bot.upstream import ASKED_PROOF, EmotionClient
from bot.waiting import WaitingReplies
from bot.waiting_reading import advice_flag, serious_flags

if TYPE_CHECKING:
    from bot.conversations import Inbound

logger = logging.getLogger(__name__)

HISTORY_TURNS = 12  # earlier transcript entries the emotion analysis sees


class WaitingSide:
    """A customer's message while they wait for a person, over the queue, the
    transcript, the emotion analysis and the waiting replies."""

    queue: HandoffQueue
    transcript: Transcript
    emotion: EmotionClient
    waiting: WaitingReplies

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
        flags = serious_flags(inbound.text, language)
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
        # the bot's last word while they wait asked for the order's e-mail address or
        # postcode (an e-mail address left after "leave a phone number or e-mail" is
        # a contact to use, not a proof)
        replies = [e for e in earlier if e.author is Author.SYSTEM]
        asked_proof = bool(replies) and replies[-1].data.get("asks") == "order_proof"
        data: dict[str, str] = {}
        ASKED_PROOF.set(False)
        if (
            asked_proof
            and offers_proof(inbound.text)
            and (
                proven := await self.emotion.answer(
                    inbound.text, language, None, cid, proof_only=True
                )
            )
        ):
            # the e-mail address or postcode of the chat's order, asked for while
            # they wait: the order's state (actions/waiting_order.py)
            text = proven
        elif follow_up := contact_request(inbound.text):
            await self.queue.request_follow_up(cid, follow_up)
            text = say("follow_up_saved", language, contact=follow_up.contact)
        else:
            # what the chat has told them since the handoff (its message too)
            said = [
                e.text
                for e in earlier
                if e.author is Author.SYSTEM or e.kind is Kind.HANDOFF
            ]
            wrote = [
                e.text
                for e in earlier
                if e.author is Author.CUSTOMER and e.id != entry.id
            ]
            # every offer of a call or an e-mail fitted to the ways of contact they
            # ruled out (bot/reach.py); the analysis reads English: another
            # language is read by its own words and the ticket's flags
            with reach.answering([*wrote, inbound.text]):
                text = await self.waiting.reply(
                    cid,
                    inbound.text,
                    None if language else analysis,
                    said,
                    advice_flag(ticket, flags),  # with the flags this message raised
                    language,
                    # the handoff message said who is available and when: not again
                    told_where=any(e.kind is Kind.HANDOFF for e in earlier),
                    wrote=wrote,
                    reasons=ticket.reasons if ticket else (),
                )
        if ASKED_PROOF.get():
            data["asks"] = "order_proof"  # what they send next is read as that
        reassurance, _ = await self.transcript.append(
            cid, Entry(Author.SYSTEM, text, channel=inbound.channel, data=data)
        )
        return [reassurance]
