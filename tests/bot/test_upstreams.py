"""Rasa or the action server answering garbage (a proxy's error page, a wrong shape):
the clients say so in a way the routing turns into an apology, never a crash. Over
several Rasa servers (RASA_URL, comma-separated) the client takes them in turn, skips
one that refuses connections, and never sends a request that reached a server to
another."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.ops.ports import free_port
from bot.upstream import BotUnavailable, EmotionClient, RasaClient


class Garbage(BaseHTTPRequestHandler):
    """Answers every POST with the status and body the test set."""

    body = b""
    content_type = "application/json"

    status = 200
    seen: list[str] = []  # the sender of every message, in order

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        self.seen.append(json.loads(body or b"{}").get("sender", ""))
        self.send_response(self.status)
        self.send_header("content-type", self.content_type)
        self.send_header("content-length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def do_GET(self) -> None:  # noqa: N802 - Rasa's "/" (health)
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[tuple[str, type[Garbage]]]:
    handler = type("Handler", (Garbage,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


@pytest.fixture
async def rasa(upstream: tuple[str, type[Garbage]]) -> AsyncIterator[RasaClient]:
    client = RasaClient(upstream[0], 5)
    yield client
    await client.close()


@pytest.fixture
async def emotion(
    upstream: tuple[str, type[Garbage]],
) -> AsyncIterator[EmotionClient]:
    client = EmotionClient(upstream[0])
    yield client
    await client.close()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", "text/html"),
        (b'{"text": "not a list"}', "application/json"),
        (b"\xff\xfe\x00garbage", "application/octet-stream"),
        (b"", "application/json"),
    ],
)
async def test_rasa_answering_garbage_is_unavailable(
    upstream: tuple[str, type[Garbage]],
    rasa: RasaClient,
    body: bytes,
    content_type: str,
) -> None:
    handler = upstream[1]
    handler.body, handler.content_type = body, content_type
    with pytest.raises(BotUnavailable):
        await rasa.send("c1", "hello")


async def test_rasa_messages_that_are_not_objects_are_dropped(
    upstream: tuple[str, type[Garbage]], rasa: RasaClient
) -> None:
    upstream[1].body = json.dumps([1, "x", None, {"text": "Hello!"}]).encode()
    assert await rasa.send("c1", "hello") == [{"text": "Hello!"}]


@pytest.mark.parametrize(
    "analysis",
    [
        [],
        {"label": "anger"},
        {"label": "anger", "intensity": "loud", "frustration": 3, "signals": []},
        {"label": "anger", "intensity": 0.9, "frustration": "3", "signals": []},
        {"label": "anger", "intensity": 0.9, "frustration": 3, "signals": ["caps"]},
    ],
)
async def test_a_malformed_emotion_analysis_counts_as_unavailable(
    upstream: tuple[str, type[Garbage]], emotion: EmotionClient, analysis: object
) -> None:
    upstream[1].body = json.dumps(analysis).encode()
    assert await emotion.analyze("hello", []) is None


async def test_a_well_formed_emotion_analysis_is_returned(
    upstream: tuple[str, type[Garbage]], emotion: EmotionClient
) -> None:
    analysis = {
        "label": "anger",
        "intensity": 0.9,
        "frustration": 3,
        "signals": [{"name": "caps", "weight": 0.2, "reason": "ALL CAPS"}],
    }
    upstream[1].body = json.dumps(analysis).encode()
    assert await emotion.analyze("hello", []) == analysis


@pytest.fixture
def second(
    upstream: tuple[str, type[Garbage]],
) -> Iterator[tuple[str, type[Garbage]]]:
    """Another stand-in Rasa beside ``upstream``."""
    handler = type("Handler", (Garbage,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


async def test_several_rasa_servers_are_taken_in_turn_a_dead_one_skipped(
    upstream: tuple[str, type[Garbage]], second: tuple[str, type[Garbage]]
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    for handler in (upstream[1], second[1]):
        handler.body = json.dumps([{"text": "Hello!"}]).encode()
    client = RasaClient(",".join([upstream[0], dead, second[0]]), 5)
    try:
        for n in range(12):
            assert await client.send(f"c{n}", "hello") == [{"text": "Hello!"}]
        first, other = upstream[1].seen, second[1].seen
        assert sorted(first + other) == sorted(f"c{n}" for n in range(12))
        assert len(first) >= 4 and len(other) >= 4  # spread, not all on one
        assert await client.healthy()
    finally:
        await client.close()
    only_dead = RasaClient(dead, 5)
    try:
        with pytest.raises(BotUnavailable):
            await only_dead.send("c1", "hello")
        assert not await only_dead.healthy()
    finally:
        await only_dead.close()


async def test_a_request_a_rasa_server_took_is_not_sent_to_another(
    upstream: tuple[str, type[Garbage]], second: tuple[str, type[Garbage]]
) -> None:
    for handler in (upstream[1], second[1]):
        handler.status = 500  # it may have acted on the message before failing
    client = RasaClient([upstream[0], second[0]], 5)
    try:
        for n in range(4):
            with pytest.raises(BotUnavailable):
                await client.send(f"c{n}", "hello")
    finally:
        await client.close()
    assert sorted(upstream[1].seen + second[1].seen) == ["c0", "c1", "c2", "c3"]
