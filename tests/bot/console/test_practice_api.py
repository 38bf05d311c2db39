"""Practice conversations and the phrase guide through the console API, on the real
stack: a practice from start to report, bad input refused with a clear error (and
nothing lost), someone else's practice refused, and a practice that leaves the queue,
the dashboard and every other key of the deployment as they were (a second gateway
on a key prefix of its own, so nothing else writes there while the test looks)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.console.accounts import Accounts
from bot.console.practice import MAX_REPLIES, Practice, answer, start
from bot.console.practice_store import PracticeStore
from bot.console.scenarios import scenarios
from bot.handoff import HandoffQueue
from bot.handoff.keys import Keys
from bot.ops.ports import free_port
from bot.ops.stack import Stack
from bot.rediskeys import PRACTICE_TTL_S, PRACTICES_MAX
from bot.settings import Settings
from tests.bot.console.conftest import ConsoleClient, Maker

pytestmark = pytest.mark.stack

KIND = (
    "I'm so sorry, Maya. I understand how worrying this is with the birthday on "
    "Saturday. I'm checking order 48213 with the carrier right now and I'll tell you "
    "today."
)
CURT = "Just wait, it will come."


def begin(client: ConsoleClient, scenario: str = "late_parcel") -> dict[str, Any]:
    response = client.post("/console/api/practice", {"scenario": scenario})
    assert response.status_code == 201, response.text
    return dict(response.json()["practice"])


def reply(client: ConsoleClient, pid: str, text: str) -> dict[str, Any]:
    response = client.post(f"/console/api/practice/{pid}/replies", {"text": text})
    assert response.status_code == 200, response.text
    return dict(response.json())


def error(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    if isinstance(detail, dict):
        assert detail["error"] == code
        return str(detail["message"])
    return str(detail)


async def test_a_practice_from_the_first_message_to_the_report(
    make_account: Maker,
    clients: Callable[..., ConsoleClient],
    rds: aioredis.Redis,
    stack_settings: Settings,
) -> None:
    trainee = clients().login(*(await make_account("agent")))
    listed = trainee.get("/console/api/practice/scenarios").json()["scenarios"]
    assert len(listed) >= 8 and listed[0]["id"] == "late_parcel"
    assert all(set(s) == {"id", "title", "name", "about", "situation", "emotion"}
               for s in listed)  # fmt: skip
    practice = begin(trainee)
    pid = practice["id"]
    assert practice["mood"] == "upset" and practice["replies_left"] == MAX_REPLIES
    assert practice["turns"][0]["author"] == "customer"
    assert "48213" in practice["turns"][0]["text"]

    worse = reply(trainee, pid, CURT)
    assert worse["reaction"] == "worse" and worse["practice"]["mood"] == "very upset"
    calmer = reply(trainee, pid, KIND)
    assert calmer["reaction"] == "calmer" and calmer["practice"]["mood"] == "upset"
    assert calmer["practice"]["report"] is None
    turns = calmer["practice"]["turns"]
    assert [t["author"] for t in turns] == ["customer", "trainee"] * 2 + ["customer"]

    done = trainee.post(f"/console/api/practice/{pid}/end").json()["practice"]
    assert done["finished"] and done["outcome"] == "ended"
    report = done["report"]
    assert report["score"] == 50
    assert [r["reaction"] for r in report["replies"]] == ["worse", "calmer"]
    assert all("48213" in r["strong"] for r in report["replies"])
    assert trainee.get(f"/console/api/practice/{pid}").json()["practice"] == done

    mine = trainee.get("/console/api/practice").json()["practices"]
    assert mine[0]["id"] == pid and mine[0]["score"] == 50
    k = Keys(stack_settings.redis_prefix)
    assert 0 < await rds.ttl(k.practice(pid)) <= PRACTICE_TTL_S
    assert 0 < await rds.ttl(k.practices(trainee.name)) <= PRACTICE_TTL_S


async def test_bad_input_gets_a_clear_error_and_loses_nothing(
    make_account: Maker, clients: Callable[..., ConsoleClient]
) -> None:
    trainee = clients().login(*(await make_account("agent")))
    said = error(
        trainee.post("/console/api/practice", {"scenario": "moon_landing"}),
        404,
        "unknown_scenario",
    )
    assert "moon_landing" in said and "late_parcel" in said
    assert trainee.post("/console/api/practice", {}).status_code == 422
    for pid in ("p" + "0" * 16, "nope", "p" + "z" * 16):
        error(trainee.get(f"/console/api/practice/{pid}"), 404, "unknown_practice")
        error(
            trainee.post(f"/console/api/practice/{pid}/replies", {"text": "hi"}),
            404,
            "unknown_practice",
        )
    pid = begin(trainee)["id"]
    for blank in ("", "   \n\t", "\u202e\u200b"):
        response = trainee.post(f"/console/api/practice/{pid}/replies", {"text": blank})
        assert response.status_code == 422, (blank, response.text)
    long = "sorry " * 1000
    error(
        trainee.post(f"/console/api/practice/{pid}/replies", {"text": long}),
        422,
        "invalid_text",
    )
    no_csrf = trainee.http.post(
        f"/console/api/practice/{pid}/replies", json={"text": KIND}
    )
    error(no_csrf, 403, "csrf")
    kept = trainee.get(f"/console/api/practice/{pid}").json()["practice"]
    assert len(kept["turns"]) == 1 and kept["replies_left"] == MAX_REPLIES

    reply(trainee, pid, KIND)
    reply(trainee, pid, KIND)  # calmed twice: settled, over
    over = trainee.get(f"/console/api/practice/{pid}").json()["practice"]
    assert over["outcome"] == "settled"
    error(
        trainee.post(f"/console/api/practice/{pid}/replies", {"text": KIND}),
        409,
        "finished",
    )
    error(trainee.post(f"/console/api/practice/{pid}/end"), 409, "finished")
    assert trainee.get(f"/console/api/practice/{pid}").json()["practice"] == over


async def test_someone_elses_practice_is_theirs(
    make_account: Maker, clients: Callable[..., ConsoleClient]
) -> None:
    owner = clients().login(*(await make_account("agent")))
    other = clients().login(*(await make_account("agent")))
    supervisor = clients().login(*(await make_account("supervisor")))
    pid = begin(owner, "bereavement")["id"]
    error(other.get(f"/console/api/practice/{pid}"), 403, "not_yours")
    for who in (other, supervisor):
        error(
            who.post(f"/console/api/practice/{pid}/replies", {"text": KIND}),
            403,
            "not_yours",
        )
        error(who.post(f"/console/api/practice/{pid}/end"), 403, "not_yours")
    seen = supervisor.get(f"/console/api/practice/{pid}").json()["practice"]
    assert seen["agent"] == owner.name and len(seen["turns"]) == 1
    assert other.get("/console/api/practice").json()["practices"] == []
    audit = supervisor.get("/console/api/audit").json()["entries"]
    refused = [e for e in audit if e.get("detail") == f"practice {pid}"]
    assert {e["agent"] for e in refused} == {other.name, supervisor.name}
    assert clients().get(f"/console/api/practice/{pid}").status_code == 401


async def test_the_phrase_guide_lists_the_lexicon_and_the_replies(
    make_account: Maker, clients: Callable[..., ConsoleClient]
) -> None:
    reader = clients().login(*(await make_account("agent")))
    guide = reader.get("/console/api/guide").json()
    by_feeling = {f["emotion"]: f for f in guide["feelings"]}
    assert set(by_feeling) >= {"anger", "frustration", "sadness", "anxiety", "joy"}
    anger = {b["intensity"]: b["terms"] for b in by_feeling["anger"]["bands"]}
    assert "furious" in anger["strong"] and "rude" in anger["clear"]
    assert "seriously" in {
        t for b in by_feeling["frustration"]["bands"] for t in b["terms"]
    }
    assert "extremely" in guide["intensifiers"]
    replies = {r["id"]: s["topic"] for s in guide["situations"] for r in s["replies"]}
    assert replies["charged_twice"] == "billing" and replies["open_calm"] == "any"
    assert len(replies) >= 35
    assert clients().get("/console/api/guide").status_code == 401
    for page in ("/console/practice", "/console/guide"):
        assert reader.get(page).status_code == 200
        assert clients().get(page).status_code == 303


# -- a practice leaves the rest of the deployment as it was -----------------------


@pytest.fixture(scope="module")
def own_settings(stack_settings: Settings) -> Settings:
    """A deployment of its own: its own port and key prefix."""
    return stack_settings.model_copy(
        update={
            "gateway_port": free_port(),
            "redis_prefix": "pr" + secrets.token_hex(4),
        }
    )


@pytest.fixture(scope="module")
def own_gateway(stack: Stack, own_settings: Settings) -> Iterator[str]:
    """A second gateway on that prefix (the stack's Rasa, action server, Redis)."""
    service = stack.add_gateway(own_settings, "gateway-practice")
    yield f"http://127.0.0.1:{own_settings.gateway_port}"
    stack.remove(service)


@pytest.fixture
async def own_redis(own_settings: Settings) -> AsyncIterator[aioredis.Redis]:
    """Redis of that deployment; its keys are removed afterwards."""
    client = aioredis.Redis.from_url(own_settings.redis_url, decode_responses=True)
    yield client
    keys = [
        k
        async for k in client.scan_iter(
            match=Keys(own_settings.redis_prefix).all_pattern
        )
    ]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def snapshot(store: aioredis.Redis, keys: Keys) -> dict[str, Any]:
    """Every key of the deployment but the practices', with its type and size."""
    found = {}
    async for key in store.scan_iter(match=keys.all_pattern):
        if ":practice" in key:
            continue
        kind = await store.type(key)
        size = {
            "zset": store.zcard,
            "set": store.scard,
            "hash": store.hlen,
            "list": store.llen,
            "stream": store.xlen,
            "string": store.strlen,
        }[kind]
        found[key] = (kind, await size(key))
    return found


async def test_a_practice_never_reaches_the_queue_or_the_dashboard(
    own_gateway: str, own_settings: Settings, own_redis: aioredis.Redis
) -> None:
    keys = Keys(own_settings.redis_prefix)
    accounts = Accounts(own_redis, keys, HandoffQueue(own_redis, prefix=keys.prefix))
    await accounts.add("trainee", "trainee password", role="agent")
    await accounts.add("boss", "supervisor password", role="supervisor")
    trainee = ConsoleClient(own_gateway).login("trainee", "trainee password")
    boss = ConsoleClient(own_gateway).login("boss", "supervisor password")
    try:

        def numbers() -> dict[str, Any]:
            board = boss.get("/console/api/dashboard").json()
            return {
                "queue": trainee.get("/console/api/queue").json(),
                "overall": board["overall"],
                "agents": board.get("agents"),
                "empathy": boss.get("/console/api/dashboard/empathy").json(),
                "csv": boss.get("/console/api/dashboard/handoffs.csv").text,
            }

        before = numbers()
        stored = await snapshot(own_redis, keys)
        for scenario in ("late_parcel", "double_charge"):
            pid = begin(trainee, scenario)["id"]
            reply(trainee, pid, KIND)
            if not reply(trainee, pid, CURT)["practice"]["finished"]:
                ended = trainee.post(f"/console/api/practice/{pid}/end")
                assert ended.status_code == 200, ended.text
        # the keys first: the CSV export adds an entry to the audit log
        assert await snapshot(own_redis, keys) == stored
        assert numbers() == before
        practices = [
            k async for k in own_redis.scan_iter(match=keys.tag + ":practice*")
        ]
        assert len(practices) == 3  # two practices and the trainee's list
        assert before["queue"]["items"] == [] and before["overall"]["handoffs"] == 0
    finally:
        trainee.close()
        boss.close()


async def test_a_reply_read_before_another_was_stored_is_refused(
    rds: aioredis.Redis, stack_settings: Settings
) -> None:
    """Two replies sent at once: the second was worked out on the practice as it was
    before the first, so it is not stored (the API answers 409 "changed")."""
    store = PracticeStore(rds, Keys(stack_settings.redis_prefix))
    scenario = scenarios()["late_parcel"]
    practice = start(scenario, "p" + secrets.token_hex(8), "tia", "Tia", 1000.0)
    await store.create(practice)
    found = await store.get(practice.id)
    assert found is not None
    first, read = found
    second = Practice.from_dict(first.to_dict())
    answer(first, scenario, KIND, 1001.0)
    answer(second, scenario, CURT, 1001.0)
    assert await store.replace(first, read)
    assert not await store.replace(second, read)
    kept = await store.get(practice.id)
    assert kept is not None and kept[0].to_dict() == first.to_dict()
    assert 0 < await rds.ttl(store.keys.practice(practice.id)) <= PRACTICE_TTL_S
    await rds.delete(store.keys.practice(practice.id), store.keys.practices("tia"))


async def test_an_agent_keeps_their_latest_practices(
    rds: aioredis.Redis, stack_settings: Settings
) -> None:
    store = PracticeStore(rds, Keys(stack_settings.redis_prefix))
    agent = "keen-" + secrets.token_hex(4)
    scenario = scenarios()["angry_repeat"]
    made = []
    for n in range(PRACTICES_MAX + 2):
        practice = start(
            scenario, "p" + secrets.token_hex(8), agent, "Keen", 1000.0 + n
        )
        await store.create(practice)
        made.append(practice.id)
    kept = await store.of_agent(agent, count=PRACTICES_MAX + 10)
    assert [p.id for p in kept] == made[::-1][:PRACTICES_MAX]
    assert await store.get(made[0]) is None and await store.get(made[1]) is None
    await rds.delete(store.keys.practices(agent), *map(store.keys.practice, made))
