"""What every console route needs: the services, who is asking, and the checks.

``Console`` bundles the console's services for one gateway process (created on first
use and kept on ``app.state.console``). The dependencies decide who the caller is:

- ``SignedIn``: a live session cookie of an enabled account, else 401;
- ``Acting``: signed in, and a state change from our own page: the Origin (when sent)
  is this site and ``X-CSRF-Token`` equals the session's token, else 403;
- ``Supervising`` / ``SupervisorActing``: the same, for the supervisor role only.

Every refusal of a signed-in caller is written to the audit log.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Any, NoReturn
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request

from bot.console.accounts import Account, Accounts, Lockout
from bot.console.audit import Audit
from bot.console.learning import Proposals
from bot.console.practice_store import PracticeStore
from bot.console.sessions import Session, SessionStore
from bot.conversations import Conversations
from bot.handoff import HandoffQueue
from bot.handoff.keys import Keys
from bot.privacy import address_key
from bot.settings import Settings
from bot.transcript import Transcript
from bot.upstream import Embeddings

SESSION_COOKIE = "console_session"
SECURE_SESSION_COOKIE = "__Host-console_session"
LOGIN_COOKIE = "console_login"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Console:
    """The console's services in one gateway process."""

    def __init__(self, state: Any) -> None:
        settings: Settings = state.settings
        keys: Keys = state.keys
        self.settings = settings
        self.redis = state.redis
        self.keys = keys
        self.queue: HandoffQueue = state.queue
        self.conversations: Conversations = state.conversations
        self.transcript: Transcript = state.conversations.transcript
        self.hub = state.hub
        self.typing = state.typing  # bot/typing_notes.py
        self.accounts = Accounts(state.redis, keys, self.queue)
        self.sessions = SessionStore(
            state.redis,
            keys,
            idle_s=settings.console_session_idle_seconds,
            max_s=settings.console_session_max_seconds,
        )
        self.lockout = Lockout(
            state.redis,
            keys,
            max_account=settings.console_max_failures,
            max_ip=settings.console_max_failures_ip,
            window_s=settings.console_lockout_window_seconds,
        )
        self.audit = Audit(state.redis, keys, retention_s=settings.retention_s)
        self.embeddings = Embeddings(settings.actions_url)
        self.proposals = Proposals(state.redis, keys, retention_s=settings.retention_s)
        self.practices = PracticeStore(state.redis, keys)

    @property
    def cookie_name(self) -> str:
        """The session cookie's name (``__Host-`` prefixed when HTTPS-only)."""
        return SECURE_SESSION_COOKIE if self.settings.secure_cookies else SESSION_COOKIE


def console_of(app_state: Any) -> Console:
    """The process's Console, created on first use."""
    found = getattr(app_state, "console", None)
    if found is None:
        found = Console(app_state)
        app_state.console = found
    return found


def get_console(request: Request) -> Console:
    """The console services."""
    return console_of(request.app.state)


ConsoleDep = Annotated[Console, Depends(get_console)]


def fail(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> NoReturn:
    """Refuse the request with a JSON ``{"detail": {"error", "message"}}`` body."""
    raise HTTPException(
        status_code=status, detail={"error": code, "message": message}, headers=headers
    )


def client_ref(request: Request) -> str:
    """A keyed hash of the caller's address (uvicorn applies X-Forwarded-For from
    trusted proxies): what the audit log, sessions and lock-outs keep, never the
    address itself."""
    if not request.client or not request.client.host:
        return ""
    return address_key(request.app.state.settings.secret_key, request.client.host)


def same_secret(given: str, expected: str) -> bool:
    """Whether a header or cookie value equals a secret (constant time).

    ``hmac.compare_digest`` raises on a str with non-ASCII characters (a 500); as
    UTF-8 bytes such a value is simply wrong.
    """
    as_bytes = "utf-8", "surrogatepass"
    return hmac.compare_digest(given.encode(*as_bytes), expected.encode(*as_bytes))


def same_origin(origin: str | None, host: str | None, settings: Settings) -> bool:
    """Whether an Origin header names this site (or an extra allowed origin)."""
    if not origin or not host:
        return False
    if origin.rstrip("/") in settings.console_extra_origins:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == host


@dataclass(frozen=True)
class Principal:
    """The signed-in caller."""

    account: Account
    session: Session
    token: str  # the session cookie's value

    @property
    def id(self) -> str:
        """The agent id."""
        return self.account.id


async def record_denied(
    console: Console,
    request: Request,
    agent_id: str,
    why: str,
    ticket: str = "",
    detail: str = "",
) -> None:
    """Audit a refused request (``denied``, with why and, unless ``detail`` says
    more, the method and path)."""
    await console.audit.record(
        "denied",
        agent=agent_id,
        ticket=ticket,
        ip=client_ref(request),
        outcome=why,
        detail=detail or f"{request.method} {request.url.path}",
    )


async def signed_in(request: Request, console: ConsoleDep) -> Principal:
    """The caller's account, from the session cookie; 401 when not signed in."""
    token = request.cookies.get(console.cookie_name)
    session = await console.sessions.get(token)
    account = await console.accounts.get(session.agent_id) if session else None
    if session is None or account is None or account.disabled:
        fail(401, "unauthenticated", "please sign in to the console")
    return Principal(account, session, token or "")


SignedIn = Annotated[Principal, Depends(signed_in)]


async def acting(request: Request, console: ConsoleDep, who: SignedIn) -> Principal:
    """A signed-in caller making a state change from our own page (CSRF checked)."""
    if request.method not in SAFE_METHODS:
        origin = request.headers.get("origin")
        host = request.headers.get("host")
        sent = request.headers.get(CSRF_HEADER, "")
        bad_origin = origin is not None and not same_origin(
            origin, host, console.settings
        )
        if bad_origin or not same_secret(sent, who.session.csrf):
            await record_denied(console, request, who.id, "csrf")
            fail(403, "csrf", "missing or wrong CSRF token; reload the console")
    return who


Acting = Annotated[Principal, Depends(acting)]


async def _supervisor(request: Request, console: Console, who: Principal) -> Principal:
    if not who.account.supervisor:
        await record_denied(console, request, who.id, "role")
        fail(403, "forbidden", "only supervisors may do this")
    return who


async def supervising(
    request: Request, console: ConsoleDep, who: SignedIn
) -> Principal:
    """A signed-in supervisor (reads)."""
    return await _supervisor(request, console, who)


async def supervisor_acting(
    request: Request, console: ConsoleDep, who: Acting
) -> Principal:
    """A signed-in supervisor making a state change."""
    return await _supervisor(request, console, who)


Supervising = Annotated[Principal, Depends(supervising)]
SupervisorActing = Annotated[Principal, Depends(supervisor_acting)]
