"""Agent assist routes: ``GET /console/api/chats/{cid}/suggestions`` and
``POST /console/api/assist/tone`` (see assist.py for how both work)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from bot.console.assist import Context, canned, first_name, suggest, tone
from bot.console.chats import deny, load
from bot.console.deps import Acting, Console, ConsoleDep, Principal, SignedIn
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


@router.get("/chats/{cid}/suggestions")
async def get_suggestions(
    cid: str, request: Request, console: ConsoleDep, who: SignedIn
) -> dict[str, Any]:
    """Three replies fitted to the customer's emotion and topic, and shortcuts."""
    ticket = await load(console, cid)
    if not may_read(ticket, who):
        await deny(console, request, who, cid, "not_yours")
    context = await context_of(console, ticket, who)
    found, method = await suggest(context, console.embeddings)
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
