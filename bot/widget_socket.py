"""One widget connection on ``/ws/chat`` (``ChatSocket``): its hello and what it
reads; what it sends (entries, state) is in bot/widget_push.py, the route, the Origin
check and the widget's files in bot/web.py, the frames in bot/widget_protocol.py.

A message with a client id already stored is not processed twice, so a client resends
whatever it has not seen echoed back. A forged or unknown session token,
or one idle for SESSION_IDLE_SECONDS (bot/sessions.py), closes the socket with code
4401 (the widget starts a new conversation); frames over ``MAX_FRAME_BYTES`` with 1009.

``customer_token`` is the shop page's signed word for a signed-in customer
(bot/identity.py). A valid one binds the session to that customer, whose messages then
carry their id to the action server; a session bound to a customer is refused like a
forged one (4401) to a hello without a valid token for the same customer. A bad token
never blocks the chat: the client gets a ``bad_customer_token`` error frame and the
chat goes on without a vouched customer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from redis.exceptions import RedisError

from bot.conversations import Conversations, Inbound, Outcome
from bot.handoff import HandoffError
from bot.identity import BadCustomerToken, VouchedCustomer, vouched_customer
from bot.inputs import clean_text
from bot.live import Hub, Listener, run_beside, stop_if_cancelled
from bot.privacy import address_group
from bot.ratelimit import LimitExceeded, RateLimiter
from bot.sessions import Sessions
from bot.settings import Settings
from bot.survey_answers import SurveyClosed
from bot.survey_config import SurveyInputError
from bot.transcript import valid_cursor
from bot.typing_notes import WidgetTyping
from bot.widget_limits import Bucket, socket_counts
from bot.widget_protocol import (
    FrameError,
    error_frame,
    message_fields,
    receive_frame,
)
from bot.widget_push import WidgetPush

logger = logging.getLogger(__name__)

HELLO_TIMEOUT_S = 30
# Per connection: at most BURST messages at once, refilled at RATE per second.
BURST = 10
RATE = 1.0
CLOSE_BAD_SESSION = 4401
CLOSE_LIMITED = 4429  # over a limit: the widget tries again later
CLOSE_TRY_LATER = 1013
REDIS_RETRY_S = 0.5  # first pause before a message is tried again while Redis is away
REDIS_RETRY_FOR_S = 60  # and for how long it is tried
NOT_TAKEN = "we could not take that message just now; it is sent again"
SLOW_DOWN = "you're sending messages very fast; please wait a moment"
NOT_VOUCHED = (
    "we could not confirm your shop account ({reason}); you can chat on, and we may "
    "ask you to confirm an order before showing its details"
)


class ChatSocket:
    """One widget connection: its hello, the frames it reads, the messages it hands
    on; ``out`` sends."""

    def __init__(self, ws: WebSocket) -> None:
        state = ws.app.state
        self.ws = ws
        self.settings: Settings = state.settings
        self.conversations: Conversations = state.conversations
        self.hub: Hub = state.hub
        self.out = WidgetPush(ws, self.conversations, self.hub, self.recover)
        self.limits: RateLimiter = state.limits
        self.sessions: Sessions = state.sessions
        self.counts = socket_counts(state)
        self.ip = ws.client.host if ws.client else ""
        # Sockets are counted per address unless it is exempt (this machine).
        self.address = "" if self.limits.exempt(self.ip) else address_group(self.ip)
        self.counted = False
        self.conversation_id = ""
        self.name = ""
        self.customer_id = ""  # the shop customer the session is bound to
        # Messages for the worker, which starts with the first (bot answers are
        # work an idle widget never needs: no task, no queue for it until then).
        self._inbox: asyncio.Queue[dict[str, Any]] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._listener: Listener | None = None
        self._bucket = Bucket(BURST, RATE)
        self.typing = WidgetTyping(state.typing)  # the customer's (bot/typing_notes.py)

    async def send(self, frame: dict[str, Any]) -> None:
        """Send one frame (bot/widget_push.py keeps frames from interleaving)."""
        await self.out.send(frame)

    async def error(self, error: FrameError, retry: bool = False) -> None:
        """Tell the client what was wrong with its frame."""
        await self.send(error_frame(error, retry))

    async def receive(self) -> dict[str, Any] | None:
        """The next JSON frame, None when the client left; FrameError when bad."""
        return await receive_frame(self.ws)

    async def run(self) -> None:
        """Serve the connection until the client leaves."""
        await self.ws.accept()
        try:
            if await self.hello():
                await self.serve()
        finally:
            if self.counted:
                self.counts.close(self.conversation_id, self.address)

    async def serve(self) -> None:
        """After the welcome: push entries and state, read frames."""
        with self.hub.listen(self.conversation_id) as listener:
            self._listener = listener
            try:
                await self.recover()
                await run_beside(self.read(), self.out.pump(listener))
            finally:
                if self._worker is not None:
                    self._worker.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await self._worker

    def inbox_full(self) -> bool:
        """Whether the worker has as many messages waiting as it takes."""
        return self._inbox is not None and self._inbox.full()

    def hand_on(self, item: dict[str, Any]) -> None:
        """Give a message to the worker (started with the first message); check
        ``inbox_full`` first."""
        if self._inbox is None:
            assert self._listener is not None  # serve() runs
            self._inbox = asyncio.Queue(maxsize=BURST * 2)
            self._worker = asyncio.create_task(self.work(self._listener, self._inbox))
        self._inbox.put_nowait(item)

    async def hello(self) -> bool:
        """Handle the first frame: which conversation this connection is."""
        try:
            async with asyncio.timeout(HELLO_TIMEOUT_S):
                frame = await self.receive()
        except TimeoutError:
            await self.ws.close(1008, "no hello")
            return False
        except FrameError as error:
            await self.error(error)
            await self.ws.close(1008, "the first frame must be hello")
            return False
        if frame is None:
            return False
        if frame.get("type") != "hello":
            await self.error(FrameError("not_ready", "send hello first"))
            await self.ws.close(1008, "the first frame must be hello")
            return False
        vouched = await self.vouched(frame.get("customer_token"))
        customer_id = vouched.customer_id if vouched else ""
        token = frame.get("session")
        try:
            if token is None:
                token = await self.sessions.start(self.ip, customer_id)
            conversation_id = await self.sessions.resume(
                token if isinstance(token, str) else None
            )
            if conversation_id is not None and not await self.sessions.admit(
                conversation_id, customer_id
            ):
                conversation_id = None  # bound to someone else: the widget starts anew
        except LimitExceeded as limited:
            await self.error(FrameError("rate_limited", limited.message))
            await self.ws.close(CLOSE_LIMITED, "too many new sessions")
            return False
        except RedisError as error:
            logger.warning("widget hello failed: %r", error)
            await self.error(FrameError("unavailable", NOT_TAKEN))
            await self.ws.close(CLOSE_TRY_LATER, "try again later")
            return False
        if conversation_id is None:
            await self.error(FrameError("bad_session", "this session is not valid"))
            await self.ws.close(CLOSE_BAD_SESSION, "invalid session")
            return False
        if refused := self.counts.open(self.settings, conversation_id, self.address):
            await self.error(FrameError("too_many_connections", refused))
            await self.ws.close(CLOSE_LIMITED, "too many connections")
            return False
        self.counted = True
        self.conversation_id = self.out.conversation_id = conversation_id
        after = frame.get("after")
        self.out.cursor = str(after) if valid_cursor(after) else ""
        self.customer_id = customer_id
        name = frame.get("name")
        if isinstance(name, str):
            with contextlib.suppress(ValueError):
                self.name = clean_text(name, 80)
        if not self.name and vouched:
            self.name = vouched.name
        await self.send(
            {
                "type": "welcome",
                "session": token,
                "conversation": conversation_id,
                "idle_s": self.sessions.idle_s,
            }
        )
        return True

    async def vouched(self, token: object) -> VouchedCustomer | None:
        """The customer a hello's ``customer_token`` vouches for; None without one,
        or (after a ``bad_customer_token`` error frame) when it is not valid."""
        if token is None or token == "":
            return None
        try:
            return vouched_customer(token, self.settings.customer_token_secret)
        except BadCustomerToken as error:
            logger.info("widget customer token refused: %s", error)
            message = NOT_VOUCHED.format(reason=error)
            await self.error(FrameError("bad_customer_token", message))
            return None

    async def recover(self) -> None:
        """Answer stored messages nobody finished (a gateway died, Redis lost data)."""
        try:
            entries = await self.conversations.unanswered(self.conversation_id)
        except RedisError:
            return  # the client is told about Redis with its next message
        for entry in entries:
            if self.inbox_full():
                break
            logger.info("answering %s of %s again", entry.id, self.conversation_id)
            self.hand_on({"id": entry.client_id, "text": entry.text})

    async def read(self) -> None:
        """Read frames until the client leaves; messages go to the worker in order."""
        while True:
            try:
                frame = await self.receive()
            except FrameError as error:
                await self.error(error)
                continue
            except WebSocketDisconnect:
                return
            if frame is None:
                return
            try:
                await self.dispatch(frame)
            except FrameError as error:
                await self.error(error)

    async def dispatch(self, frame: dict[str, Any]) -> None:
        """Act on one frame."""
        kind = frame["type"]
        if kind == "ping":
            await self.send({"type": "pong"})
        elif kind == "message":
            client_id, text = message_fields(frame, self.settings.max_message_chars)
            if not self._bucket.take() or self.inbox_full():
                raise FrameError("rate_limited", SLOW_DOWN, client_id)
            verdict = await self.limits.customer_message(self.conversation_id, self.ip)
            if not verdict.allowed:
                raise FrameError("rate_limited", SLOW_DOWN, client_id)
            with contextlib.suppress(RedisError):  # storing it says so in a moment
                await self.sessions.touch(self.conversation_id)
            self.hand_on({"id": client_id, "text": text})
        elif kind == "rating":
            await self.rate(frame)
        elif kind == "typing":
            await self.typing.typed(frame, self.conversation_id, self.out.view)
        elif kind == "hello":
            raise FrameError("invalid_frame", "already said hello")
        else:
            raise FrameError("invalid_frame", f"unknown frame type {kind[:40]!r}")

    async def rate(self, frame: dict[str, Any]) -> None:
        """Store the customer's survey answers (bot/surveys.py)."""
        answers = {k: v for k, v in frame.items() if k != "type"}
        try:
            await self.conversations.answer_survey(self.conversation_id, answers)
        except (SurveyInputError, SurveyClosed, HandoffError) as error:
            raise FrameError("invalid_rating", str(error)) from None
        except RedisError:
            raise FrameError(
                "unavailable", "we could not save that; please try again"
            ) from None

    async def work(
        self, listener: Listener, inbox: asyncio.Queue[dict[str, Any]]
    ) -> None:
        """Process customer messages one at a time, in the order they came."""
        while True:
            stop_if_cancelled()
            item = await inbox.get()
            await self.send({"type": "typing", "author": "bot", "on": True})
            outcome = await self.process(item)
            if outcome is None:
                await self.send({"type": "typing", "author": "bot", "on": False})
                continue
            # The pump says "stopped typing" once the answers are out.
            last = outcome.replies[-1] if outcome.replies else outcome.message
            self.out.typing_until(last.id)
            listener.poke()

    async def process(self, item: dict[str, Any]) -> Outcome | None:
        """Hand one message on; while Redis is away, tell the client and keep trying.

        The client sends again what it has not seen echoed; this connection also
        tries again itself, so a message that was stored (echoed) just before Redis
        went away is still answered. None when it could not be done.
        """
        inbound = Inbound(
            self.conversation_id,
            "web",
            item["text"],
            client_id=item["id"],
            customer_name=self.name,
            address=self.ip,
            customer_id=self.customer_id,
        )
        deadline = time.monotonic() + REDIS_RETRY_FOR_S
        pause = REDIS_RETRY_S
        told = False
        while True:
            try:
                return await self.conversations.customer_message(inbound)
            except LimitExceeded as limited:
                await self.error(
                    FrameError("too_many_chats", limited.message, item["id"])
                )
                return None
            except RedisError as error:
                if not told:
                    told = True
                    logger.warning(
                        "redis unavailable for %s: %r", self.conversation_id, error
                    )
                    await self.error(
                        FrameError(
                            "unavailable",
                            NOT_TAKEN,
                            item["id"],
                        ),
                        retry=True,
                    )
                if time.monotonic() > deadline:
                    return None
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)
            except Exception:
                logger.exception("message failed in %s", self.conversation_id)
                await self.error(
                    FrameError(
                        "internal",
                        "something went wrong on our side; please send that again",
                        item["id"],
                    ),
                    retry=True,
                )
                return None
