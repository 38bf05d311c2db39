"""Two of each process (action server, Rasa, gateway) on a Sentinel set or a Redis
Cluster, and a whole conversation through them.

``replica_stack`` is ``Stack`` with ``STACK_REPLICAS=2`` (Rasa i calls action server
i, each gateway spreads over both Rasa servers; docs/deploy.md). ``whole_conversation``
opens the customer's session on both gateways at once and sends the turns on the two
sockets in turn: the bot, a handoff, a claim, the agent's reply, the resolve and the
bot again. Each turn's answer must reach both sockets, every socket sees the
transcript in order, and the transcript and the ticket come out right.
``turns_at_once`` sends two messages of one conversation through both gateways at
the same moment: Rasa's lock store must run them one after the other.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx

from bot.conversations import Conversations
from bot.handoff import TicketState
from bot.ops.private import private_settings, routing_on
from bot.ops.stack import Stack
from bot.ops.widget import Widget
from bot.settings import ROOT, Settings
from bot.transcript import Author, Kind
from bot.upstream import RasaClient
from tests.reliability.clients import REPLY_KINDS, Agent, replied, unanswered

LOG_ROOT = ROOT / "var" / "test-logs"


@contextlib.contextmanager
def replica_stack(redis_url: str, name: str, model: Path) -> Iterator[Stack]:
    """Two action servers, two Rasa servers (one worker each) and two gateways on
    ``redis_url``, their logs in var/test-logs/<name>/ (the Redis setups of
    tests/ha are private to the run: their keys go with them)."""
    settings = private_settings(
        redis_url, name[0], rasa_workers=1, stack_replicas=2, rasa_timeout_seconds=8
    )
    log_dir = LOG_ROOT / name
    log_dir.mkdir(parents=True, exist_ok=True)
    for old in log_dir.glob("*.log"):
        old.unlink()  # this run's logs only
    stack = Stack(settings, model, log_dir=log_dir)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def gateways(stack: Stack) -> list[str]:
    """The base URLs of the stack's gateways."""
    return [
        f"http://127.0.0.1:{s.port}"
        for s in stack.services
        if s.name.startswith("gateway")
    ]


def agent_side(settings: Settings) -> AbstractAsyncContextManager[Conversations]:
    """What the console does, on the stack's Redis and both Rasa servers."""
    s = settings
    return routing_on(s, RasaClient(s.rasa_urls, 20, s.rasa_api_token()))


@contextlib.asynccontextmanager
async def agent_at_work(
    settings: Settings,
) -> AsyncIterator[tuple[Conversations, Agent]]:
    """``agent_side`` with an agent signed in and answering, stopped afterwards."""
    async with agent_side(settings) as conv:
        agent = Agent(conv)
        await agent.start()
        try:
            yield conv, agent
        finally:
            await agent.stop()


class BothGateways:
    """One customer's session open on two gateways at once."""

    def __init__(self, sockets: list[Widget]) -> None:
        self.sockets = sockets
        self.seen: list[list[dict[str, Any]]] = [[] for _ in sockets]
        self.read = [0 for _ in sockets]  # of ``seen``, entries already looked at
        self.turn = 0
        self.sent: list[str] = []  # client ids, in order

    @classmethod
    async def open(cls, bases: list[str], name: str) -> BothGateways:
        first = await Widget.open(bases[0], name=name)
        others = [
            await Widget.open(base, first.session, name=name) for base in bases[1:]
        ]
        return cls([first, *others])

    @property
    def conversation(self) -> str:
        return self.sockets[0].conversation

    async def ask(self, text: str) -> dict[str, Any]:
        """Send ``text`` on the next gateway in turn; the first answer after its
        echo, once every socket has shown it."""
        via = self.turn % len(self.sockets)
        self.turn += 1
        client_id = await self.sockets[via].say(text)
        self.sent.append(client_id)
        echo: list[str] = []

        def answer(entry: dict[str, Any]) -> bool:
            if entry.get("client_id") == client_id:
                echo.append(entry["id"])
            return bool(echo) and (
                entry["author"] != "customer" and entry["kind"] in REPLY_KINDS
            )

        reply = await self._until(via, answer)
        for other in range(len(self.sockets)):
            if other != via:
                await self._until(other, lambda e: e["id"] == reply["id"])
        return reply

    async def wait_for(self, **match: Any) -> dict[str, Any]:
        """The next entry with these fields, once every socket has shown it."""
        found = await self._until(
            0, lambda e: all(e.get(k) == v for k, v in match.items())
        )
        for other in range(1, len(self.sockets)):
            await self._until(other, lambda e: e["id"] == found["id"])
        return found

    async def echoes(self, client_ids: list[str]) -> list[str]:
        """The entry ids of these messages, once every socket showed them."""
        found: dict[str, str] = {}
        for index in range(len(self.sockets)):
            seen: set[str] = set()

            def stored(entry: dict[str, Any], seen: set[str] = seen) -> bool:
                if entry.get("client_id") in client_ids:
                    found[entry["client_id"]] = entry["id"]
                    seen.add(entry["client_id"])
                return len(seen) == len(client_ids)

            await self._until(index, stored)
        return [found[c] for c in client_ids]

    async def _until(
        self, index: int, wanted: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any]:
        """The next entry on socket ``index`` that ``wanted`` accepts."""
        seen = self.seen[index]
        while True:
            if self.read[index] == len(seen):
                seen.append(await self.sockets[index].entry(timeout=60))
            entry = seen[self.read[index]]
            self.read[index] += 1
            if wanted(entry):
                return entry

    async def close(self) -> None:
        for socket in self.sockets:
            await socket.close()


async def whole_conversation(stack: Stack, conv: Conversations, agent: Agent) -> None:
    """Bot, handoff, claim, the agent's reply, resolve, bot again: the turns
    alternate between the gateways; everything checked from the sockets and Redis."""
    customer = await BothGateways.open(gateways(stack), "Ines")
    cid = customer.conversation
    try:
        said = await customer.ask("hi there")
        assert said["author"] == "bot", said
        said = await customer.ask("where is my order?")
        assert said["author"] == "bot" and "order number" in said["text"].lower()
        # The next turn goes to the other gateway (and most likely the other Rasa):
        # the context is Rasa's tracker in Redis, so the bot asks for the proof.
        said = await customer.ask("48213")
        assert said["author"] == "bot", said
        assert any(w in said["text"].lower() for w in ("e-mail", "email", "postcode"))
        said = await customer.ask("I need to talk to a human agent please")
        assert said["kind"] == "handoff", said
        assert await conv.queue.state(cid) is TicketState.QUEUED
        said = await customer.ask("are you still there?")
        assert said["author"] != "bot", said  # the bot is silent while queued
        await agent.claim(cid)
        await customer.wait_for(kind=Kind.JOINED.value)
        said = await customer.ask("my order 48213 never arrived")
        assert said["author"] == "agent", said
        await agent.resolve(cid)
        await customer.wait_for(kind=Kind.RESOLVED.value)
        said = await customer.ask("where is my order?")
        assert said["author"] == "bot", said
    finally:
        await customer.close()

    entries = await conv.transcript.read(cid)
    ids = [e.id for e in entries]
    # Every socket showed every entry it saw in the transcript's order, and both
    # saw the whole conversation from the first turn on.
    for seen in customer.seen:
        shown = [e["id"] for e in seen]
        assert shown == [i for i in ids if i in set(shown)]
        assert {e.id for e in entries if e.author is Author.CUSTOMER} <= set(shown)
    # Each message stored once, in the order sent, and each one answered.
    stored_ids = [e.client_id for e in entries if e.author is Author.CUSTOMER]
    assert stored_ids == customer.sent
    stored, answered, by_bot, apologies = replied(entries)
    assert (stored, answered, apologies) == (len(customer.sent), stored, 0)
    assert not unanswered(entries)
    assert by_bot >= 5
    # One ticket, handed over once, resolved; the bot not paused afterwards.
    ticket = await conv.queue.ticket(cid)
    assert ticket.state is TicketState.RESOLVED and ticket.episode == 1
    assert not await conv.rasa.is_paused(cid)
    report = await conv.queue.reconcile()
    assert (report.added, report.removed) == (0, 0), report


async def turns_at_once(stack: Stack, conv: Conversations, rounds: int = 3) -> None:
    """Two messages of one conversation sent at the same moment through the two
    gateways: each gateway may pass its turn to another Rasa server, and Rasa's
    lock store (in Redis) makes one wait for the other. Both are answered, and
    Rasa's tracker holds every turn once, each user message followed by the bot's
    answer before the next one (no turn lost, none run on a stale tracker)."""
    customer = await BothGateways.open(gateways(stack), "Noor")
    cid = customer.conversation
    texts = ("can I pay with paypal?", "how long does a refund take?")
    try:
        for _ in range(rounds):
            ids = await asyncio.gather(
                *(s.say(t) for s, t in zip(customer.sockets, texts, strict=True))
            )
            echoes = await customer.echoes(ids)
            work = [conv.keys.work(cid, entry_id) for entry_id in echoes]
            deadline = time.monotonic() + 60
            while await conv.redis.mget(work) != ["done"] * len(work):
                assert time.monotonic() < deadline, "not both answered"
                await asyncio.sleep(0.05)
    finally:
        await customer.close()
    settings = stack.settings
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.get(
            f"{settings.rasa_url}/conversations/{cid}/tracker",
            params={"token": settings.rasa_api_token()},
        )
    response.raise_for_status()
    tracker = response.json()["events"]
    events = [e["event"] for e in tracker]
    assert events.count("user") == 2 * rounds, events
    turns = "".join("u" if e == "user" else "b" if e == "bot" else "" for e in events)
    assert "uu" not in turns and turns.endswith("b"), turns
    # One turn after the other: without the lock the two servers run a pair at the
    # same time, and the events of the one saved second begin before the other's
    # end (the tracker store merges both, in the order they were saved).
    stamps = [e["timestamp"] for e in tracker]
    assert stamps == sorted(stamps), [
        (e["event"], e["timestamp"]) for e in tracker if e["event"] in ("user", "bot")
    ]
    entries = await conv.transcript.read(cid)
    stored, answered, by_bot, _ = replied(entries)
    # (the second message of a pair is stored before the first one's answer)
    assert stored == 2 * rounds and by_bot >= rounds
