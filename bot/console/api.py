"""The console's JSON API about the agent and the queue (``/console/api``).

``GET me`` (account, CSRF token, presence, held chats), ``POST presence`` (online or
away), ``POST heartbeat``, ``GET queue`` (every waiting chat, best first), ``GET
agents`` (for transfers; load details for supervisors) and ``GET audit`` (supervisors).
The chat actions are in chats.py.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from bot.console.deps import (
    Acting,
    ConsoleDep,
    SignedIn,
    Supervising,
    fail,
)
from bot.console.views import agent_dict, queue_items
from bot.handoff import Agent, HandoffError, UnknownAgent

router = APIRouter(prefix="/console/api")


async def me_dict(console: ConsoleDep, who: SignedIn) -> dict[str, Any]:
    """The signed-in agent, their presence and the chats they hold."""
    try:
        view = await console.queue.agent(who.id)
    except UnknownAgent:
        # An account whose agent record vanished (e.g. a flushed queue): re-register.
        a = who.account
        await console.queue.register_agent(
            Agent(id=a.id, name=a.name, capacity=a.capacity, skills=a.skills)
        )
        view = await console.queue.agent(who.id)
    chats = await console.queue.tickets(list(view.chats))
    return {
        "account": who.account.to_dict(),
        "csrf": who.session.csrf,
        "presence": agent_dict(view, detail=True),
        "break_minutes": console.queue.config.break_minutes,
        "chats": [
            {
                "id": t.id,
                "customer_name": t.customer.name,
                "channel": t.channel,
                "emotion": t.emotion.label,
                "intensity": t.emotion.intensity,
                "token": t.token,
            }
            for t in chats
            if t.agent_id == who.id
        ],
    }


@router.get("/me")
async def get_me(console: ConsoleDep, who: SignedIn) -> dict[str, Any]:
    """Who is signed in, with the CSRF token their page sends back."""
    return await me_dict(console, who)


class PresenceIn(BaseModel):
    """A presence change."""

    status: Literal["online", "away"]


@router.post("/presence")
async def post_presence(
    body: PresenceIn, console: ConsoleDep, who: Acting
) -> dict[str, Any]:
    """Go online (take chats) or away (a break)."""
    await console.queue.set_presence(who.id, body.status)
    return await me_dict(console, who)


@router.post("/heartbeat")
async def post_heartbeat(console: ConsoleDep, who: Acting) -> dict[str, Any]:
    """Keep presence and chat leases alive (the WebSocket does this by itself)."""
    try:
        beat = await console.queue.heartbeat(who.id)
    except HandoffError as error:
        fail(409, "heartbeat", str(error))
    return {"status": beat.status.value, "renewed": beat.renewed, "lost": beat.lost}


@router.get("/queue")
async def get_queue(console: ConsoleDep, who: SignedIn) -> dict[str, Any]:
    """Every waiting chat, best first."""
    return {"items": await queue_items(console)}


@router.get("/agents")
async def get_agents(console: ConsoleDep, who: SignedIn) -> dict[str, Any]:
    """Agents with presence and load (transfer targets)."""
    views = await console.queue.agents()
    detail = who.account.supervisor
    return {"agents": [agent_dict(v, detail=detail) for v in views]}


@router.get("/audit")
async def get_audit(
    console: ConsoleDep,
    who: Supervising,
    before: str = Query("+", max_length=40, pattern=r"^(\+|\d+(-\d+)?)$"),
    count: int = Query(200, ge=1, le=1000),
) -> dict[str, Any]:
    """The newest audit entries (supervisors)."""
    return {"entries": await console.audit.read(before, count)}
