"""Practice conversation routes (``/console/api/practice``), for agents and supervisors.

``GET scenarios`` (the library, without its cues), ``POST /practice`` ``{scenario}``
(start one: the customer's opening message), ``GET /practice`` (the caller's latest,
with outcome and score), ``GET /practice/{id}`` (the chat and mood; the report once
it is over), ``POST /practice/{id}/replies`` ``{text}`` (the trainee's reply and the
customer's reaction) and ``POST /practice/{id}/end``. A practice belongs to whoever
started it: only they reply or end it (403 for anyone else, written to the audit
log); supervisors may read any. See practice.py for how the customer reacts.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from bot.console.assist import library
from bot.console.deps import (
    Acting,
    Console,
    ConsoleDep,
    Principal,
    SignedIn,
    client_ref,
    fail,
)
from bot.console.practice import Practice, answer, end, score, start, view
from bot.console.scenarios import Scenario, scenarios
from bot.inputs import clean_text

router = APIRouter(prefix="/console/api/practice")
PRACTICE_ID = re.compile(r"^p[0-9a-f]{16}$")


class StartIn(BaseModel):
    """Which scenario to practise."""

    scenario: str = Field(min_length=1, max_length=40)


class ReplyIn(BaseModel):
    """The trainee's reply to the simulated customer."""

    text: str = Field(min_length=1, max_length=20_000)


def _scenario(scenario_id: str) -> Scenario:
    found = scenarios().get(scenario_id)
    if found is None:
        known = ", ".join(scenarios())
        fail(404, "unknown_scenario", f"no scenario {scenario_id!r}; known: {known}")
    return found


async def _load(
    console: Console, request: Request, who: Principal, pid: str, *, acting: bool
) -> tuple[Practice, str]:
    """The practice and its stored record; 404 when there is none, 403 when it is
    someone else's (supervisors may read any, but never reply)."""
    found = await console.practices.get(pid) if PRACTICE_ID.match(pid) else None
    if found is None:
        fail(404, "unknown_practice", "there is no such practice (or it expired)")
    practice, raw = found
    if practice.agent != who.id and (acting or not who.account.supervisor):
        await console.audit.record(
            "denied",
            agent=who.id,
            ip=client_ref(request),
            outcome="not_yours",
            detail=f"practice {pid}",
        )
        fail(403, "not_yours", "this practice belongs to someone else")
    return practice, raw


@router.get("/scenarios")
async def get_scenarios(console: ConsoleDep, who: SignedIn) -> dict[str, Any]:
    """The scenario library: who the customer is and what happened."""
    return {"scenarios": [s.brief() for s in scenarios().values()]}


@router.post("", status_code=201)
async def start_practice(
    body: StartIn, console: ConsoleDep, who: Acting
) -> dict[str, Any]:
    """Start a practice chat with the scenario's simulated customer."""
    scenario = _scenario(body.scenario)
    pid = "p" + secrets.token_hex(8)
    practice = start(scenario, pid, who.id, who.account.name, time.time())
    await console.practices.create(practice)
    return {"practice": view(practice, scenario, library())}


@router.get("")
async def get_practices(console: ConsoleDep, who: SignedIn) -> dict[str, Any]:
    """The caller's latest practices with their outcome and score."""
    known = scenarios()
    return {
        "practices": [
            {
                "id": p.id,
                "scenario": p.scenario,
                "title": known[p.scenario].title if p.scenario in known else "",
                "started_at": p.started_at,
                "finished": p.finished,
                "outcome": p.outcome,
                "score": score(p),
            }
            for p in await console.practices.of_agent(who.id)
        ]
    }


@router.get("/{pid}")
async def get_practice(
    pid: str, request: Request, console: ConsoleDep, who: SignedIn
) -> dict[str, Any]:
    """The practice chat, the customer's mood, and the report once it is over."""
    practice, _ = await _load(console, request, who, pid, acting=False)
    return {"practice": view(practice, _scenario(practice.scenario), library())}


@router.post("/{pid}/replies")
async def post_practice_reply(
    pid: str, body: ReplyIn, request: Request, console: ConsoleDep, who: Acting
) -> dict[str, Any]:
    """The trainee's reply; the customer reacts (calmer, same or worse)."""
    try:
        text = clean_text(body.text, console.settings.max_message_chars)
    except ValueError as error:
        fail(422, "invalid_text", f"reply: {error}")
    practice, raw = await _load(console, request, who, pid, acting=True)
    if practice.finished:
        fail(409, "finished", "this practice is over; start a new one")
    scenario = _scenario(practice.scenario)
    found = answer(practice, scenario, text, time.time())
    if not await console.practices.replace(practice, raw):
        fail(409, "changed", "another reply was taken first; reload the practice")
    return {
        "practice": view(practice, scenario, library()),
        "reaction": found.reaction,
    }


@router.post("/{pid}/end")
async def end_practice(
    pid: str, request: Request, console: ConsoleDep, who: Acting
) -> dict[str, Any]:
    """End the practice now and see the report."""
    practice, raw = await _load(console, request, who, pid, acting=True)
    if practice.finished:
        fail(409, "finished", "this practice is over already")
    end(practice, time.time())
    if not await console.practices.replace(practice, raw):
        fail(409, "changed", "the practice changed meanwhile; reload it")
    scenario = _scenario(practice.scenario)
    return {"practice": view(practice, scenario, library())}
