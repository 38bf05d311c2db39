"""The agent side of the routing: what an agent's claim, reply, release, transfer and
resolve do to the conversation.

Each step goes through the handoff queue (bot/handoff), which owns the transitions,
then writes what the customer is told into the transcript (bot/transcript.py), which
delivers it wherever the customer is connected. An agent's reply is fenced by the
claim's token: a stale tab cannot post. Resolving resumes the Rasa conversation and
asks the customer the survey (bot/surveys.py). ``Conversations``
(bot/conversations.py) routes the customer side and inherits these.
"""

from __future__ import annotations

import logging

from bot.handoff import (
    AlreadyResolved,
    Claim,
    HandoffQueue,
    Resolved,
    Ticket,
    TicketState,
)
from bot.surveys import Surveys
from bot.texts import say
from bot.transcript import Author, Entry, Kind, Transcript
from bot.upstream import BotUnavailable, RasaClient

logger = logging.getLogger(__name__)

# A customer this upset (the ``upset`` level of data/replies/empathy.yml: frustration
# 0-4, intensity 0-1) is not thanked "for your patience" when the bot is back.
UPSET_FRUSTRATION = 2
UPSET_INTENSITY = 0.45


def resolved_text(ticket: Ticket) -> str:
    """The name of what the bot says when an agent resolved the chat: no thanks for
    patience to a customer who was upset (the ticket's latest reading)."""
    emotion = ticket.emotion
    upset = (
        emotion.frustration >= UPSET_FRUSTRATION or emotion.intensity >= UPSET_INTENSITY
    )
    return "resolved_upset" if upset else "resolved"


class AgentSide:
    """An agent's steps in a conversation, over the queue, transcript and Rasa."""

    queue: HandoffQueue
    transcript: Transcript
    rasa: RasaClient
    surveys: Surveys

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
                say(resolved_text(resolved.ticket)),
                kind=Kind.RESOLVED,
                client_id=f"sys:resolved:{handoff}",
            ),
            ends_claim=token,
        )
        await self.surveys.after_person(resolved.ticket, handoff)
        return resolved
