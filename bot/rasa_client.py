"""Talk to the Rasa server over its REST channel (loopback only)."""

from __future__ import annotations

import logging
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class BotUnavailable(Exception):
    """Rasa or its action server did not answer in time."""


class RasaClient:
    """A small async client for Rasa's REST webhook, reusing one connection pool."""

    def __init__(self, base_url: str, timeout: float, token: str = "") -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self._token = token
        self.timeout = timeout

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
            response = await self._http.post("/webhooks/rest/webhook", json=payload)
            response.raise_for_status()
        except httpx.HTTPError as error:
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
            response = await self._http.post(
                "/model/parse", params={"token": self._token}, json={"text": text}
            )
            response.raise_for_status()
            intent = response.json().get("intent") or {}
            return str(intent["name"]), float(intent["confidence"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError):
            logger.warning("rasa could not read a waiting customer's question")
            return None

    async def is_paused(self, sender: str) -> bool:
        """Whether the bot is paused in this conversation (a person took over)."""
        try:
            response = await self._http.get(
                f"/conversations/{sender}/tracker",
                params={"token": self._token, "include_events": "NONE"},
            )
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise BotUnavailable(str(error)) from error
        return bool(response.json().get("paused"))

    async def resume(self, sender: str) -> None:
        """Let the bot talk again after a person resolved the conversation."""
        try:
            response = await self._http.post(
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
        except httpx.HTTPError as error:
            raise BotUnavailable(str(error)) from error

    async def healthy(self) -> bool:
        """Whether the Rasa server answers."""
        try:
            return (await self._http.get("/", timeout=2)).status_code == 200
        except httpx.HTTPError:
            return False

    async def close(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()
