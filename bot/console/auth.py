"""Signing in and out of the console.

``POST /console/api/login`` takes ``{"user", "password"}`` from the login page, which
proves it is our page by echoing the login cookie's value in ``X-CSRF-Token`` (double
submit). Refused while the account or the address is locked out (429 with
Retry-After); a wrong name or password is one message for both (401). Refused and
failed sign-ins are anonymous: the audit log counts them in a per-minute summary, not
one by one. On success the session cookie is set: HttpOnly, SameSite=Strict, path
``/console``, and Secure (with a ``__Host-`` name) everywhere but in development.
``POST /console/api/logout`` ends the session.
"""

from __future__ import annotations

import logging
import math

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from bot.console.deps import (
    CSRF_HEADER,
    LOGIN_COOKIE,
    Acting,
    ConsoleDep,
    client_ref,
    fail,
    same_origin,
    same_secret,
)

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/console/api")


class LoginIn(BaseModel):
    """A sign-in attempt."""

    user: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


@router.post("/login")
async def post_login(
    body: LoginIn, request: Request, response: Response, console: ConsoleDep
) -> dict[str, object]:
    """Check the password and start a session."""
    ip = client_ref(request)
    origin = request.headers.get("origin")
    pre = request.cookies.get(LOGIN_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER, "")
    if (
        origin is not None
        and not same_origin(origin, request.headers.get("host"), console.settings)
    ) or not (pre and same_secret(pre, sent)):
        await console.audit.anonymous("login", "csrf")
        fail(403, "csrf", "please sign in from the console's login page (reload it)")
    # The attempt is counted before the password is checked (one atomic step), so
    # parallel attempts cannot all pass the limit while the hashes are verified.
    attempt, wait = await console.lockout.reserve(body.user, ip)
    if wait > 0:
        minutes = max(1, math.ceil(wait / 60))
        await console.audit.anonymous("login", "locked")
        fail(
            429,
            "locked",
            f"too many failed sign-ins; try again in {minutes} minute"
            + ("s" if minutes != 1 else ""),
            {"Retry-After": str(math.ceil(wait))},
        )
    account = await console.accounts.authenticate(body.user, body.password)
    if account is None:  # the reserved attempt stays counted as a failure
        await console.audit.anonymous("login", "failed")
        # the log (not the audit log) names the address, for tools like fail2ban
        address = request.client.host if request.client else "-"
        logger.info("failed console sign-in for %r from %s", body.user[:64], address)
        fail(401, "invalid_credentials", "wrong user name or password")
    await console.lockout.succeeded(account.id, ip, attempt)
    token, _session = await console.sessions.create(account.id, ip)
    await console.audit.record("login", agent=account.id, ip=ip)
    secure = console.settings.secure_cookies
    response.set_cookie(
        console.cookie_name,
        token,
        max_age=console.settings.console_session_max_seconds,
        path="/" if secure else "/console",
        httponly=True,
        secure=secure,
        samesite="strict",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/console")
    return {"ok": True, "redirect": "/console", "account": account.to_dict()}


@router.post("/logout")
async def post_logout(
    request: Request, response: Response, console: ConsoleDep, who: Acting
) -> dict[str, object]:
    """End this session."""
    await console.sessions.end(who.token)
    await console.audit.record("logout", agent=who.id, ip=client_ref(request))
    secure = console.settings.secure_cookies
    response.delete_cookie(
        console.cookie_name,
        path="/" if secure else "/console",
        secure=secure,
        httponly=True,
        samesite="strict",
    )
    return {"ok": True, "redirect": "/console/login"}
