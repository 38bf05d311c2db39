"""Empathy QA: an automatic scorecard for every bot and agent reply.

Five criteria, each met or not, with the reason a person can check:

- **acknowledged**: an upset customer's feeling is named or an apology given (met
  when the customer was not upset: nothing to acknowledge);
- **reflected**: the reply takes up the customer's concern (shares a content word with
  what they last wrote, or names the order/invoice they mean);
- **specific**: concrete help: a number, a time, or a commitment ("I'll", "I've sent");
- **personal**: speaks to this person (their name, or "I" to "you"), not a form letter;
- **calm**: no shouting, blaming, dismissive words or exclamation runs (the tone check).

The score is the share of criteria met (0-1). Supervisors see it per agent, for the bot
and per day on the dashboard (``empathy_summary``), and per reply in the conversation
view.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.console.assist import ACKNOWLEDGE, UPSET, first_name, keywords, tone
from bot.handoff import Ticket
from bot.transcript import Author, Entry, Kind, Transcript

CRITERIA = ("acknowledged", "reflected", "specific", "personal", "calm")
SPECIFIC = re.compile(
    r"\d|\b(today|tomorrow|tonight|this (morning|afternoon|evening|week)|"
    r"within|by (monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"i'?ll|i will|i'?ve|i have|i'?m (checking|sending|arranging|looking))\b",
    re.IGNORECASE,
)
FIRST_PERSON = re.compile(r"\b(i|i'm|i'll|i've|me|my)\b", re.IGNORECASE)
SECOND_PERSON = re.compile(r"\b(you|your|you're|you've)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Scorecard:
    """How one reply did on the five criteria."""

    met: dict[str, bool]

    @property
    def score(self) -> float:
        """Share of criteria met, 0-1."""
        return round(sum(self.met.values()) / len(self.met), 3)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"score": self.score, "met": dict(self.met)}


def scorecard(
    reply: str,
    customer_text: str,
    emotion: str = "neutral",
    intensity: float = 0.0,
    name: str = "",
    details: tuple[str, ...] = (),
) -> Scorecard:
    """Score a reply to what the customer last wrote (and how they felt)."""
    upset = emotion in UPSET and intensity >= 0.3
    said = keywords(customer_text)
    answered = keywords(reply)
    warnings = {w["code"] for w in tone(reply, emotion, intensity)}
    return Scorecard(
        {
            "acknowledged": not upset or bool(ACKNOWLEDGE.search(reply)),
            "reflected": bool(said & answered)
            or any(d and d in reply for d in details),
            "specific": bool(SPECIFIC.search(reply)),
            "personal": bool(name and name in reply)
            or bool(FIRST_PERSON.search(reply) and SECOND_PERSON.search(reply)),
            "calm": not warnings & {"all_caps", "blame", "dismissive", "exclamations"},
        }
    )


def score_transcript(
    entries: list[Entry], name: str = "", details: tuple[str, ...] = ()
) -> dict[str, Scorecard]:
    """Scorecards of the bot and agent messages that answer a customer, by entry id."""
    cards: dict[str, Scorecard] = {}
    last_customer: Entry | None = None
    for entry in entries:
        if entry.author is Author.CUSTOMER:
            last_customer = entry
            continue
        if (
            entry.author in (Author.AGENT, Author.BOT)
            and entry.kind in (Kind.MESSAGE, Kind.HANDOFF)
            and last_customer is not None
            and entry.text
        ):
            mark = last_customer.emotion or {}
            cards[entry.id] = scorecard(
                entry.text,
                last_customer.text,
                str(mark.get("label", "neutral")),
                float(mark.get("intensity", 0.0) or 0.0),
                name,
                details,
            )
    return cards


# -- per agent, bot and day -------------------------------------------------------

QA_TICKETS = 200  # the latest handoffs whose replies are scored
QA_ENTRIES = 500  # transcript entries read per conversation


async def empathy_summary(
    transcript: Transcript, tickets: list[Ticket]
) -> dict[str, Any]:
    """Automatic empathy scores of bot and agent replies in the latest handoffs: mean
    score and the share meeting each criterion, for the bot, per agent and per day."""
    latest = sorted(tickets, key=lambda t: t.created_at or 0, reverse=True)
    seen: set[str] = set()
    cards: dict[str, list[Scorecard]] = defaultdict(list)
    days: dict[str, list[float]] = defaultdict(list)
    for ticket in latest:
        if ticket.id in seen or len(seen) >= QA_TICKETS:
            continue
        seen.add(ticket.id)
        entries = await transcript.last(ticket.id, QA_ENTRIES)
        details = tuple(
            str(ticket.slots.get(k) or "") for k in ("order_id", "invoice_id")
        )
        scored = score_transcript(entries, first_name(ticket.customer.name), details)
        for entry in entries:
            if card := scored.get(entry.id):
                who = "bot" if entry.author is Author.BOT else entry.agent_id or "agent"
                cards[who].append(card)
                days[_day(entry.at)].append(card.score)

    def block(found: list[Scorecard]) -> dict[str, Any]:
        return {
            "replies": len(found),
            "score": _mean([c.score for c in found]),
            "criteria": {
                c: round(sum(card.met[c] for card in found) / len(found), 3)
                for c in CRITERIA
            }
            if found
            else {},
        }

    return {
        "bot": block(cards.pop("bot", [])),
        "agents": {who: block(found) for who, found in sorted(cards.items())},
        "days": [
            {"day": day, "score": _mean(scores), "replies": len(scores)}
            for day, scores in sorted(days.items())
        ][-14:],
        "conversations": len(seen),
    }


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 3) if values else None


def _day(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d")
