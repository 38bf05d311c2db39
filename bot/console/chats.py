"""Acting on one chat from the console (``/console/api/chats/...``).

Claims go through ``Conversations.claim`` / ``claim_next`` and return the fencing
token; every later action carries it. A chat another agent holds is refused with 403
(and audited); a token that no longer holds the chat (taken over, lease expired,
resolved) with 409. Everything a customer sees goes through ``Conversations`` so the
transcript, the queue and Rasa stay in step.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from bot.console.deps import (
    Acting,
    Console,
    ConsoleDep,
    Principal,
    SignedIn,
    client_ref,
    record_denied,
)
from bot.console.deps import fail as _fail
from bot.console.empathy import score_transcript
from bot.console.views import (
    chat_view,
    entry_dict,
    may_read,
    remember_customer,
    reply_context,
    ticket_dict,
)
from bot.handoff import HandoffError, Ticket, TicketState, UnknownTicket, errors
from bot.handoff.keys import valid_id
from bot.inputs import clean_text

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/console/api")
MAX_NOTE = 4000
T = TypeVar("T")


def refuse(error: HandoffError) -> NoReturn:
    """The HTTP answer to a refusal of the handoff queue."""
    match error:
        case errors.StaleToken():
            _fail(
                409,
                "stale_token",
                "you no longer hold this chat (taken over, expired or closed); "
                "reload it",
            )
        case errors.AlreadyResolved():
            _fail(409, "resolved", "this chat is already resolved")
        case errors.NotQueued():
            _fail(409, "not_waiting", "this chat is no longer waiting")
        case errors.InvalidState():
            _fail(409, "wrong_state", str(error))
        case errors.AgentUnavailable():
            _fail(409, "unavailable", f"{error}; set yourself online to take chats")
        case errors.AtCapacity():
            _fail(409, "at_capacity", "you already hold as many chats as you can")
        case errors.SkillMismatch():
            _fail(409, "skill", str(error))
        case errors.UnknownTicket():
            _fail(404, "unknown_chat", "there is no such chat")
        case errors.UnknownAgent():
            _fail(404, "unknown_agent", str(error))
        case errors.InvalidInput():
            _fail(422, "invalid", str(error))
    _fail(409, "refused", str(error))


def _text(value: str, limit: int, what: str) -> str:
    try:
        return clean_text(value, limit)
    except ValueError as error:
        _fail(422, "invalid_text", f"{what}: {error}")


async def load(console: Console, cid: str) -> Ticket:
    """The chat's ticket; 422 for a malformed id, 404 for none."""
    if not valid_id(cid):
        _fail(422, "invalid_id", "that is not a conversation id")
    try:
        return await console.queue.ticket(cid)
    except UnknownTicket:
        _fail(404, "unknown_chat", "there is no such chat")


async def deny(
    console: Console, request: Request, who: Principal, cid: str, why: str
) -> NoReturn:
    """Audit a refused action and answer 403."""
    await record_denied(console, request, who.id, why, ticket=cid)
    if why == "held_by_other":
        _fail(403, why, "another agent is handling this chat")
    _fail(403, "forbidden", "you may not see or change this chat")


async def held(console: Console, request: Request, who: Principal, cid: str) -> Ticket:
    """The chat, unless another agent holds it (403)."""
    ticket = await load(console, cid)
    if ticket.state is TicketState.ASSIGNED and ticket.agent_id != who.id:
        await deny(console, request, who, cid, "held_by_other")
    return ticket


async def on_held(
    console: Console,
    request: Request,
    who: Principal,
    cid: str,
    action: str,
    call: Callable[[], Awaitable[T]],
    detail: Callable[[T], str] = lambda _: "",
) -> T:
    """``call`` on a chat no other agent holds (else 403), the queue's refusal as
    its HTTP answer; done, audited as ``action`` with ``detail`` of its result."""
    await held(console, request, who, cid)
    try:
        result = await call()
    except HandoffError as error:
        refuse(error)
    await console.audit.record(
        action, agent=who.id, ticket=cid, ip=client_ref(request), detail=detail(result)
    )
    return result


async def readable(
    console: Console, request: Request, who: Principal, cid: str
) -> Ticket:
    """The chat, if the caller may see it (``may_read``; else 403, audited)."""
    ticket = await load(console, cid)
    if not may_read(ticket, who):
        await deny(console, request, who, cid, "not_yours")
    return ticket


@router.get("/chats/{cid}")
async def get_chat(
    cid: str, request: Request, console: ConsoleDep, who: SignedIn
) -> dict[str, Any]:
    """The ticket, the whole transcript with emotion marks, earlier chats, notes."""
    ticket = await readable(console, request, who, cid)
    return await chat_view(console, ticket, who)


async def _claimed(
    console: Console, request: Request, who: Principal, ticket: Ticket, token: int
) -> dict[str, Any]:
    await remember_customer(console, ticket, await console.transcript.about(ticket.id))
    await console.audit.record(
        "claim", agent=who.id, ticket=ticket.id, ip=client_ref(request)
    )
    return {"ticket": ticket_dict(ticket, who), "token": token}


@router.post("/chats/{cid}/claim")
async def claim_chat(
    cid: str, request: Request, console: ConsoleDep, who: Acting
) -> dict[str, Any]:
    """Take this waiting chat; returns the fencing token."""
    ticket = await held(console, request, who, cid)
    if ticket.state is TicketState.ASSIGNED:
        _fail(409, "already_yours", "you already hold this chat")
    try:
        claim = await console.conversations.claim(who.id, cid)
    except HandoffError as error:
        refuse(error)
    return await _claimed(console, request, who, claim.ticket, claim.token)


@router.post("/claim-next")
async def claim_next_chat(
    request: Request, console: ConsoleDep, who: Acting
) -> dict[str, Any]:
    """Take the best waiting chat for this agent (404 when none fits)."""
    try:
        claim = await console.conversations.claim_next(who.id)
    except HandoffError as error:
        refuse(error)
    if claim is None:
        _fail(404, "none_waiting", "no waiting chat fits you right now")
    return await _claimed(console, request, who, claim.ticket, claim.token)


class ReplyIn(BaseModel):
    """An agent's reply."""

    token: int = Field(ge=1)
    text: str = Field(min_length=1, max_length=20_000)


@router.post("/chats/{cid}/messages", status_code=201)
async def post_agent_message(
    cid: str, body: ReplyIn, request: Request, console: ConsoleDep, who: Acting
) -> dict[str, Any]:
    """Send a reply to the customer (needs the token of the current claim)."""
    text = _text(body.text, console.settings.max_message_chars, "reply")
    entry = await on_held(
        console,
        request,
        who,
        cid,
        "reply",
        lambda: console.conversations.agent_message(who.id, cid, body.token, text),
        lambda entry: entry.id,
    )
    out = entry_dict(entry)
    ticket = await console.queue.ticket(cid)
    recent = await console.transcript.last(cid, 20)
    if card := score_transcript(recent, *reply_context(ticket)).get(entry.id):
        out["empathy"] = card.to_dict()
    return {"entry": out}


class NoteIn(BaseModel):
    """A private note."""

    text: str = Field(min_length=1, max_length=20_000)


@router.post("/chats/{cid}/notes", status_code=201)
async def post_note(
    cid: str, body: NoteIn, request: Request, console: ConsoleDep, who: Acting
) -> dict[str, Any]:
    """Leave a private note on the chat (its holder, or a supervisor)."""
    text = _text(body.text, MAX_NOTE, "note")
    ticket = await load(console, cid)
    mine = ticket.state is TicketState.ASSIGNED and ticket.agent_id == who.id
    if not (mine or who.account.supervisor):
        await deny(console, request, who, cid, "not_yours")
    try:
        count = await console.queue.add_note(who.id, cid, text)
    except HandoffError as error:
        refuse(error)
    await console.audit.record("note", agent=who.id, ticket=cid, ip=client_ref(request))
    return {"notes": count}


class TransferIn(BaseModel):
    """Hand the chat on to an agent or to anyone with a skill."""

    token: int = Field(ge=1)
    to_agent: str | None = Field(default=None, max_length=64)
    to_skill: str | None = Field(default=None, max_length=40)
    note: str = Field(default="", max_length=4000)


@router.post("/chats/{cid}/transfer")
async def transfer_chat(
    cid: str, body: TransferIn, request: Request, console: ConsoleDep, who: Acting
) -> dict[str, Any]:
    """Transfer to another agent (who joins at once) or to the queue for a skill."""
    if bool(body.to_agent) == bool(body.to_skill):
        _fail(422, "invalid", "give exactly one of to_agent or to_skill")
    ticket = await on_held(
        console,
        request,
        who,
        cid,
        "transfer",
        lambda: console.conversations.transfer(
            who.id,
            cid,
            body.token,
            to_agent=body.to_agent or None,
            to_skill=body.to_skill or None,
            note=body.note.strip(),
        ),
        lambda _: f"to {body.to_agent or 'skill ' + str(body.to_skill)}",
    )
    return {"ticket": ticket_dict(ticket, who)}


class TokenIn(BaseModel):
    """An action that needs only the claim's token and an optional text."""

    token: int = Field(ge=1)
    text: str = Field(default="", max_length=4000)


async def _let_go(
    console: Console,
    request: Request,
    who: Principal,
    cid: str,
    body: TokenIn,
    action: str,
    step: Callable[[str, str, int, str], Awaitable[T]],
) -> T:
    """``step`` (release or resolve) of the held chat, with the body's token and
    closing words (``on_held``)."""
    text = body.text.strip()
    return await on_held(
        console, request, who, cid, action, lambda: step(who.id, cid, body.token, text)
    )


@router.post("/chats/{cid}/release")
async def release_chat(
    cid: str, body: TokenIn, request: Request, console: ConsoleDep, who: Acting
) -> dict[str, Any]:
    """Give the chat back to the queue."""
    ticket = await _let_go(
        console, request, who, cid, body, "release", console.conversations.release
    )
    return {"ticket": ticket_dict(ticket, who)}


@router.post("/chats/{cid}/resolve")
async def resolve_chat(
    cid: str, body: TokenIn, request: Request, console: ConsoleDep, who: Acting
) -> dict[str, Any]:
    """Close the chat: the bot welcomes the customer back and asks for ratings."""
    resolved = await _let_go(
        console, request, who, cid, body, "resolve", console.conversations.resolve
    )
    return {
        "ticket": ticket_dict(resolved.ticket, who),
        "break_suggested": resolved.break_suggested,
        "break_minutes": resolved.break_minutes,
    }
