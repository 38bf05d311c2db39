"""Peer review of empathy: colleagues and supervisors rate sampled agent replies on the
same five-criteria scorecard as the automatic check (empathy.py).

``GET /console/api/qa/sample`` picks a random agent reply from a recently resolved chat
that the caller did not write and has not rated, with the customer message it answers
and the automatic scorecard. ``POST /console/api/qa/ratings`` stores the caller's
scorecard (once per reply and rater; never their own reply). Ratings live in the hash
``{es}:qa:ratings`` for the retention period (RETENTION_DAYS, like the transcripts
they quote); the dashboard's empathy summary shows their mean per agent.
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from bot.console.deps import Acting, Console, ConsoleDep, SignedIn, client_ref, fail
from bot.console.empathy import CRITERIA, Scorecard, score_transcript
from bot.console.views import reply_context
from bot.handoff.keys import valid_id
from bot.transcript import Author, Entry

router = APIRouter(prefix="/console/api/qa")
SAMPLE_TICKETS = 50  # recently resolved chats a sample is drawn from


def _key(conversation: str, entry: str, rater: str) -> str:
    return f"{conversation} {entry} {rater}"


async def ratings(console: Console) -> dict[str, dict[str, Any]]:
    """Every rating within the retention period (RETENTION_DAYS), by key; older
    ones are deleted on the way."""
    cutoff = time.time() - console.settings.retention_s
    found, old = {}, []
    for key, raw in (await console.redis.hgetall(console.keys.qa_ratings)).items():
        record = json.loads(raw)
        if float(record.get("at") or 0) < cutoff:
            old.append(key)
        else:
            found[key] = record
    if old:
        await console.redis.hdel(console.keys.qa_ratings, *old)
    return found


async def _rated_by(console: Console, rater: str) -> set[tuple[str, str]]:
    done = set()
    for field in await ratings(console):
        conversation, entry, who = field.split(" ")
        if who == rater:
            done.add((conversation, entry))
    return done


@router.get("/sample")
async def get_sample(console: ConsoleDep, who: SignedIn) -> dict[str, Any]:
    """A colleague's reply to rate, with the customer message it answers."""
    resolved = await console.queue.resolved()
    done = await _rated_by(console, who.id)
    candidates: list[tuple[Any, Entry, Entry, Scorecard]] = []
    for ticket in resolved[:SAMPLE_TICKETS]:
        entries = await console.transcript.last(ticket.id, 200)
        cards = score_transcript(entries, *reply_context(ticket))
        previous: Entry | None = None
        for entry in entries:
            if entry.author is Author.CUSTOMER:
                previous = entry
            elif (
                entry.id in cards
                and entry.author is Author.AGENT
                and entry.agent_id != who.id
                and (ticket.id, entry.id) not in done
                and previous is not None
            ):
                candidates.append((ticket, previous, entry, cards[entry.id]))
    if not candidates:
        fail(404, "nothing_to_rate", "no colleague's reply is waiting for a rating")
    ticket, asked, answer, card = random.choice(candidates)  # noqa: S311 - not a secret
    return {
        "conversation": ticket.id,
        "entry": answer.id,
        "agent": answer.agent_name or answer.agent_id,
        "customer": {"text": asked.text, "emotion": asked.emotion},
        "reply": answer.text,
        "automatic": card.to_dict(),
        "criteria": list(CRITERIA),
    }


class RatingIn(BaseModel):
    """A person's scorecard of one agent reply."""

    conversation: str = Field(min_length=1, max_length=200)
    entry: str = Field(min_length=3, max_length=40, pattern=r"^\d+-\d+$")
    met: dict[str, bool]
    comment: str = Field(default="", max_length=1000)


@router.post("/ratings", status_code=201)
async def post_rating(
    body: RatingIn, request: Request, console: ConsoleDep, who: Acting
) -> dict[str, Any]:
    """Rate a colleague's reply on the five criteria."""
    if set(body.met) != set(CRITERIA):
        fail(422, "invalid", f"met needs exactly: {', '.join(CRITERIA)}")
    if not valid_id(body.conversation):
        fail(422, "invalid_id", "that is not a conversation id")
    found = await console.redis.xrange(
        console.keys.transcript(body.conversation), min=body.entry, max=body.entry
    )
    raw = found[0][1] if found else {}
    if raw.get("author") != Author.AGENT.value:
        fail(404, "unknown_entry", "no agent reply with that id in this chat")
    if raw.get("agent_id") == who.id:
        fail(403, "own_reply", "rate a colleague's reply, not your own")
    card = Scorecard({c: body.met[c] for c in CRITERIA})
    record = {
        "conversation": body.conversation,
        "entry": body.entry,
        "agent": raw.get("agent_id", ""),
        "rater": who.id,
        "role": who.account.role.value,
        "met": card.met,
        "score": card.score,
        "comment": body.comment.strip(),
        "at": time.time(),
    }
    key = _key(body.conversation, body.entry, who.id)
    await ratings(console)  # expired ones out (a reply rated long ago: rate anew)
    pipe = console.redis.pipeline(transaction=True)
    pipe.hsetnx(console.keys.qa_ratings, key, json.dumps(record))
    pipe.expire(console.keys.qa_ratings, console.settings.retention_s)
    stored, _ = await pipe.execute()
    if not stored:
        fail(409, "already_rated", "you rated this reply already")
    await console.audit.record(
        "qa_rating",
        agent=who.id,
        ticket=body.conversation,
        ip=client_ref(request),
        detail=body.entry,
    )
    return {"rating": record}


async def peer_summary(console: Console) -> dict[str, dict[str, Any]]:
    """People's ratings per rated agent: count, mean score, share per criterion."""
    by_agent: dict[str, list[dict[str, Any]]] = {}
    for record in (await ratings(console)).values():
        by_agent.setdefault(record["agent"], []).append(record)
    out = {}
    for agent, records in sorted(by_agent.items()):
        out[agent] = {
            "ratings": len(records),
            "score": round(sum(r["score"] for r in records) / len(records), 3),
            "criteria": {
                c: round(sum(bool(r["met"].get(c)) for r in records) / len(records), 3)
                for c in CRITERIA
            },
        }
    return out
