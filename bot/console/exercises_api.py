"""Emotion-recognition exercise routes (``/console/api/exercises``).

``GET /exercises``: the exercises (our examples, plus real customer messages from
resolved chats, redacted, when a supervisor switched that source on) and which the
caller answered; ``POST /exercises/{id}/answers`` ``{emotion, intensity, about}``:
the caller's reading, graded (exercises.py), next to the analyzer's (the action
server's ``/emotion``, as the gateway calls it) and colleagues' answers, with the
cues. ``GET``/``POST /exercises/sources`` ``{real}``: whether real messages are used
(supervisors switch it; the switch is audited). Answers are practice data: kept
``EXERCISE_TTL_S`` (bot/rediskeys.py), never in the queue or the dashboards.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from bot.console.deps import (
    Acting,
    Console,
    ConsoleDep,
    SignedIn,
    SupervisorActing,
    client_ref,
    fail,
)
from bot.console.exercises import (
    ABOUT,
    EMOTIONS,
    REAL_ID,
    Answer,
    Exercise,
    agreement,
    band,
    compare_analyzer,
    examples,
    grade,
)
from bot.privacy import redact
from bot.rediskeys import EXERCISE_ANSWERS_MAX, EXERCISE_TTL_S
from bot.transcript import Author

router = APIRouter(prefix="/console/api/exercises")
REAL_TICKETS = 20  # latest resolved chats real messages are taken from
REAL_MAX = 10  # real messages offered at once


class AnswerIn(BaseModel):
    """The trainee's reading of a message."""

    emotion: str = Field(min_length=1, max_length=20)
    intensity: float = Field(ge=0.0, le=1.0)
    about: str = Field(min_length=1, max_length=20)


class SourcesIn(BaseModel):
    """Whether real customer messages may be used."""

    real: bool


async def real_on(console: Console) -> bool:
    """Whether a supervisor switched real customer messages on."""
    return await console.redis.hget(console.keys.exercise_sources, "real") == "1"


async def real_exercises(console: Console) -> list[Exercise]:
    """Customer messages from the latest resolved chats, redacted, each kept as an
    exercise (graded against the analyzer's reading when the message came in)."""
    resolved = await console.queue.resolved()
    found: list[Exercise] = []
    for ticket in resolved[:REAL_TICKETS]:
        for entry in await console.transcript.last(ticket.id, 50):
            mark = entry.emotion or {}
            if entry.author is not Author.CUSTOMER or not mark.get("label"):
                continue
            digest = hashlib.sha256(f"{ticket.id} {entry.id}".encode()).hexdigest()
            exercise = Exercise(
                "r" + digest[:16],
                redact(entry.text),
                str(mark["label"]),
                band(float(mark.get("intensity") or 0.0)),
                "",
                (),
                "real",
            )
            await console.redis.set(
                console.keys.exercise_real(exercise.id),
                json.dumps(exercise.to_dict()),
                ex=EXERCISE_TTL_S,
                nx=True,
            )
            found.append(exercise)
            if len(found) >= REAL_MAX:
                return found
    return found


async def _exercise(console: Console, exercise_id: str) -> Exercise:
    found = examples().get(exercise_id)
    if found is None and REAL_ID.match(exercise_id) and await real_on(console):
        raw = await console.redis.get(console.keys.exercise_real(exercise_id))
        found = Exercise.from_dict(json.loads(raw)) if raw else None
    if found is None:
        fail(404, "unknown_exercise", f"no exercise {exercise_id[:40]!r}")
    return found


@router.get("")
async def get_exercises(console: ConsoleDep, who: SignedIn) -> dict[str, Any]:
    """The exercises, the choices, and which ones the caller answered."""
    real = await real_on(console)
    listed = list(examples().values()) + (await real_exercises(console) if real else [])
    done = await console.redis.zrange(console.keys.exercise_mine(who.id), 0, -1)
    return {
        "exercises": [e.brief() for e in listed],
        "answered": sorted(set(done) & {e.id for e in listed}),
        "emotions": list(EMOTIONS),
        "about": list(ABOUT),
        "real": real,
    }


@router.get("/sources")
async def get_sources(console: ConsoleDep, who: SignedIn) -> dict[str, Any]:
    """Which exercise sources are on."""
    return {"examples": True, "real": await real_on(console)}


@router.post("/sources")
async def post_sources(
    body: SourcesIn, request: Request, console: ConsoleDep, who: SupervisorActing
) -> dict[str, Any]:
    """Switch real customer messages (redacted) on or off (supervisors)."""
    await console.redis.hset(
        console.keys.exercise_sources, "real", "1" if body.real else "0"
    )
    await console.audit.record(
        "exercise_sources",
        agent=who.id,
        ip=client_ref(request),
        detail=f"real={'on' if body.real else 'off'}",
    )
    return {"examples": True, "real": body.real}


@router.post("/{exercise_id}/answers", status_code=201)
async def post_answer(
    exercise_id: str, body: AnswerIn, request: Request, console: ConsoleDep, who: Acting
) -> dict[str, Any]:
    """Answer an exercise: the score, the analyzer's reading, colleagues', the cues."""
    if body.emotion not in EMOTIONS:
        fail(422, "invalid_emotion", f"emotion must be one of: {', '.join(EMOTIONS)}")
    if body.about not in ABOUT:
        fail(422, "invalid_about", f"about must be one of: {', '.join(ABOUT)}")
    exercise = await _exercise(console, exercise_id)
    answer = Answer(body.emotion, round(body.intensity, 3), body.about)
    graded = grade(answer, exercise)
    analysis = await request.app.state.emotion.analyze(exercise.text, [])
    now = time.time()
    record = {
        "agent": who.id,
        "emotion": answer.emotion,
        "intensity": answer.intensity,
        "about": answer.about,
        "score": graded["score"],
        "at": now,
    }
    k = console.keys
    mine = k.exercise_mine(who.id)
    pipe = console.redis.pipeline(transaction=True)
    pipe.hset(k.exercise_answers(exercise.id), who.id, json.dumps(record))
    pipe.expire(k.exercise_answers(exercise.id), EXERCISE_TTL_S)
    pipe.zadd(mine, {exercise.id: now})
    pipe.zremrangebyrank(mine, 0, -EXERCISE_ANSWERS_MAX - 1)
    pipe.expire(mine, EXERCISE_TTL_S)
    pipe.hgetall(k.exercise_answers(exercise.id))
    everyone = (await pipe.execute())[-1]
    return {
        "exercise": exercise.to_dict(),
        "answer": record,
        "right": graded["right"],
        "score": graded["score"],
        "analyzer": compare_analyzer(answer, analysis),
        "colleagues": agreement([json.loads(v) for v in everyone.values()], answer),
    }


async def answers_of(console: Console, agent_id: str) -> list[dict[str, Any]]:
    """The agent's exercise answers still kept (score and time), oldest first."""
    ids = await console.redis.zrange(console.keys.exercise_mine(agent_id), 0, -1)
    if not ids:
        return []
    pipe = console.redis.pipeline(transaction=False)
    for exercise_id in ids:
        pipe.hget(console.keys.exercise_answers(exercise_id), agent_id)
    return [json.loads(raw) for raw in await pipe.execute() if raw]
