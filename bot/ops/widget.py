"""A client of the widget's WebSocket (``/ws/chat``), shared by every test and
benchmark that talks to the gateway as a customer's browser would."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from ssl import SSLContext
from typing import Any

import websockets

Frame = dict[str, Any]


def ws_url(base: str) -> str:
    """The chat WebSocket of a gateway at ``base`` (http://host:port)."""
    return base.replace("http", "ws", 1).rstrip("/") + "/ws/chat"


def hello(
    session: str | None = None,
    *,
    after: str | None = None,
    name: str | None = None,
    customer_token: str | None = None,
) -> Frame:
    """The first frame on a widget socket: resume ``session`` (None: a new one) from
    entry ``after``, as customer ``name``, vouched for by ``customer_token``."""
    frame: Frame = {"type": "hello", "session": session}
    if after is not None:
        frame["after"] = after
    if name is not None:
        frame["name"] = name
    if customer_token is not None:
        frame["customer_token"] = customer_token
    return frame


def field(frame: Frame, path: str) -> Any:
    """``frame["entry"]["author"]`` for path ``entry.author``; None when missing."""
    value: Any = frame
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


class Widget:
    """Speaks the widget protocol and keeps the frames it has not handed out yet."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.frames: list[Frame] = []
        self.session = ""
        self.conversation = ""

    @classmethod
    async def open(
        cls,
        base: str,
        session: str | None = None,
        *,
        after: str | None = None,
        origin: str | None = None,
        ip: str | None = None,
        name: str | None = None,
        customer_token: str | None = None,
        open_timeout: float = 10,
        ssl: SSLContext | None = None,
        local_addr: tuple[str, int] | None = None,
    ) -> Widget:
        """Connect, say hello (resuming ``session`` from entry ``after``) and wait for
        the welcome; ``origin`` and ``ip`` (X-Forwarded-For) are sent as headers.
        Frames before the welcome (a ``bad_customer_token`` error) stay unread.
        ``ssl`` trusts a wss:// gateway's certificate; ``local_addr`` is the address
        to connect from (a loopback address other than 127.0.0.1)."""
        connection: dict[str, Any] = {}
        if ssl is not None:
            connection["ssl"] = ssl
        if local_addr is not None:
            connection["local_addr"] = local_addr
        ws = await websockets.connect(
            ws_url(base),
            origin=origin,  # type: ignore[arg-type]
            additional_headers={"X-Forwarded-For": ip} if ip else None,
            max_size=2**22,
            open_timeout=open_timeout,
            **connection,
        )
        widget = cls(ws)
        first = hello(session, after=after, name=name, customer_token=customer_token)
        await widget.send(first)
        welcome = await widget.next("welcome")
        widget.session = welcome["session"]
        widget.conversation = welcome["conversation"]
        return widget

    async def send(self, frame: Frame) -> None:
        await self.ws.send(json.dumps(frame))

    async def send_raw(self, text: str) -> None:
        await self.ws.send(text)

    async def say(self, text: str, client_id: str | None = None) -> str:
        """Send a message (lone surrogates go out as JSON escapes); returns its id."""
        client_id = client_id or uuid.uuid4().hex[:16]
        await self.send({"type": "message", "id": client_id, "text": text})
        return client_id

    async def next(
        self,
        match: str | Callable[[Frame], bool],
        timeout: float = 60,
        **fields: Any,
    ) -> Frame:
        """The oldest unread frame of type ``match`` whose ``fields`` (dotted paths)
        have the given values, or that the callable ``match`` accepts; reads from the
        socket as needed and hands the frame out once."""

        def wanted(frame: Frame) -> bool:
            if callable(match):
                return match(frame)
            return frame["type"] == match and all(
                field(frame, k) == v for k, v in fields.items()
            )

        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for frame in self.frames[seen:]:
                if wanted(frame):
                    self.frames.remove(frame)
                    return frame
                seen += 1
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching frame in {self.frames[-10:]}")
            raw = await asyncio.wait_for(self.ws.recv(), left)
            self.frames.append(json.loads(raw))

    async def entry(self, timeout: float = 60, **match: Any) -> Frame:
        """The next transcript entry whose fields match."""
        match = {f"entry.{k}": v for k, v in match.items()}
        return (await self.next("entry", timeout, **match))["entry"]

    async def outcome(self, client_id: str, timeout: float = 90) -> Frame:
        """The error frame about ``client_id``, or the first bot or system entry
        after its echo."""
        echoed: list[str] = []

        def done(frame: Frame) -> bool:
            if frame["type"] == "error" and frame.get("id") == client_id:
                return True
            entry = frame.get("entry") or {}
            if frame["type"] == "entry" and entry.get("client_id") == client_id:
                echoed.append(entry["id"])
                return False
            return (
                bool(echoed)
                and frame["type"] == "entry"
                and entry["author"] in ("bot", "system")
            )

        return await self.next(done, timeout)

    async def drain(self, seconds: float = 1.0) -> list[Frame]:
        """Everything unread so far and whatever arrives within ``seconds``."""
        end = time.monotonic() + seconds
        frames = list(self.frames)
        self.frames.clear()
        while (left := end - time.monotonic()) > 0:
            try:
                frames.append(json.loads(await asyncio.wait_for(self.ws.recv(), left)))
            except TimeoutError:
                break
        return frames

    async def alive(self) -> None:
        """The connection still answers a ping."""
        await self.send({"type": "ping"})
        await self.next("pong", timeout=30)

    async def close(self) -> None:
        await self.ws.close()
