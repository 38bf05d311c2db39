"""What the console shows, as JSON-ready dicts: queue items, chats, transcripts.

Shared by the HTTP API and the console WebSocket so both send the same shapes. Every
string in them is data for ``textContent`` on the page, never markup.
"""

from __future__ import annotations

import time
from typing import Any

from bot.console.assist import first_name
from bot.console.deps import Console, Principal
from bot.console.empathy import score_transcript
from bot.handoff import AgentView, Ticket, TicketState
from bot.rediskeys import CUSTOMER_CONVERSATIONS_MAX
from bot.transcript import Entry

MAX_ENTRIES = 5000
MAX_EARLIER = 20


TELEGRAM_USER = "tg-user-"  # a Telegram customer's ref: their user number (telegram.py)
MAX_LATEST = 160  # characters of the customer's latest message in a queue item


def first_words(text: str, limit: int = MAX_LATEST) -> str:
    """The start of a message on one line, cut at a word with "…" when longer."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut.rstrip(",.;:") + "…"


def customer_handle(ticket: Ticket, handle: str = "") -> str:
    """How the channel names the customer, for people: the handle the channel gave
    (a Telegram @username), else the customer id unless it is only the conversation
    or a Telegram user's number (``tg-user-<id>`` means nothing to an agent)."""
    if handle:
        return handle
    cid = ticket.customer.id
    if cid == ticket.id or cid.startswith(TELEGRAM_USER):
        return ""
    return cid


def queue_item(
    ticket: Ticket,
    now: float,
    aging_per_minute: float,
    latest: str = "",
    handle: str = "",
) -> dict[str, Any]:
    """One waiting chat as the queue list shows it (``latest``: what the customer
    wrote last; ``handle``: their handle on the channel, when it gave one)."""
    return {
        "id": ticket.id,
        "channel": ticket.channel,
        "customer_name": ticket.customer.name,
        "handle": customer_handle(ticket, handle),
        "latest": first_words(latest),
        "topic": ticket.topic,
        "emotion": ticket.emotion.label,
        "intensity": round(float(ticket.emotion.intensity), 3),
        "frustration": ticket.emotion.frustration,
        "reasons": list(ticket.reasons),
        "flags": sorted(str(f) for f in ticket.flags),
        "skill": ticket.skill,
        "queued_at": ticket.queued_at,
        "waiting_s": round(max(0.0, now - ticket.queued_at), 1)
        if ticket.queued_at
        else 0.0,
        "priority": round(ticket.priority_at(now, aging_per_minute), 1),
        "reoffers": ticket.reoffers,
        "flagged": ticket.flagged,
    }


async def queue_items(console: Console) -> list[dict[str, Any]]:
    """Every waiting chat, best first, with the customer's latest words."""
    now = time.time()
    aging = console.queue.config.aging_per_minute
    waiting = await console.queue.waiting()
    ids = [t.id for t in waiting]
    said = await console.transcript.latest_said(ids)
    handles = await console.transcript.handles(ids)
    return [
        queue_item(t, now, aging, said.get(t.id, ""), handles.get(t.id, ""))
        for t in waiting
    ]


def entry_dict(entry: Entry) -> dict[str, Any]:
    """A transcript entry for the console: with its emotion mark and author ids."""
    out = entry.to_dict()
    out["channel"] = entry.channel
    if entry.agent_id:
        out["agent_id"] = entry.agent_id
    if entry.emotion:
        e = entry.emotion
        out["emotion"] = {
            "label": str(e.get("label", "neutral")),
            "intensity": float(e.get("intensity", 0.0) or 0.0),
            "frustration": int(e.get("frustration", 0) or 0),
            "reasons": [str(r) for r in e.get("reasons", []) if isinstance(r, str)][
                :10
            ],
        }
    return out


def ticket_dict(ticket: Ticket, who: Principal) -> dict[str, Any]:
    """A ticket for the console; the fencing token only for the agent holding it."""
    out = ticket.to_dict()
    mine = ticket.state is TicketState.ASSIGNED and ticket.agent_id == who.id
    out["token"] = ticket.token if mine else None
    out["mine"] = mine
    return out


def agent_dict(view: AgentView, *, detail: bool) -> dict[str, Any]:
    """An agent's presence and load (``detail``: emotional load for supervisors)."""
    out: dict[str, Any] = {
        "id": view.agent.id,
        "name": view.agent.name or view.agent.id,
        "status": view.status.value,
        "capacity": view.agent.capacity,
        "skills": sorted(view.agent.skills),
        "chats": len(view.chats),
        "free": view.free,
    }
    if detail:
        out["recent_intense"] = view.recent_intense
        out["intense_run"] = view.intense_run
        out["break_suggested"] = view.break_suggested
    return out


def customer_key(ticket: Ticket, about: dict[str, str]) -> str:
    """Who the customer is across conversations: channel and their reference."""
    ref = about.get("customer_ref") or ticket.customer.id or ticket.id
    return f"{ticket.channel or about.get('channel', '')}:{ref}"


async def remember_customer(
    console: Console, ticket: Ticket, about: dict[str, str]
) -> str:
    """Index the conversation under its customer; returns the customer key."""
    key = console.keys.customer(customer_key(ticket, about))
    first = float(about.get("first_at") or 0) or (ticket.created_at or 0) * 1000
    pipe = console.redis.pipeline(transaction=False)
    pipe.zadd(key, {ticket.id: first or time.time() * 1000}, nx=True)
    pipe.zremrangebyrank(key, 0, -CUSTOMER_CONVERSATIONS_MAX - 1)
    pipe.expire(key, console.settings.retention_s)  # RETENTION_DAYS
    await pipe.execute()
    return key


async def earlier(
    console: Console, ticket: Ticket, about: dict[str, str]
) -> list[dict[str, Any]]:
    """Earlier handoffs of this conversation and other conversations of the customer."""
    found: list[dict[str, Any]] = []
    for old in await console.queue.history(ticket.id):
        found.append(_summary(old, "earlier handoff of this conversation"))
    key = await remember_customer(console, ticket, about)
    others = [
        cid
        for cid in await console.redis.zrevrange(key, 0, MAX_EARLIER)
        if cid != ticket.id
    ]
    for other in await console.queue.tickets(others):
        found.append(_summary(other, "earlier conversation"))
    found.sort(key=lambda s: s["at"] or 0, reverse=True)
    return found[:MAX_EARLIER]


def _summary(ticket: Ticket, what: str) -> dict[str, Any]:
    rating = ticket.rating
    return {
        "conversation": ticket.id,
        "what": what,
        "channel": ticket.channel,
        "state": ticket.state.value,
        "topic": ticket.topic,
        "emotion": ticket.emotion.label,
        "intensity": round(float(ticket.emotion.intensity), 3),
        "resolution": ticket.resolution,
        "agent_id": ticket.last_agent or ticket.agent_id,
        "csat": rating.csat if rating else None,
        "understood": rating.understood if rating else None,
        "at": ticket.resolved_at or ticket.created_at,
    }


def reply_context(ticket: Ticket) -> tuple[str, tuple[str, ...]]:
    """The customer's first name and the chat's order/invoice numbers (empathy QA)."""
    slots = ticket.slots or {}
    details = tuple(str(slots.get(k) or "") for k in ("order_id", "invoice_id"))
    return first_name(ticket.customer.name), details


def may_read(ticket: Ticket, who: Principal) -> bool:
    """Whether the caller may see this chat: supervisors always, agents while it
    waits, while they hold it, or when they handled it last."""
    if who.account.supervisor:
        return True
    if ticket.state is TicketState.QUEUED:
        return True
    return who.id in (ticket.agent_id, ticket.last_agent)


def may_follow(ticket: Ticket, who: Principal) -> bool:
    """Whether the caller may get the chat's new entries live: supervisors always,
    agents while it waits or while they hold it (not once another agent took it,
    it was resolved, or a later handoff of the same customer began)."""
    if who.account.supervisor:
        return True
    if ticket.state is TicketState.QUEUED:
        return True
    return ticket.state is TicketState.ASSIGNED and ticket.agent_id == who.id


async def chat_view(console: Console, ticket: Ticket, who: Principal) -> dict[str, Any]:
    """Everything about one chat for the conversation view."""
    about = await console.transcript.about(ticket.id)
    entries = await console.transcript.read(ticket.id, count=MAX_ENTRIES)
    cards = score_transcript(entries, *reply_context(ticket))
    transcript = []
    for entry in entries:
        item = entry_dict(entry)
        if card := cards.get(entry.id):
            item["empathy"] = card.to_dict()
        transcript.append(item)
    return {
        "ticket": ticket_dict(ticket, who),
        "customer": {
            "name": ticket.customer.name or about.get("customer_name", ""),
            "channel": ticket.channel or about.get("channel", ""),
            "ref": about.get("customer_ref", ""),
            "handle": customer_handle(ticket, about.get("customer_handle", "")),
            "first_at": int(about.get("first_at") or 0) / 1000 or None,
            "last_at": int(about.get("last_at") or 0) / 1000 or None,
        },
        "transcript": transcript,
        "cursor": entries[-1].id if entries else "",
        "earlier": await earlier(console, ticket, about),
        "notes": [
            {"agent_id": n.agent_id, "text": n.text, "at": n.at} for n in ticket.notes
        ],
    }
