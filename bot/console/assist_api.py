"""Agent assist routes: suggestions, the tone check, and the library learning.

``GET /console/api/chats/{cid}/suggestions`` and ``POST /console/api/assist/tone``
(see assist.py); ``POST /console/api/chats/{cid}/propose`` (an agent reply of a chat
rated 4-5, by its agent or a supervisor), ``GET /console/api/assist/proposals`` and
``POST /console/api/assist/proposals/{id}/approve|reject`` (supervisors; see
learning.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from bot.console.assist import (
    Context,
    Library,
    canned,
    first_name,
    library,
    suggest,
    tone,
)
from bot.console.chats import deny, load, readable
from bot.console.deps import (
    Acting,
    Console,
    ConsoleDep,
    Principal,
    SignedIn,
    Supervising,
    SupervisorActing,
    client_ref,
    fail,
)
from bot.console.learning import ProposalError
from bot.console.views import may_read
from bot.handoff import Ticket
from bot.handoff.keys import valid_id
from bot.transcript import Author

router = APIRouter(prefix="/console/api")
RECENT = 20


async def context_of(console: Console, ticket: Ticket, who: Principal) -> Context:
    """The customer's latest messages, feeling, topic and details of a chat."""
    entries = await console.transcript.last(ticket.id, RECENT)
    said = [e for e in entries if e.author is Author.CUSTOMER and e.text]
    emotion, intensity = ticket.emotion.label, float(ticket.emotion.intensity)
    marked = [e.emotion for e in said if e.emotion]
    if marked:
        emotion = str(marked[-1].get("label", emotion))
        intensity = float(marked[-1].get("intensity", intensity) or 0.0)
    about = await console.transcript.about(ticket.id)
    slots = ticket.slots or {}
    values = {
        "name": first_name(ticket.customer.name or about.get("customer_name", "")),
        "order_id": str(slots.get("order_id") or ""),
        "invoice_id": str(slots.get("invoice_id") or ""),
        "agent": who.account.name,
    }
    return Context(
        query=" ".join(e.text for e in said[-3:]),
        emotion=emotion,
        intensity=intensity,
        topic=ticket.topic,
        values=values,
    )


async def learned(console: Console) -> Library:
    """Our library plus the replies supervisors approved."""
    base = library()
    extra = tuple(p.reply(base) for p in await console.proposals.approved())
    return Library(base.replies + extra, base.topic_groups)


@router.get("/chats/{cid}/suggestions")
async def get_suggestions(
    cid: str, request: Request, console: ConsoleDep, who: SignedIn
) -> dict[str, Any]:
    """Three replies fitted to the customer's emotion and topic, and shortcuts."""
    ticket = await readable(console, request, who, cid)
    context = await context_of(console, ticket, who)
    found, method = await suggest(context, console.embeddings, await learned(console))
    return {
        "suggestions": found,
        "retrieval": method,
        "emotion": context.emotion,
        "canned": canned(context.values),
    }


class ToneIn(BaseModel):
    """A draft to check, optionally in the context of a chat."""

    text: str = Field(max_length=20_000)
    conversation: str | None = Field(default=None, max_length=200)


@router.post("/assist/tone")
async def post_tone(
    body: ToneIn, request: Request, console: ConsoleDep, who: Acting
) -> dict[str, Any]:
    """Warnings about the draft (upset customer but no acknowledgement, caps...)."""
    emotion, intensity = "neutral", 0.0
    cid = body.conversation
    if cid and valid_id(cid):
        ticket = await load(console, cid)
        if may_read(ticket, who):
            context = await context_of(console, ticket, who)
            emotion, intensity = context.emotion, context.intensity
    return {
        "warnings": tone(body.text, emotion, intensity),
        "emotion": emotion,
    }


class ProposeIn(BaseModel):
    """An agent reply (its transcript entry id) proposed for the library."""

    entry: str = Field(min_length=1, max_length=40, pattern=r"^\d+-\d+$")


@router.post("/chats/{cid}/propose", status_code=201)
async def propose_reply(
    cid: str, body: ProposeIn, request: Request, console: ConsoleDep, who: Acting
) -> dict[str, Any]:
    """Propose an agent reply of a chat rated 4-5 for the library."""
    ticket = await load(console, cid)
    if not (who.account.supervisor or who.id in (ticket.agent_id, ticket.last_agent)):
        await deny(console, request, who, cid, "not_yours")
    entries = await console.transcript.read(cid, count=5000)
    entry = next((e for e in entries if e.id == body.entry), None)
    if entry is None or entry.author is not Author.AGENT:
        fail(404, "unknown_entry", "no agent reply with that id in this chat")
    try:
        proposal = await console.proposals.propose(
            ticket, entry.text, entry.agent_name, who.id
        )
    except ProposalError as error:
        fail(409, "not_proposable", str(error))
    await console.audit.record(
        "propose", agent=who.id, ticket=cid, ip=client_ref(request), detail=proposal.id
    )
    return {"proposal": proposal.to_dict()}


@router.get("/assist/proposals")
async def get_proposals(console: ConsoleDep, who: Supervising) -> dict[str, Any]:
    """Proposed replies waiting for a decision, and the approved ones."""
    return {
        "proposed": [p.to_dict() for p in await console.proposals.proposed()],
        "approved": [p.to_dict() for p in await console.proposals.approved()],
    }


@router.post("/assist/proposals/{pid}/{decision}")
async def decide_proposal(
    pid: str,
    decision: str,
    request: Request,
    console: ConsoleDep,
    who: SupervisorActing,
) -> dict[str, Any]:
    """Approve a proposal into the library, or reject it."""
    if decision not in ("approve", "reject"):
        fail(404, "unknown_decision", "approve or reject")
    try:
        proposal = await console.proposals.decide(pid, decision == "approve")
    except LookupError:
        fail(404, "unknown_proposal", "no such proposal (decided already?)")
    await console.audit.record(
        decision, agent=who.id, ip=client_ref(request), detail=proposal.id
    )
    return {"proposal": proposal.to_dict(), "decision": decision}
