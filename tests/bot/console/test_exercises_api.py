"""Emotion-recognition exercises and skill assessments through the console API, on
the real stack (the action server's analyzer included): an answer graded and compared
with the analyzer and colleagues, bad input refused with a clear error (nothing
stored), real customer messages only when a supervisor switched them on (redacted),
and skills that agents see only for themselves."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.console.exercises import AGREEMENT_MIN, examples
from bot.handoff.keys import Keys
from bot.rediskeys import EXERCISE_TTL_S
from bot.settings import Settings
from bot.transcript import Transcript
from tests.bot.console.conftest import ConsoleClient, Maker

pytestmark = pytest.mark.stack

RIGHT = {"emotion": "frustration", "intensity": 0.9, "about": "delivery"}


def answer(client: ConsoleClient, exercise: str, body: dict[str, Any]) -> Any:
    response = client.post(f"/console/api/exercises/{exercise}/answers", body)
    assert response.status_code == 201, response.text
    return response.json()


def error(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    if isinstance(detail, dict):
        assert detail["error"] == code
        return str(detail["message"])
    return str(detail)


def test_the_library_has_our_own_examples() -> None:
    found = examples()
    assert len(found) >= 20
    assert {e.emotion for e in found.values()} >= {"anger", "anxiety", "joy"}
    assert all(e.cues for e in found.values())


async def test_an_answer_is_graded_and_compared(
    make_account: Maker,
    clients: Callable[..., ConsoleClient],
    rds: aioredis.Redis,
    stack_settings: Settings,
) -> None:
    # the stack is shared with the browser test, which answers this exercise too:
    # its answers start empty here
    keys = Keys(stack_settings.redis_prefix)
    await rds.delete(keys.exercise_answers("third_time_caps"))
    trainees = [clients().login(*(await make_account("agent"))) for _ in range(3)]
    listed = trainees[0].get("/console/api/exercises").json()
    ids = [e["id"] for e in listed["exercises"]]
    assert "third_time_caps" in ids and listed["answered"] == []
    assert "neutral" in listed["emotions"] and "delivery" in listed["about"]
    assert set(listed["exercises"][0]) == {"id", "text", "source"}  # no answer shown

    first = answer(trainees[0], "third_time_caps", RIGHT)
    assert first["score"] == 100
    assert first["right"] == {"emotion": True, "intensity": True, "about": True}
    analyzer = first["analyzer"]
    assert analyzer["available"] and analyzer["emotion"] == "frustration"
    reasons = " ".join(analyzer["reasons"])
    assert "ALL CAPS" in reasons and "third time" in reasons
    assert any("Capitals" in c for c in first["exercise"]["cues"])
    assert first["colleagues"] == {"answers": 1, "shown": False, "needed": 3}

    wrong = {"emotion": "anger", "intensity": 0.2, "about": "delivery"}
    second = answer(trainees[1], "third_time_caps", wrong)
    assert second["score"] == 25 and second["right"]["emotion"] is False
    assert not second["colleagues"]["shown"]
    third = answer(trainees[2], "third_time_caps", RIGHT)
    agreed = third["colleagues"]
    assert agreed["shown"] and agreed["answers"] == AGREEMENT_MIN
    assert agreed["emotions"] == {"frustration": 2, "anger": 1}
    assert agreed["most_said"] == "frustration" and agreed["same_as_me"] == 0.667

    hedged = answer(
        trainees[0],
        "refund_hedged",
        {"emotion": "anxiety", "intensity": 0.5, "about": "billing"},
    )
    assert hedged["score"] == 75 and hedged["right"]["about"] is False
    assert any("softened" in r for r in hedged["analyzer"]["reasons"])
    again = trainees[0].get("/console/api/exercises").json()["answered"]
    assert again == ["refund_hedged", "third_time_caps"]
    k = Keys(stack_settings.redis_prefix)
    assert 0 < await rds.ttl(k.exercise_answers("third_time_caps")) <= EXERCISE_TTL_S
    assert 0 < await rds.ttl(k.exercise_mine(trainees[0].name)) <= EXERCISE_TTL_S

    skills = trainees[0].get(f"/console/api/skills/{trainees[0].name}").json()
    assert skills["overall"]["exercises"] == 87.5
    assert skills["weeks"][-1]["counts"]["exercises"] == 2


async def test_bad_answers_get_a_clear_error_and_store_nothing(
    make_account: Maker,
    clients: Callable[..., ConsoleClient],
    rds: aioredis.Redis,
    stack_settings: Settings,
) -> None:
    trainee = clients().login(*(await make_account("agent")))
    said = error(
        trainee.post("/console/api/exercises/moon_landing/answers", RIGHT),
        404,
        "unknown_exercise",
    )
    assert "moon_landing" in said
    # a real message's id while that source is off: unknown too
    error(
        trainee.post("/console/api/exercises/r0123456789abcdef/answers", RIGHT),
        404,
        "unknown_exercise",
    )
    for intensity in (1.5, -0.1, "very"):
        response = trainee.post(
            "/console/api/exercises/lost_button/answers",
            {**RIGHT, "intensity": intensity},
        )
        assert response.status_code == 422, (intensity, response.text)
        assert "intensity" in response.text
    said = error(
        trainee.post(
            "/console/api/exercises/lost_button/answers",
            {**RIGHT, "emotion": "hangry"},
        ),
        422,
        "invalid_emotion",
    )
    assert "frustration" in said
    error(
        trainee.post(
            "/console/api/exercises/lost_button/answers", {**RIGHT, "about": "cats"}
        ),
        422,
        "invalid_about",
    )
    assert trainee.post("/console/api/exercises/lost_button/answers").status_code == (
        422
    )
    no_csrf = trainee.http.post(
        "/console/api/exercises/lost_button/answers", json=RIGHT
    )
    error(no_csrf, 403, "csrf")
    k = Keys(stack_settings.redis_prefix)
    assert await rds.hget(k.exercise_answers("lost_button"), trainee.name) is None
    assert await rds.exists(k.exercise_mine(trainee.name)) == 0
    assert clients().get("/console/api/exercises").status_code == 401


async def test_real_messages_only_when_a_supervisor_switches_them_on(
    make_account: Maker,
    clients: Callable[..., ConsoleClient],
    queued_chat: Maker,
    transcript: Transcript,
) -> None:
    agent = clients().login(*(await make_account("agent")))
    supervisor = clients().login(*(await make_account("supervisor")))
    agent.online()
    text = "I am FURIOUS, call me on 07700 900123 or mail ann@example.com"
    cid = await queued_chat(name="Ann", text=text, label="anger", intensity=0.9)
    entries = await transcript.read(cid)
    await transcript.annotate(cid, entries[0].id, {"label": "anger", "intensity": 0.9})
    token = agent.post(f"/console/api/chats/{cid}/claim").json()["token"]
    agent.post(f"/console/api/chats/{cid}/resolve", {"token": token})

    def reals(client: ConsoleClient) -> list[dict[str, Any]]:
        listed = client.get("/console/api/exercises").json()["exercises"]
        return [e for e in listed if e["source"] == "real"]

    assert reals(agent) == []
    switch = agent.post("/console/api/exercises/sources", {"real": True})
    error(switch, 403, "forbidden")
    try:
        on = supervisor.post("/console/api/exercises/sources", {"real": True})
        assert on.status_code == 200 and on.json()["real"] is True
        found = [e for e in reals(agent) if "FURIOUS" in e["text"]]
        assert len(found) == 1
        shown = found[0]["text"]
        assert "07700" not in shown and "ann@example.com" not in shown
        graded = answer(
            agent, found[0]["id"], {**RIGHT, "emotion": "anger", "about": "other"}
        )
        assert graded["score"] == 100 and graded["right"]["about"] is None
        assert graded["exercise"]["text"] == shown
    finally:
        supervisor.post("/console/api/exercises/sources", {"real": False})
    assert reals(agent) == []
    error(
        agent.post(f"/console/api/exercises/{found[0]['id']}/answers", RIGHT),
        404,
        "unknown_exercise",
    )
    audit = supervisor.get("/console/api/audit").json()["entries"]
    switched = [e for e in audit if e.get("action") == "exercise_sources"]
    assert [e["detail"] for e in switched[:2]] == ["real=off", "real=on"]


async def test_agents_see_only_their_own_skills(
    make_account: Maker, clients: Callable[..., ConsoleClient]
) -> None:
    agent = clients().login(*(await make_account("agent")))
    other = clients().login(*(await make_account("agent")))
    supervisor = clients().login(*(await make_account("supervisor")))
    mine = agent.get(f"/console/api/skills/{agent.name}")
    assert mine.status_code == 200 and mine.json()["weeks"] == []
    assert set(mine.json()["trend"]) == {"practice", "exercises", "automatic", "peer"}
    said = error(agent.get(f"/console/api/skills/{other.name}"), 403, "not_yours")
    assert "own" in said
    error(agent.get("/console/api/skills"), 403, "forbidden")
    error(supervisor.get("/console/api/skills/nobody-here"), 404, "unknown_agent")
    assert supervisor.get(f"/console/api/skills/{other.name}").status_code == 200
    team = supervisor.get("/console/api/skills").json()["team"]
    assert {agent.name, other.name} <= {a["agent"] for a in team}
    audit = supervisor.get("/console/api/audit").json()["entries"]
    refused = [e for e in audit if e.get("detail") == f"skills {other.name}"]
    assert [e["agent"] for e in refused] == [agent.name]
    assert [e["outcome"] for e in refused] == ["not_yours"]
    assert clients().get(f"/console/api/skills/{agent.name}").status_code == 401
    for page in ("/console/exercises", "/console/skills"):
        assert agent.get(page).status_code == 200
        assert clients().get(page).status_code == 303
    assert json.loads(json.dumps(team))  # JSON-ready
