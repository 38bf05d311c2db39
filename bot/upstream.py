"""The gateway's upstream services, each a small async client over one connection pool.

- ``RasaClient``: the Rasa servers' REST channel and HTTP API (loopback only); with
  several servers (RASA_URL, comma-separated) it takes them in turn and skips one
  that refuses connections (``Servers``). Rasa's lock store in Redis keeps one
  conversation's turns in order, whichever server takes them.
- ``EmotionClient``: the action server's emotion analysis (``POST /emotion``) and its
  answers to a waiting customer's general questions (``POST /answer``), for messages
  the bot does not see.
- ``Embeddings``: the action server's sentence vectors (``POST /embed``), for the
  agent console's suggested replies (bot/console/assist.py).

Rasa failing is ``BotUnavailable`` (the routing apologises and brings in a person);
the action server failing is None, and the caller carries on without it.

Requests to Rasa and to the action server wait their turn in a line of the
gateway's own (bot/upstream_line.py): only a few are in flight at once, so the
timeouts measure the server's work, not the wait for a core under load.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import httpx

from bot.upstream_line import Stalled, UpstreamLine

# Whether the last answer for a waiting customer, in this task, asked for the
# proof that the chat's order is theirs (set by EmotionClient.answer)
ASKED_PROOF: ContextVar[bool] = ContextVar("asked_proof", default=False)
# What the customer reported that the last general answer, in this task, did not
# fit ("double_charge": the answer was about returns), else "" (set by
# EmotionClient.answer)
UNFIT: ContextVar[str] = ContextVar("unfit", default="")
logger = logging.getLogger(__name__)

MAX_ANSWER_TEXT = 4000  # what the action server's /answer reads of a message
# A Rasa server that refused a connection is tried last for this long.
SKIP_FAILED_S = 5.0
CONNECT_TIMEOUT_S = 3.0
# Errors that mean the request never reached the server: safe to send elsewhere.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout)
# Requests a gateway has in flight to the action server at once (one process that
# works on one request at a time; the rest wait in the gateway's line).
ACTIONS_IN_FLIGHT = 2


class BotUnavailable(Exception):
    """Rasa or its action server did not answer in time."""


class Servers:
    """Base URLs of equal servers, handed out in turn; one that failed to connect
    is put last until ``SKIP_FAILED_S`` passed."""

    def __init__(self, urls: list[str]) -> None:
        if not urls:
            raise ValueError("no server to send to")
        self.urls = [u.rstrip("/") for u in urls]
        self._turn = itertools.cycle(range(len(self.urls)))
        self._failed: dict[str, float] = {}  # url -> skipped until (monotonic)

    def order(self) -> Iterator[str]:
        """Every server once: the next in turn first, those that failed lately last."""
        start = next(self._turn)
        turn = self.urls[start:] + self.urls[:start]
        now = time.monotonic()
        fresh = [u for u in turn if self._failed.get(u, now) <= now]
        yield from fresh
        yield from (u for u in turn if u not in fresh)

    def failed(self, url: str) -> None:
        """``url`` refused a connection: skip it for a while."""
        self._failed[url] = time.monotonic() + SKIP_FAILED_S

    def worked(self, url: str) -> None:
        """``url`` answered."""
        self._failed.pop(url, None)


class RasaClient:
    """A small async client for Rasa's REST webhook and HTTP API, reusing one
    connection pool, over one or several Rasa servers."""

    def __init__(
        self,
        base_url: str | list[str],
        timeout: float,
        token: str = "",
        in_flight: int = 4,
        max_wait_s: float = 30.0,
        keepalive: bool = False,
    ) -> None:
        """``timeout``: for one request once it has its turn; ``in_flight``: requests
        in flight per server at once, the others wait in the gateway's line while
        Rasa answers (for ``max_wait_s`` at most; bot/upstream_line.py)."""
        urls = base_url.split(",") if isinstance(base_url, str) else base_url
        self.servers = Servers(urls)
        self.line = UpstreamLine(
            in_flight * len(self.servers.urls), stall_s=timeout, max_wait_s=max_wait_s
        )
        # A machine that is gone answers no SYN: with another server to try, give
        # up connecting after a few seconds, within the time the customer waits.
        several = len(self.servers.urls) > 1
        connect = min(CONNECT_TIMEOUT_S, timeout) if several else timeout
        # Without keep-alive every request opens a connection, which whichever of
        # Rasa's Sanic workers is free accepts; a kept connection stays with the
        # worker that accepted it, and one worker's loop often accepts a whole
        # burst of new ones (docs/benchmarks.md, "Ten customers").
        limits = httpx.Limits(
            max_connections=100, max_keepalive_connections=20 if keepalive else 0
        )
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=connect), limits=limits
        )
        self._token = token
        self.timeout = timeout
        # The longest one request may take, its wait for a turn included.
        self.longest_s = max_wait_s + timeout

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """``method path`` on the first server that takes the connection; a request
        that reached a server is never sent to another (Rasa may have acted on it).
        Raises the last ``httpx.HTTPError``, or ``Stalled`` when it waited its turn
        while Rasa answered nothing (bot/upstream_line.py)."""
        async with self.line.turn():
            return await self._send_once(method, path, **kwargs)

    async def _send_once(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        error: httpx.HTTPError | None = None
        for base in self.servers.order():
            try:
                response = await self._http.request(method, base + path, **kwargs)
            except NOT_SENT as failed:
                logger.warning("rasa at %s refused the connection: %r", base, failed)
                self.servers.failed(base)
                error = failed
                continue
            self.servers.worked(base)
            return response
        assert error is not None
        raise error

    async def send(
        self, sender: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Deliver one customer message; returns Rasa's replies (text, buttons, ...).

        Args:
            sender: conversation id.
            text: the customer's message.
            metadata: channel, customer name, entry id, and the customer id
                when the shop vouched for the customer (bot/identity.py).

        Returns:
            The bot's messages, possibly empty.
        """
        payload = {"sender": sender, "message": text, "metadata": metadata or {}}
        try:
            response = await self._request(
                "POST", "/webhooks/rest/webhook", json=payload
            )
            response.raise_for_status()
        except (httpx.HTTPError, Stalled) as error:
            logger.warning("rasa did not answer for %s: %r", sender, error)
            raise BotUnavailable(str(error)) from error
        try:
            replies = response.json()
        except ValueError as error:  # e.g. an HTML error page from a proxy
            logger.warning("rasa answered %s with no JSON", sender)
            raise BotUnavailable("Rasa's answer is not JSON") from error
        if not isinstance(replies, list):
            raise BotUnavailable("Rasa's answer is not a list of messages")
        return [reply for reply in replies if isinstance(reply, dict)]

    async def intent(self, text: str) -> tuple[str, float] | None:
        """NLU's reading of ``text`` alone (``/model/parse``: no conversation is
        touched): the intent and its confidence; None when Rasa cannot say."""
        try:
            response = await self._request(
                "POST",
                "/model/parse",
                params={"token": self._token},
                json={"text": text},
            )
            response.raise_for_status()
            intent = response.json().get("intent") or {}
            return str(intent["name"]), float(intent["confidence"])
        except (
            httpx.HTTPError,
            Stalled,
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
        ):
            logger.warning("rasa could not read a waiting customer's question")
            return None

    async def is_paused(self, sender: str) -> bool:
        """Whether the bot is paused in this conversation (a person took over)."""
        try:
            response = await self._request(
                "GET",
                f"/conversations/{sender}/tracker",
                params={"token": self._token, "include_events": "NONE"},
            )
            response.raise_for_status()
        except (httpx.HTTPError, Stalled) as error:
            raise BotUnavailable(str(error)) from error
        return bool(response.json().get("paused"))

    async def resume(self, sender: str) -> None:
        """Let the bot talk again after a person resolved the conversation."""
        try:
            response = await self._request(
                "POST",
                f"/conversations/{sender}/tracker/events",
                params={"token": self._token},
                # "listening" again, so the policies do not read the pause as the
                # end of whatever form was active when the person took over.
                json=[
                    {"event": "resume"},
                    {"event": "slot", "name": "handoff", "value": None},
                    {"event": "action", "name": "action_listen"},
                ],
            )
            response.raise_for_status()
        except (httpx.HTTPError, Stalled) as error:
            raise BotUnavailable(str(error)) from error

    async def healthy(self) -> bool:
        """Whether a Rasa server answers."""
        for base in self.servers.urls:
            try:
                if (await self._http.get(base + "/", timeout=2)).status_code == 200:
                    return True
            except httpx.HTTPError:
                continue
        return False

    async def close(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()


class EmotionClient:
    """The action server's emotion analysis, for messages the bot does not see."""

    def __init__(
        self, base_url: str, timeout: float = 2.0, max_wait_s: float = 30.0
    ) -> None:
        """``timeout``: for one request once it has its turn in the line."""
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self.line = UpstreamLine(
            ACTIONS_IN_FLIGHT, stall_s=max(timeout, 1.0), max_wait_s=max_wait_s
        )

    async def _post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        """``POST path`` when its turn in the line comes (raises ``Stalled``)."""
        async with self.line.turn():
            return await self._http.post(path, json=body)

    async def analyze(
        self, text: str, history: list[dict[str, str]]
    ) -> dict[str, Any] | None:
        """The analysis of ``text`` after ``history``; None when it is unavailable."""
        try:
            response = await self._post("/emotion", {"text": text, "history": history})
            response.raise_for_status()
            analysis = response.json()
        except (httpx.HTTPError, Stalled, ValueError) as error:
            logger.warning("emotion analysis unavailable: %r", error)
            return None
        if not _valid_analysis(analysis):
            logger.warning("emotion analysis malformed: %.200r", analysis)
            return None
        return dict(analysis)

    async def answer(
        self,
        text: str,
        language: str,
        reading: tuple[str, float] | None,
        conversation_id: str | None = None,
        proof_only: bool = False,
        situation: str = "",
    ) -> str | None:
        """The action server's answer to a general question a waiting customer
        asks (``reading``: NLU's intent and confidence; ``conversation_id``: whose
        chat, for a question about its order: answered once they proved it
        theirs, else the proof asked for); with ``proof_only``, only the order's
        state when ``text`` proves it theirs; ``situation``: what the customer
        reported ("double_charge", "damaged", "missing"...): a general answer that
        does not fit it is None, with UNFIT set to it. None when there is none or
        the server cannot say."""
        UNFIT.set("")
        intent, confidence = reading if reading else (None, None)
        body = {
            "text": text[:MAX_ANSWER_TEXT],
            "language": language,
            "intent": intent,
            "confidence": confidence,
            **({"conversation": conversation_id} if conversation_id else {}),
            **({"proof_only": True} if proof_only and conversation_id else {}),
            **({"situation": situation} if situation else {}),
        }
        try:
            response = await self._post("/answer", body)
            response.raise_for_status()
            answer = response.json()
            said = answer.get("text")
        except (httpx.HTTPError, Stalled, ValueError, AttributeError) as error:
            logger.warning("no answer for a waiting customer: %r", error)
            return None
        # the answer asks for the order's e-mail address or postcode: what they send
        # next is read as that (bot/waiting_side.py), not as a contact to call
        ASKED_PROOF.set(answer.get("asks_proof") is True)
        unfit = answer.get("unfit")
        UNFIT.set(unfit if isinstance(unfit, str) else "")
        return said if isinstance(said, str) and said else None

    async def close(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()


class Embeddings:
    """Sentence vectors from the action server's ``POST /embed``, cached per text."""

    BATCH = 64  # texts per request (the route's limit)
    CACHE = 2000

    def __init__(self, base_url: str, timeout: float = 3.0) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self._cache: dict[str, list[float]] = {}

    async def embed(self, texts: list[str]) -> list[list[float]] | None:
        """Unit vectors for ``texts``; None when the action server does not answer."""
        vectors: list[list[float]] = []
        try:
            for start in range(0, len(texts), self.BATCH):
                response = await self._http.post(
                    "/embed", json={"texts": texts[start : start + self.BATCH]}
                )
                response.raise_for_status()
                vectors += [list(map(float, v)) for v in response.json()["vectors"]]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            logger.warning("embeddings unavailable: %r", error)
            return None
        return vectors

    async def cached(self, texts: list[str]) -> list[list[float]] | None:
        """Like ``embed``, remembering each text's vector (the library's replies)."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            found = await self.embed(missing)
            if found is None:
                return None
            if len(self._cache) + len(found) > self.CACHE:
                self._cache.clear()
            self._cache.update(zip(missing, found, strict=True))
        return [self._cache[t] for t in texts]

    async def close(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()


def _valid_analysis(analysis: Any) -> bool:
    """Whether the action server's ``/emotion`` answer has the fields we read."""
    if not isinstance(analysis, dict):
        return False
    label, intensity = analysis.get("label"), analysis.get("intensity")
    frustration, signals = analysis.get("frustration"), analysis.get("signals", [])
    return (
        isinstance(label, str)
        and isinstance(intensity, int | float)
        and isinstance(frustration, int)
        and isinstance(signals, list)
        and all(isinstance(s, dict) for s in signals)
    )
