"""The agent console under attack (issue 16), on the real stack.

- The live feed (``/console/ws``) follows a chat only while the agent may: it stops
  when another agent claims the chat, when it is resolved, for later handoffs of the
  same customer, and for the oldest watch once a tab watches too many chats.
- Parallel sign-in attempts cannot pass the lock-out: each is counted before its
  password is checked.
- Anonymous refusals (failed sign-ins, missing login token, sockets from other sites)
  are counted in a per-minute summary and cannot flush the audit log.
- A new password (``bot.admin add-agent`` again) signs the account's sessions out.
- The audit log, sessions and lock-outs keep a keyed hash of the client's address,
  never the address.
- The audit log, peer ratings and reply proposals are kept for RETENTION_DAYS only.
- An agent's reply is checked against the claim and written in one atomic step.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import websockets
from websockets.asyncio.client import ClientConnection

from bot.console.accounts import Accounts
from bot.console.audit import Audit
from bot.console.socket import MAX_WATCHED
from bot.handoff import (
    AlreadyResolved,
    Customer,
    EmotionSnapshot,
    HandoffQueue,
    HandoffRequest,
    StaleToken,
)
from bot.handoff.keys import Keys
from bot.privacy import address_key
from bot.settings import ROOT, Settings
from bot.transcript import Author, Entry, Transcript
from tests.bot.console.conftest import CSRF_META, ConsoleClient, random_ip
from tests.polling import until

pytestmark = pytest.mark.stack

Frame = dict[str, Any]


class Tab:
    """One console tab's live socket, keeping every frame it received."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[Frame] = []
        self.taken: set[int] = set()  # frames ``until`` returned
        self.last = 0  # the index of the frame it returned last

    @classmethod
    async def open(cls, gateway_url: str, client: ConsoleClient) -> Tab:
        cookie = "; ".join(f"{k}={v}" for k, v in client.http.cookies.items())
        ws = await websockets.connect(
            gateway_url.replace("http://", "ws://") + "/console/ws",
            additional_headers={"Cookie": cookie},
            origin=gateway_url,  # type: ignore[arg-type]
        )
        return cls(ws)

    async def send(self, frame: Frame) -> None:
        await self.ws.send(json.dumps(frame))

    async def watch(self, *cids: str) -> None:
        """Watch chats; returns once the server has taken the frames in (a pong)."""
        for cid in cids:
            await self.send({"type": "watch", "conversation": cid})
        await self.send({"type": "ping"})
        await self.until(lambda f: f["type"] == "pong")

    async def until(self, match: Callable[[Frame], bool], timeout: float = 30) -> Frame:
        """The first frame that matches and was not returned before, waiting for
        more when none has arrived yet (every frame is kept in ``frames``)."""
        async with asyncio.timeout(timeout):
            index = 0
            while True:
                if index == len(self.frames):
                    self.frames.append(json.loads(await self.ws.recv()))
                if index not in self.taken and match(self.frames[index]):
                    self.taken.add(index)
                    self.last = index
                    return self.frames[index]
                index += 1

    async def entry(self, cid: str, entry_id: str) -> Frame:
        return await self.until(
            lambda f: (
                f["type"] == "entry"
                and f["conversation"] == cid
                and f["entry"]["id"] == entry_id
            )
        )

    async def unwatched(self, cid: str) -> int:
        """Wait for the end of the chat's feed; returns the frame's index."""
        await self.until(
            lambda f: f["type"] == "unwatched" and f["conversation"] == cid
        )
        return self.last

    def entries_of(self, cid: str, since: int = 0) -> list[str]:
        return [
            f["entry"]["text"]
            for f in self.frames[since:]
            if f["type"] == "entry" and f["conversation"] == cid
        ]


@pytest.fixture
async def tabs(gateway_url: str) -> AsyncIterator[Callable[..., Any]]:
    opened: list[Tab] = []

    async def open_tab(client: ConsoleClient) -> Tab:
        tab = await Tab.open(gateway_url, client)
        opened.append(tab)
        await tab.until(lambda f: f["type"] == "me")
        return tab

    yield open_tab
    for tab in opened:
        await tab.ws.close()


@pytest.fixture
def queued(queue: HandoffQueue, transcript: Transcript) -> Callable[..., Any]:
    """Put a conversation in the real queue (what the action server does); the same
    id again is a later handoff of the same customer."""

    async def enqueue(cid: str = "") -> str:
        cid = cid or "c" + secrets.token_hex(8)
        await transcript.append(cid, Entry(Author.CUSTOMER, "I need a person"))
        await queue.enqueue(
            HandoffRequest(
                conversation_id=cid,
                channel="web",
                customer=Customer(cid, "Ann"),
                emotion=EmotionSnapshot("frustration", 0.5, 2),
                topic="track_order",
            )
        )
        return cid

    return enqueue


async def signed_in(console_login: Callable[..., Any], role: str = "agent") -> Any:
    client = await console_login(role)
    await asyncio.to_thread(client.online)
    return client


async def say(transcript: Transcript, cid: str, text: str) -> str:
    entry, _ = await transcript.append(cid, Entry(Author.CUSTOMER, text))
    return entry.id


# -- the live feed ---------------------------------------------------------------------


async def test_a_watcher_loses_the_feed_when_a_colleague_claims_the_chat(
    console_login: Callable[..., Any],
    tabs: Callable[..., Any],
    queued: Callable[..., Any],
    transcript: Transcript,
) -> None:
    watcher = await signed_in(console_login)
    holder = await signed_in(console_login)
    cid, spare = await queued(), await queued()
    tab = await tabs(watcher)
    await tab.watch(cid, spare)
    await tab.entry(cid, await say(transcript, cid, "still waiting"))

    claimed = await asyncio.to_thread(holder.post, f"/console/api/chats/{cid}/claim")
    assert claimed.status_code == 200, claimed.text
    ended = await tab.unwatched(cid)
    await say(transcript, cid, "my address is 1 Secret Lane")
    reply = await asyncio.to_thread(
        holder.post,
        f"/console/api/chats/{cid}/messages",
        {"token": claimed.json()["token"], "text": "Thanks, noted privately"},
    )
    assert reply.status_code == 201, reply.text
    await tab.entry(spare, await say(transcript, spare, "later on another chat"))
    assert tab.entries_of(cid, since=ended) == []

    await tab.send({"type": "watch", "conversation": cid})
    refused = await tab.until(lambda f: f["type"] == "error")
    assert refused["code"] == "forbidden"


async def test_the_feed_ends_at_resolve_and_never_reaches_a_later_handoff(
    console_login: Callable[..., Any],
    tabs: Callable[..., Any],
    queued: Callable[..., Any],
    transcript: Transcript,
    queue: HandoffQueue,
) -> None:
    agent = await signed_in(console_login)
    colleague = await signed_in(console_login)
    cid, spare = await queued(), await queued()
    tab = await tabs(agent)
    await tab.watch(spare)
    claimed = await asyncio.to_thread(agent.post, f"/console/api/chats/{cid}/claim")
    assert claimed.status_code == 200, claimed.text
    await tab.entry(cid, await say(transcript, cid, "hello, are you there?"))

    resolved = await asyncio.to_thread(
        agent.post,
        f"/console/api/chats/{cid}/resolve",
        {"token": claimed.json()["token"]},
    )
    assert resolved.status_code == 200, resolved.text
    ended = await tab.unwatched(cid)

    await queued(cid)  # the same customer asks for a person again a day later
    claim = await queue.claim(colleague.name, cid)
    await say(transcript, cid, "this time it is about my medical parcel")
    await transcript.append(
        cid, Entry(Author.AGENT, "I'll help", agent_id=colleague.name)
    )
    await tab.entry(spare, await say(transcript, spare, "later on another chat"))
    assert tab.entries_of(cid, since=ended) == []
    assert claim.token


async def test_the_oldest_watch_is_dropped_with_its_cursor(
    console_login: Callable[..., Any],
    tabs: Callable[..., Any],
    queued: Callable[..., Any],
    transcript: Transcript,
) -> None:
    supervisor = await signed_in(console_login, "supervisor")
    chats = [await queued() for _ in range(MAX_WATCHED + 1)]
    tab = await tabs(supervisor)
    await tab.watch(*chats)
    ended = await tab.unwatched(chats[0])
    await say(transcript, chats[0], "nobody follows this one any more")
    await tab.entry(chats[-1], await say(transcript, chats[-1], "the newest watch"))
    assert tab.entries_of(chats[0], since=ended) == []


# -- signing in ------------------------------------------------------------------------


async def _attempts(gateway_url: str, logins: list[tuple[str, str, str]]) -> list[int]:
    """Sign-in attempts ``(user, password, address)`` all at once; their statuses."""
    async with httpx.AsyncClient(base_url=gateway_url, timeout=180) as http:
        page = await http.get("/console/login")
        found = CSRF_META.search(page.text)
        assert found
        token = found.group(1)

        async def attempt(user: str, password: str, ip: str) -> int:
            response = await http.post(
                "/console/api/login",
                json={"user": user, "password": password},
                headers={"X-CSRF-Token": token, "X-Forwarded-For": ip},
            )
            return response.status_code

        return list(await asyncio.gather(*(attempt(*a) for a in logins)))


async def test_parallel_attempts_on_one_account_cannot_pass_the_lockout(
    gateway_url: str, accounts: Accounts, stack_settings: Settings
) -> None:
    name, password = f"agent-{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    await accounts.add(name, password)
    codes = await _attempts(
        gateway_url, [(name, f"guess {i}", random_ip()) for i in range(200)]
    )
    assert set(codes) <= {401, 429}
    assert codes.count(401) <= stack_settings.console_max_failures
    assert (await _attempts(gateway_url, [(name, password, random_ip())])) == [429]


async def test_parallel_attempts_from_one_address_cannot_pass_its_lockout(
    gateway_url: str, accounts: Accounts, stack_settings: Settings
) -> None:
    name, password = f"agent-{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    await accounts.add(name, password)
    ip = random_ip()
    codes = await _attempts(
        gateway_url, [(f"guess-{i}", "wrong password", ip) for i in range(200)]
    )
    assert set(codes) <= {401, 429}
    assert codes.count(401) <= stack_settings.console_max_failures_ip
    assert (await _attempts(gateway_url, [(name, password, ip)])) == [429]
    assert (await _attempts(gateway_url, [(name, password, random_ip())])) == [200]


def _anonymous_counts(raw: dict[str, str]) -> dict[str, int]:
    return {k: int(v) for k, v in raw.items() if not k.startswith("_")}


async def test_anonymous_refusals_are_summed_up_and_cannot_flush_the_audit_log(
    gateway_url: str, rds: aioredis.Redis, queue: HandoffQueue
) -> None:
    keys = queue.keys
    before = _anonymous_counts(await rds.hgetall(keys.audit_anonymous))
    last = await rds.xrevrange(keys.audit, count=1)
    start = last[0][0] if last else "0-0"

    failed = await _attempts(
        gateway_url,
        [(f"nobody-{secrets.token_hex(3)}", "wrong", random_ip()) for _ in range(120)],
    )
    assert failed == [401] * 120
    async with httpx.AsyncClient(base_url=gateway_url, timeout=60) as http:
        for _ in range(40):  # no login page token
            refused = await http.post(
                "/console/api/login", json={"user": "mia", "password": "whatever"}
            )
            assert refused.status_code == 403
    for _ in range(10):
        with pytest.raises(websockets.InvalidStatus):
            await websockets.connect(
                gateway_url.replace("http://", "ws://") + "/console/ws",
                origin="https://evil.example",  # type: ignore[arg-type]
            )

    written = await rds.xrange(keys.audit, min=f"({start}")
    # one summary per minute at most (the test may cross a minute or two)
    assert len(written) <= 3, written[:5]
    assert all(f["action"] == "anonymous" for _id, f in written)
    counted = _anonymous_counts(await rds.hgetall(keys.audit_anonymous))
    for _id, fields in written:
        for part in fields.get("detail", "").split():
            kind, _, count = part.partition("=")
            counted[kind] = counted.get(kind, 0) + int(count)
    new = {k: n - before.get(k, 0) for k, n in counted.items()}
    new = {k: n for k, n in new.items() if n}
    assert new == {"login:failed": 120, "login:csrf": 40, "ws:origin": 10}


async def test_a_new_password_signs_the_accounts_sessions_out(
    stack_settings: Settings,
    console_login: Callable[..., Any],
    tabs: Callable[..., Any],
    gateway_url: str,
) -> None:
    agent = await console_login("agent")
    tab = await tabs(agent)
    assert (await asyncio.to_thread(agent.get, "/console/api/me")).status_code == 200
    env = dict(os.environ)
    env.update(
        REDIS_URL=stack_settings.redis_url, REDIS_PREFIX=stack_settings.redis_prefix
    )
    new_password = secrets.token_urlsafe(12)
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot.admin", "add-agent", agent.name, "--password", "-"],
        input=new_password + "\n",
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "signed out" in result.stdout
    assert (await asyncio.to_thread(agent.get, "/console/api/me")).status_code == 401
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await tab.until(lambda f: False, timeout=60)  # the heartbeat notices
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
    fresh = ConsoleClient(gateway_url)
    try:
        await asyncio.to_thread(fresh.login, agent.name, new_password)
    finally:
        fresh.close()


# -- what is kept ----------------------------------------------------------------------


async def test_addresses_are_kept_only_as_keyed_hashes(
    gateway_url: str,
    accounts: Accounts,
    rds: aioredis.Redis,
    queue: HandoffQueue,
    stack_settings: Settings,
) -> None:
    keys = queue.keys
    name, password = f"agent-{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    await accounts.add(name, password)
    ip = random_ip()
    hashed = address_key(stack_settings.secret_key, ip)
    client = ConsoleClient(gateway_url, ip)
    try:
        assert client.try_login(name, "wrong password").status_code == 401
        client.login(name, password)
        assert client.post("/console/api/logout").status_code == 200
        client.login(name, password)
    finally:
        client.close()

    digests = await rds.smembers(keys.account_sessions(name))
    assert digests
    for digest in digests:
        assert (await rds.hgetall(keys.console_session(digest)))["ip"] == hashed
    mine = [
        f
        for _i, f in await rds.xrevrange(keys.audit, count=500)
        if f.get("agent") == name
    ]
    assert [f["action"] for f in mine] == ["login", "logout", "login"]
    assert {f["ip"] for f in mine} == {hashed}
    pattern = re.escape(ip)
    everything = [k async for k in rds.scan_iter(match=keys.all_pattern, count=1000)]
    assert not [k for k in everything if re.search(pattern, k)]
    assert await rds.exists(keys.auth_failures("ip", hashed))
    audit = await rds.xrange(keys.audit)
    assert not [f for _i, f in audit if ip in json.dumps(f)]


async def test_the_audit_log_keeps_nothing_past_the_retention(
    rds: aioredis.Redis,
) -> None:
    keys = Keys("t" + secrets.token_hex(4))  # a log of its own
    audit = Audit(rds, keys, retention_s=3600)
    old_ms = round((time.time() - 7200) * 1000)
    await rds.xadd(keys.audit, {"action": "claim", "agent": "old"}, id=f"{old_ms}-0")
    try:
        await audit.record("claim", agent="new")
        assert [f["agent"] for _i, f in await rds.xrange(keys.audit)] == ["new"]
        assert 0 < await rds.ttl(keys.audit) <= 3600
    finally:
        await rds.delete(keys.audit)


async def test_peer_ratings_and_proposals_are_kept_for_the_retention_only(
    console_login: Callable[..., Any],
    rds: aioredis.Redis,
    queue: HandoffQueue,
    stack_settings: Settings,
) -> None:
    keys = queue.keys
    supervisor = await console_login("supervisor")
    long_ago = time.time() - stack_settings.retention_s - 3600
    tag = secrets.token_hex(4)
    old_rating = f"tg-{tag} 1-0 rater-{tag}"
    new_rating = f"tg-{tag} 2-0 rater-{tag}"
    for field, at in ((old_rating, long_ago), (new_rating, time.time())):
        record = {"agent": f"agent-{tag}", "score": 1.0, "met": {}, "at": at}
        await rds.hset(keys.qa_ratings, field, json.dumps(record))

    def proposal(pid: str, at: float) -> str:
        return json.dumps(
            {
                "id": pid,
                "text": "I'm sorry about the wait, {name}.",
                "emotion": "retention-test",
                "topic": "retention_test",
                "conversation": f"tg-{tag}",
                "proposed_by": f"agent-{tag}",
                "csat": 5,
                "understood": 5,
                "at": at,
            }
        )

    old_pending, old_approved = f"p{tag}", f"a{tag}"
    await rds.hset(keys.assist_proposed, old_pending, proposal(old_pending, long_ago))
    await rds.hset(keys.assist_approved, old_approved, proposal(old_approved, long_ago))
    try:
        empathy = await asyncio.to_thread(
            supervisor.get, "/console/api/dashboard/empathy"
        )
        assert empathy.status_code == 200, empathy.text
        assert not await rds.hexists(keys.qa_ratings, old_rating)
        assert await rds.hexists(keys.qa_ratings, new_rating)

        listed = await asyncio.to_thread(
            supervisor.get, "/console/api/assist/proposals"
        )
        assert listed.status_code == 200, listed.text
        assert old_pending not in {p["id"] for p in listed.json()["proposed"]}
        assert not await rds.hexists(keys.assist_proposed, old_pending)
        approved = {p["id"]: p for p in listed.json()["approved"]}
        assert approved[old_approved]["conversation"] == ""
        stored = json.loads(await rds.hget(keys.assist_approved, old_approved))
        assert stored["conversation"] == "" and f"tg-{tag}" not in json.dumps(stored)
    finally:
        await rds.hdel(keys.qa_ratings, old_rating, new_rating)
        await rds.hdel(keys.assist_proposed, old_pending)
        await rds.hdel(keys.assist_approved, old_approved)


# -- fencing ---------------------------------------------------------------------------


async def test_a_fenced_reply_is_refused_once_the_claim_ended(
    console_login: Callable[..., Any],
    queued: Callable[..., Any],
    queue: HandoffQueue,
    transcript: Transcript,
) -> None:
    agent = await signed_in(console_login)
    colleague = await signed_in(console_login)
    cid = await queued()
    claim = await queue.claim(agent.name, cid)
    fence = queue.fence(cid, claim.token, agent.name)
    stored, _ = await transcript.append(
        cid, Entry(Author.AGENT, "Hi, I'm here", agent_id=agent.name), fence=fence
    )
    assert (await transcript.last(cid, 1))[-1].id == stored.id

    await queue.transfer(agent.name, cid, claim.token, to_agent=colleague.name)
    with pytest.raises(StaleToken):
        await transcript.append(
            cid, Entry(Author.AGENT, "too late", agent_id=agent.name), fence=fence
        )
    taken = await queue.ticket(cid)
    await queue.resolve(colleague.name, cid, taken.token)
    with pytest.raises(AlreadyResolved):
        await transcript.append(
            cid,
            Entry(Author.AGENT, "after the end", agent_id=colleague.name),
            fence=queue.fence(cid, taken.token, colleague.name),
        )
    texts = [e.text for e in await transcript.read(cid)]
    assert "too late" not in texts and "after the end" not in texts


async def test_no_reply_lands_after_a_concurrent_resolve(
    console_login: Callable[..., Any],
    queued: Callable[..., Any],
    transcript: Transcript,
    gateway_url: str,
) -> None:
    agent = await signed_in(console_login)
    cid = await queued()
    claimed = await asyncio.to_thread(agent.post, f"/console/api/chats/{cid}/claim")
    token = claimed.json()["token"]
    headers = {"X-CSRF-Token": agent.csrf, "X-Forwarded-For": agent.ip}
    async with httpx.AsyncClient(
        base_url=gateway_url, timeout=120, cookies=agent.http.cookies, headers=headers
    ) as http:
        path = f"/console/api/chats/{cid}"
        replies = [
            http.post(f"{path}/messages", json={"token": token, "text": f"reply {i}"})
            for i in range(40)
        ]
        resolve = http.post(f"{path}/resolve", json={"token": token})
        answers = await asyncio.gather(*replies[:20], resolve, *replies[20:])
    assert answers[20].status_code == 200, answers[20].text
    assert {a.status_code for a in answers} <= {200, 201, 409}
    entries = await until(
        lambda: _with_resolved(transcript, cid), what="the resolved note"
    )
    kinds = [e.kind.value for e in entries]
    after = entries[kinds.index("resolved") :]
    assert not [e.text for e in after if e.author is Author.AGENT]
    stored = {e.text for e in entries if e.author is Author.AGENT}
    accepted = {
        f"reply {i}" for i, a in enumerate(answers[:20]) if a.status_code == 201
    }
    accepted |= {
        f"reply {i + 20}" for i, a in enumerate(answers[21:]) if a.status_code == 201
    }
    assert stored == accepted


async def _with_resolved(transcript: Transcript, cid: str) -> list[Entry] | None:
    entries = await transcript.read(cid)
    return entries if any(e.kind.value == "resolved" for e in entries) else None
