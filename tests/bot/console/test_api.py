"""The console API and live socket on the real stack: the authorisation matrix, claim →
reply → the customer's widget, stale tokens, resolve → rating request, the audit log,
and bad input."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
import redis.asyncio as aioredis
import websockets
from websockets.asyncio.client import ClientConnection

from bot.handoff import HandoffQueue, TicketState
from bot.transcript import Author, Entry, Transcript
from tests.bot.console.conftest import ConsoleClient, Maker, escalate

pytestmark = pytest.mark.stack


def ws_url(gateway_url: str, path: str) -> str:
    return gateway_url.replace("http://", "ws://") + path


async def console_ws(
    gateway_url: str, client: ConsoleClient | None, origin: str | None = None
) -> ClientConnection:
    headers: dict[str, str] = {}
    if client is not None:
        cookie = "; ".join(f"{k}={v}" for k, v in client.http.cookies.items())
        headers["Cookie"] = cookie
    return await websockets.connect(
        ws_url(gateway_url, "/console/ws"),
        additional_headers=headers,
        origin=origin or gateway_url,  # type: ignore[arg-type]
    )


async def next_frame(
    ws: ClientConnection, match: Callable[[dict[str, Any]], bool], timeout: float = 30
) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if match(frame):
                return frame


@pytest.fixture
async def team(
    make_account: Maker, clients: Callable[..., ConsoleClient]
) -> dict[str, ConsoleClient]:
    """A holder, another agent and a supervisor, signed in and online."""
    signed: dict[str, ConsoleClient] = {}
    for role_name, role in (
        ("holder", "agent"),
        ("other", "agent"),
        ("supervisor", "supervisor"),
    ):
        name, password = await make_account(role, skills=frozenset({"billing"}))
        client = clients().login(name, password)
        client.online()
        signed[role_name] = client
    signed["anonymous"] = clients()
    return signed


def claim(client: ConsoleClient, cid: str) -> int:
    response = client.post(f"/console/api/chats/{cid}/claim")
    assert response.status_code == 200, response.text
    return int(response.json()["token"])


WHO = ("anonymous", "other", "supervisor", "holder")  # the holder acts last


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        ("GET", "me", None, (401, 200, 200, 200)),
        ("GET", "queue", None, (401, 200, 200, 200)),
        ("GET", "agents", None, (401, 200, 200, 200)),
        ("GET", "audit", None, (401, 403, 200, 403)),
        ("GET", "chats/{cid}", None, (401, 403, 200, 200)),
        ("GET", "chats/{cid}/suggestions", None, (401, 403, 200, 200)),
        ("POST", "presence", {"status": "online"}, (401, 200, 200, 200)),
        ("POST", "heartbeat", {}, (401, 200, 200, 200)),
        ("POST", "chats/{cid}/claim", {}, (401, 403, 403, 409)),
        ("POST", "chats/{cid}/messages", {"text": "Hello"}, (401, 403, 403, 201)),
        ("POST", "chats/{cid}/notes", {"text": "VIP"}, (401, 403, 201, 201)),
        ("POST", "chats/{cid}/transfer", {"to_skill": "billing"}, (401, 403, 403, 200)),
        ("POST", "chats/{cid}/release", {}, (401, 403, 403, 200)),
        ("POST", "chats/{cid}/resolve", {}, (401, 403, 403, 200)),
        ("POST", "assist/tone", {"text": "Sorry!"}, (401, 200, 200, 200)),
        ("POST", "chats/{cid}/propose", {"entry": "1-0"}, (401, 403, 404, 404)),
        ("GET", "assist/proposals", None, (401, 403, 200, 403)),
        ("POST", "assist/proposals/nope/approve", {}, (401, 403, 404, 403)),
        ("GET", "dashboard", None, (401, 403, 200, 403)),
        ("GET", "dashboard/empathy", None, (401, 403, 200, 403)),
        ("GET", "dashboard/handoffs.csv", None, (401, 403, 200, 403)),
        ("GET", "metrics", None, (401, 403, 200, 403)),
        ("POST", "logout", {}, (401, 200, 200, 200)),
    ],
)
async def test_authorisation_matrix(
    team: dict[str, ConsoleClient],
    queued_chat: Maker,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: tuple[int, ...],
) -> None:
    cid = await queued_chat()
    token = claim(team["holder"], cid)
    url = "/console/api/" + path.format(cid=cid)
    for who, status in zip(WHO, expected, strict=True):
        client = team[who]
        if method == "GET":
            response = client.get(url)
        else:
            payload = dict(body or {})
            if "{cid}" in path:
                payload.setdefault("token", token)
                payload["conversation"] = cid
            response = client.post(url, payload)
        assert response.status_code == status, (who, response.text)
        if status == 403 and who != "anonymous":
            assert response.json()["detail"]["error"] in ("held_by_other", "forbidden")


async def test_denials_are_in_the_audit_log(
    team: dict[str, ConsoleClient],
    queued_chat: Maker,
    rds: aioredis.Redis,
    queue: HandoffQueue,
) -> None:
    cid = await queued_chat()
    token = claim(team["holder"], cid)
    denied = team["other"].post(
        f"/console/api/chats/{cid}/messages", {"token": token, "text": "mine now"}
    )
    assert denied.status_code == 403
    team["other"].get("/console/api/audit")
    sent = team["holder"].post(
        f"/console/api/chats/{cid}/messages", {"token": token, "text": "Hi, I'm here"}
    )
    assert sent.status_code == 201
    log = team["supervisor"].get("/console/api/audit?count=100").json()["entries"]
    mine = [e for e in log if e.get("ticket") == cid]
    assert [(e["action"], e["agent"], e["outcome"]) for e in reversed(mine)] == [
        ("claim", team["holder"].name, "ok"),
        ("denied", team["other"].name, "held_by_other"),
        ("reply", team["holder"].name, "ok"),
    ]
    roles = [e for e in log if e["outcome"] == "role"]
    assert any(e["agent"] == team["other"].name for e in roles)
    # append-only: the console has no way to change it
    assert team["supervisor"].http.delete("/console/api/audit").status_code == 405


async def test_claim_reply_reaches_the_customers_widget_then_resolve_asks_for_ratings(
    team: dict[str, ConsoleClient], gateway_url: str, transcript: Transcript
) -> None:
    session, cid = escalate(gateway_url, name="Dana")
    holder = team["holder"]
    queue_now = holder.get("/console/api/queue").json()["items"]
    item = next(i for i in queue_now if i["id"] == cid)
    assert item["customer_name"] == "Dana"
    assert item["emotion"] in ("anger", "frustration")
    assert item["intensity"] > 0.4 and item["reasons"] and item["priority"] > 0
    assert item["channel"] == "api" and item["waiting_s"] >= 0

    async with websockets.connect(ws_url(gateway_url, "/ws/chat")) as widget:
        await widget.send(json.dumps({"type": "hello", "session": session}))
        await next_frame(widget, lambda f: f["type"] == "welcome")
        token = claim(holder, cid)
        joined = await next_frame(
            widget, lambda f: f["type"] == "entry" and f["entry"]["kind"] == "joined"
        )
        assert "joined" in joined["entry"]["text"]
        text = "I'm so sorry about the wait, Dana. Let me look at order 48213 now."
        sent = holder.post(
            f"/console/api/chats/{cid}/messages", {"token": token, "text": text}
        )
        assert sent.status_code == 201, sent.text
        got = await next_frame(
            widget, lambda f: f["type"] == "entry" and f["entry"]["author"] == "agent"
        )
        assert got["entry"]["text"] == text

        view = holder.get(f"/console/api/chats/{cid}").json()
        authors = [e["author"] for e in view["transcript"]]
        assert authors[0] == "customer" and "agent" in authors
        first = view["transcript"][0]
        assert first["emotion"]["label"] in ("anger", "frustration")
        assert view["ticket"]["explanation"].startswith("Escalate")
        assert view["ticket"]["token"] == token and view["ticket"]["mine"] is True

        done = holder.post(f"/console/api/chats/{cid}/resolve", {"token": token})
        assert done.status_code == 200, done.text
        rating = await next_frame(
            widget,
            lambda f: f["type"] == "entry" and f["entry"]["kind"] == "rating_request",
        )
        assert rating["entry"]["data"]["scales"]["csat"] == [1, 5]
    entries = await transcript.read(cid)
    assert [e.kind.value for e in entries][-2:] == ["resolved", "rating_request"]
    again = holder.post(
        f"/console/api/chats/{cid}/messages", {"token": token, "text": "x"}
    )
    assert again.status_code == 409


async def test_a_stale_token_is_refused_with_409_and_nothing_reaches_the_customer(
    team: dict[str, ConsoleClient], queued_chat: Maker, transcript: Transcript
) -> None:
    cid = await queued_chat()
    holder = team["holder"]
    old = claim(holder, cid)
    released = holder.post(f"/console/api/chats/{cid}/release", {"token": old})
    assert released.status_code == 200
    new = claim(holder, cid)
    assert new > old
    before = len(await transcript.read(cid))
    stale = holder.post(
        f"/console/api/chats/{cid}/messages", {"token": old, "text": "from a stale tab"}
    )
    assert stale.status_code == 409
    assert stale.json()["detail"]["error"] == "stale_token"
    assert len(await transcript.read(cid)) == before
    ok = holder.post(f"/console/api/chats/{cid}/messages", {"token": new, "text": "Hi"})
    assert ok.status_code == 201


async def test_transfer_to_another_agent_moves_the_chat_and_its_token(
    team: dict[str, ConsoleClient], queued_chat: Maker, queue: HandoffQueue
) -> None:
    cid = await queued_chat()
    holder, other = team["holder"], team["other"]
    token = claim(holder, cid)
    moved = holder.post(
        f"/console/api/chats/{cid}/transfer",
        {"token": token, "to_agent": other.name, "note": "billing question"},
    )
    assert moved.status_code == 200, moved.text
    ticket = await queue.ticket(cid)
    assert ticket.agent_id == other.name and ticket.state is TicketState.ASSIGNED
    assert ticket.notes[-1].text == "billing question"
    late = holder.post(
        f"/console/api/chats/{cid}/messages", {"token": token, "text": "x"}
    )
    assert late.status_code == 403
    view = other.get(f"/console/api/chats/{cid}").json()
    assert view["ticket"]["token"] == ticket.token
    reply = other.post(
        f"/console/api/chats/{cid}/messages", {"token": ticket.token, "text": "Hello"}
    )
    assert reply.status_code == 201


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"token": 1}, 422),
        ({"text": "hi"}, 422),
        ({"token": "abc", "text": "hi"}, 422),
        ({"token": 0, "text": "hi"}, 422),
        ({"token": "{token}", "text": ""}, 422),
        ({"token": "{token}", "text": "   \u200b\u202e  "}, 422),
        ({"token": "{token}", "text": "x" * 4001}, 422),
        ({"token": "{token}", "text": "\x00\x01\x02"}, 422),
    ],
)
async def test_bad_replies_get_a_clear_error_and_store_nothing(
    team: dict[str, ConsoleClient],
    queued_chat: Maker,
    transcript: Transcript,
    body: dict[str, Any],
    status: int,
) -> None:
    cid = await queued_chat()
    token = claim(team["holder"], cid)
    payload = {k: (token if v == "{token}" else v) for k, v in body.items()}
    before = len(await transcript.read(cid))
    response = team["holder"].post(f"/console/api/chats/{cid}/messages", payload)
    assert response.status_code == status, response.text
    assert "detail" in response.json() or "error" in response.json()
    assert len(await transcript.read(cid)) == before
    raw = team["holder"].http.post(
        f"/console/api/chats/{cid}/messages",
        content=b"{not json",
        headers={
            "X-CSRF-Token": team["holder"].csrf,
            "Content-Type": "application/json",
        },
    )
    assert raw.status_code in (400, 422)


async def test_unknown_and_malformed_chat_ids(team: dict[str, ConsoleClient]) -> None:
    sup = team["supervisor"]
    assert sup.get("/console/api/chats/nope-unknown").status_code == 404
    assert sup.get("/console/api/chats/" + "x" * 300).status_code == 422
    claim_unknown = team["holder"].post("/console/api/chats/nope-unknown/claim")
    assert claim_unknown.status_code == 404


async def test_the_console_socket_pushes_the_queue_and_new_entries_live(
    team: dict[str, ConsoleClient],
    queued_chat: Maker,
    gateway_url: str,
    transcript: Transcript,
) -> None:
    holder = team["holder"]
    async with await console_ws(gateway_url, holder) as ws:
        await next_frame(ws, lambda f: f["type"] == "queue")
        cid = await queued_chat(name="Live Lou", intensity=0.9, label="anger")
        frame = await next_frame(
            ws,
            lambda f: f["type"] == "queue" and any(i["id"] == cid for i in f["items"]),
            timeout=10,
        )
        assert frame["items"][0]["priority"] >= frame["items"][-1]["priority"]
        token = claim(holder, cid)
        await transcript.append(cid, Entry(Author.CUSTOMER, "are you there??"))
        # the queue without the claimed chat and the new entry come in either order
        seen: dict[str, dict[str, Any]] = {}

        def both(f: dict[str, Any]) -> bool:
            if (
                f["type"] == "entry"
                and f["conversation"] == cid
                and f["entry"]["text"] == "are you there??"
            ):
                seen["entry"] = f
            elif f["type"] == "queue" and all(i["id"] != cid for i in f["items"]):
                seen["gone"] = f
            return len(seen) == 2

        await next_frame(ws, both, timeout=10)
        assert seen["entry"]["entry"]["author"] == "customer"
        await ws.send("not json")
        err = await next_frame(ws, lambda f: f["type"] == "error")
        assert err["code"] == "invalid_json"
        other_cid = await queued_chat()
        claim(team["other"], other_cid)
        await ws.send(json.dumps({"type": "watch", "conversation": other_cid}))
        forbidden = await next_frame(ws, lambda f: f["type"] == "error")
        assert forbidden["code"] == "forbidden"
        assert token


async def test_the_console_socket_refuses_strangers_and_other_sites(
    team: dict[str, ConsoleClient], gateway_url: str
) -> None:
    with pytest.raises(websockets.InvalidStatus):
        await console_ws(gateway_url, None)
    with pytest.raises(websockets.InvalidStatus):
        await console_ws(gateway_url, team["holder"], origin="https://evil.example")


async def test_claim_next_takes_a_waiting_chat_only_when_online(
    team: dict[str, ConsoleClient], queued_chat: Maker, queue: HandoffQueue
) -> None:
    await queued_chat(name="Next Nina")
    assert team["anonymous"].post("/console/api/claim-next").status_code == 401
    other = team["other"]
    other.post("/console/api/presence", {"status": "away"})
    away = other.post("/console/api/claim-next")
    assert away.status_code == 409 and away.json()["detail"]["error"] == "unavailable"
    other.online()
    taken = other.post("/console/api/claim-next")
    assert taken.status_code == 200, taken.text
    ticket = await queue.ticket(taken.json()["ticket"]["id"])
    assert ticket.agent_id == other.name
    assert ticket.token == taken.json()["token"]
