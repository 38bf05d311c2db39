"""The gateway: the only public process.

Health, a small HTTP chat API, and the routers of the channels: the website widget
(bot/web.py), Telegram and the agent console. Every channel hands messages to one
``Conversations`` (bot/conversations.py); a ``Hub`` (bot/live.py) pushes what other
processes wrote to this process's open connections.

Every HTTP response carries ``nosniff``, ``no-referrer`` and ``DENY`` framing headers
(pages may set stricter ones); request bodies over ``MAX_BODY_BYTES`` are refused with
413 (the Telegram webhook has its own limit); log lines have personal data masked
(bot/privacy.py). The API docs (/docs, /redoc, /openapi.json) exist in development
only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import console, sessions, telegram, telegram_webhook, web
from bot.conversations import Conversations, Inbound
from bot.handoff import HandoffQueue
from bot.handoff.keys import Keys
from bot.identity import BadCustomerToken, vouched_customer
from bot.inputs import clean_text
from bot.live import Hub
from bot.maintenance import Maintenance
from bot.privacy import install_log_redaction
from bot.proxy import ForwardedCheck
from bot.ratelimit import LimitExceeded, RateLimiter
from bot.redisurl import async_client
from bot.report_mail import ReportMailer
from bot.settings import Settings, get_settings
from bot.transcript import Transcript
from bot.typing_notes import Typing
from bot.upstream import EmotionClient, RasaClient

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024  # the largest JSON body any route takes is ~240 kB
MAX_DISCARD_BYTES = 64 << 20  # an oversized body is read and dropped up to this
OWN_BODY_LIMIT = ("/telegram/webhook",)  # routes that check their body size
REDIS_POOL_WAIT_S = 5  # a command waits this long for a free connection, then fails
LIVE_CONNECTIONS = 2  # the hub's subscription and its blocking read of the events
TOO_BIG = f"the request body is larger than {MAX_BODY_BYTES // 1024} KiB"
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


def configure_logging() -> None:
    """Our INFO lines to stderr (uvicorn keeps its own), personal data masked.

    httpx logs every request URL at INFO, and those carry Rasa's token and the
    Telegram bot token: it logs warnings only. matplotlib (the reports' charts)
    logs its font cache at INFO: warnings only too.
    """
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
        root.addHandler(handler)
        root.setLevel(get_settings().log_level)
    for noisy in ("httpx", "httpcore", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    install_log_redaction()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the shared clients once per process."""
    configure_logging()
    settings = get_settings()
    app.state.settings = settings
    if settings.development:
        serve_api_docs(app)
    # Commands share a sized pool and wait for a free connection (redis-py's
    # default pool fails at once when its 100 are in use: MaxConnectionsError at
    # about 100 widgets). The hub's blocking reads have connections of their own,
    # so they neither wait for commands nor hold connections the commands need.
    # On a Cluster the cap is per node, and an exhausted node fails at once (redis-py's
    # cluster pool cannot wait); bot/redisurl.py.
    app.state.redis = async_client(
        settings.redis_url,
        max_connections=settings.redis_max_connections,
        wait_s=REDIS_POOL_WAIT_S,
        decode_responses=True,
    )
    app.state.redis_live = async_client(
        settings.redis_url, max_connections=LIVE_CONNECTIONS, decode_responses=True
    )
    app.state.rasa = RasaClient(
        settings.rasa_urls,
        settings.rasa_timeout_seconds,
        settings.rasa_api_token(),
        in_flight=settings.rasa_in_flight,
        max_wait_s=settings.rasa_queue_seconds,
        keepalive=settings.rasa_keepalive,
    )
    app.state.http = httpx.AsyncClient(timeout=2)
    app.state.emotion = EmotionClient(
        settings.actions_url, max_wait_s=settings.rasa_queue_seconds
    )
    # Every service gets the client and the key handle from here.
    app.state.keys = keys = Keys(settings.redis_prefix)
    queue = HandoffQueue(
        app.state.redis,
        prefix=settings.redis_prefix,
        retention_s=settings.retention_s,
    )
    app.state.queue = queue
    app.state.limits = RateLimiter(app.state.redis, settings)
    app.state.sessions = sessions.Sessions(app.state.redis, app.state.limits)
    app.state.conversations = Conversations(
        redis=app.state.redis,
        keys=keys,
        queue=queue,
        transcript=Transcript(
            app.state.redis,
            prefix=settings.redis_prefix,
            retention_s=settings.retention_s,
        ),
        rasa=app.state.rasa,
        emotion=app.state.emotion,
        limits=app.state.limits,
    )
    app.state.hub = Hub(app.state.redis_live, keys, queue)
    app.state.typing = Typing(app.state.redis, keys)
    await app.state.hub.start()
    mailer = None
    if settings.smtp_url and settings.report_emails:
        mailer = ReportMailer(
            app.state.redis,
            keys,
            queue,
            settings.smtp_url,
            [a.strip() for a in settings.report_emails.split(",") if a.strip()],
            settings.report_from,
        )
    maintenance = Maintenance(
        app.state.conversations, app.state.redis, keys, mailer=mailer
    )
    await maintenance.start()
    app.state.telegram = await telegram.start_channel(app.state)  # None: off
    yield
    await telegram.stop_channel(app.state.telegram)
    await maintenance.stop()
    await app.state.hub.stop()
    await app.state.emotion.close()
    await app.state.rasa.close()
    await app.state.http.aclose()
    await app.state.redis.aclose()
    await app.state.redis_live.aclose()


class SecurityHeaders:
    """Adds the headers of SECURITY_HEADERS to every HTTP response that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Wrap ``send``: extend the headers of the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in SECURITY_HEADERS if h[0] not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses request bodies over MAX_BODY_BYTES with 413 (read and dropped)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Buffer the body up to the limit, then hand it on or answer 413."""
        if scope["type"] != "http" or scope["path"] in OWN_BODY_LIMIT:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left
            body = message.get("body", b"")
            size += len(body)
            if size <= MAX_BODY_BYTES:
                chunks.append(body)
            if not message.get("more_body") or size > MAX_DISCARD_BYTES:
                break
        if size > MAX_BODY_BYTES:
            await send_json(send, 413, {"error": TOO_BIG})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            body = b"".join(chunks)
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    """A whole JSON response through a raw ASGI ``send``."""
    data = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(data)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


def serve_api_docs(app: FastAPI) -> None:
    """Add FastAPI's /docs, /redoc and /openapi.json (a map of every route)."""
    if app.openapi_url is None:
        app.openapi_url, app.docs_url, app.redoc_url = (
            "/openapi.json",
            "/docs",
            "/redoc",
        )
        app.setup()  # adds exactly these routes (and Swagger's OAuth2 redirect)


# No API docs unless the settings say development (lifespan).
app = FastAPI(
    title="Empathetic support gateway",
    lifespan=lifespan,
    docs_url=None,
    redoc_url=None,
    openapi_url=None,
)
app.add_middleware(BodyLimit)
app.add_middleware(SecurityHeaders)
app.add_middleware(ForwardedCheck)
app.include_router(web.router)
app.include_router(console.router)
app.include_router(telegram_webhook.router)


def settings_dep(request: Request) -> Settings:
    """The process settings."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(settings_dep)]


@app.exception_handler(RequestValidationError)
async def invalid_request(
    request: Request, error: RequestValidationError
) -> JSONResponse:
    """Malformed JSON or fields: one clear 4xx message, never a traceback."""
    problems = [
        f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}"
        for e in error.errors()
    ]
    return JSONResponse(
        {"error": "invalid request", "details": problems}, status_code=422
    )


@app.exception_handler(RedisError)
async def storage_unavailable(request: Request, error: RedisError) -> JSONResponse:
    """Redis briefly away: say so and ask for a retry; nothing was half-stored."""
    logger.warning("redis unavailable for %s: %r", request.url.path, error)
    return JSONResponse(
        {"error": "storage unavailable, please retry in a moment"},
        status_code=503,
        headers={"Retry-After": "2"},
    )


@app.get("/health")
async def get_health(request: Request) -> JSONResponse:
    """200 only when Redis, Rasa and the action server all answer."""
    state = request.app.state
    checks: dict[str, bool] = {}
    try:
        checks["redis"] = bool(await state.redis.ping())
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        checks["redis"] = False
    checks["rasa"] = await state.rasa.healthy()
    try:
        response = await state.http.get(f"{state.settings.actions_url}/health")
        checks["actions"] = response.status_code == 200
    except httpx.HTTPError:
        checks["actions"] = False
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "degraded",
        **{k: "ok" if v else "down" for k, v in checks.items()},
    }
    return JSONResponse(body, status_code=200 if healthy else 503)


class SessionIn(BaseModel):
    """How to start a conversation (the body is optional)."""

    # The shop's signed word for a signed-in customer (bot/identity.py).
    customer_token: str | None = None


class SessionOut(BaseModel):
    """A new conversation."""

    session: str


class MessageIn(BaseModel):
    """One customer message."""

    text: str = Field(min_length=1)
    customer_name: str | None = Field(default=None, max_length=80)

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        return clean_text(value, get_settings().max_message_chars)

    @field_validator("customer_name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        try:
            return clean_text(value, 80) if value is not None else None
        except ValueError:
            return None  # nothing printable: no name


class MessagesOut(BaseModel):
    """The bot's replies to one message."""

    replies: list[dict[str, Any]]


async def session_id(
    request: Request, x_session: Annotated[str | None, Header()] = None
) -> str:
    """The conversation of the caller, from its signed session token (refused
    once idle for SESSION_IDLE_SECONDS)."""
    sid = await request.app.state.sessions.resume(x_session)
    if sid is None:
        raise HTTPException(
            status_code=401, detail="missing or invalid X-Session token"
        )
    return sid


def too_many(limited: LimitExceeded) -> HTTPException:
    """429 with the limit's message and when to try again."""
    headers = {"Retry-After": str(limited.retry_after)}
    return HTTPException(status_code=429, detail=limited.message, headers=headers)


@app.post("/api/sessions", status_code=201)
async def create_session(
    request: Request, settings: SettingsDep, body: SessionIn | None = None
) -> SessionOut:
    """Start a conversation; the token goes in the X-Session header from then on."""
    customer_id = ""
    if body is not None and body.customer_token:
        try:
            vouched = vouched_customer(
                body.customer_token, settings.customer_token_secret
            )
        except BadCustomerToken as error:
            raise HTTPException(status_code=400, detail=str(error)) from None
        customer_id = vouched.customer_id
    ip = request.client.host if request.client else ""
    try:
        token = await request.app.state.sessions.start(ip, customer_id)
    except LimitExceeded as limited:
        raise too_many(limited) from None
    return SessionOut(session=token)


@app.post("/api/messages")
async def post_message(
    message: MessageIn,
    request: Request,
    sid: Annotated[str, Depends(session_id)],
) -> MessagesOut:
    """Deliver a customer message to the assistant and return its replies."""
    limits: RateLimiter = request.app.state.limits
    ip = request.client.host if request.client else ""
    verdict = await limits.customer_message(sid, ip)
    if not verdict.allowed:
        raise HTTPException(
            status_code=429,
            detail="you're sending messages very fast; please wait a moment",
            headers={"Retry-After": str(max(1, round(verdict.retry_after_s)))},
        )
    web_sessions: sessions.Sessions = request.app.state.sessions
    await web_sessions.touch(sid)
    conversations: Conversations = request.app.state.conversations
    inbound = Inbound(
        sid,
        "api",
        message.text,
        customer_name=message.customer_name or "",
        address=ip,
        customer_id=await web_sessions.customer(sid),  # bound when it was created
    )
    try:
        outcome = await conversations.customer_message(inbound)
    except LimitExceeded as limited:
        raise too_many(limited) from None
    return MessagesOut(replies=[r.to_dict() for r in outcome.replies])
