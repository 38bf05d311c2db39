"""The console's pages and files: sign-in, the agent console, the dashboard, practice
conversations, the phrase guide, emotion-recognition exercises and skills.

Plain HTML, its scripts and one style sheet per page from ``static/``, no build step;
a page's ``<!--#include _part.html key="value" -->`` line stands for the shared part
``static/_part.html`` with its ``{{key}}`` filled in (the head, the training pages'
top).
Every console response carries a strict Content-Security-Policy (no inline script or
style, nothing from other sites, no framing) and is not cached. A page that needs a
signed-in user sends anyone else to the sign-in page.
"""

from __future__ import annotations

import html
import re
import secrets
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from bot.console.accounts import Account
from bot.console.deps import LOGIN_COOKIE, ConsoleDep, record_denied

STATIC = Path(__file__).resolve().parent / "static"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'; object-src 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
}
FILES = {
    "console.js": "text/javascript",
    "queue.js": "text/javascript",
    "chat.js": "text/javascript",
    "assist.js": "text/javascript",
    "typing.js": "text/javascript",
    "kit.js": "text/javascript",
    "review.js": "text/javascript",
    "notify.js": "text/javascript",
    "keys.js": "text/javascript",
    "console.css": "text/css",
    "login.js": "text/javascript",
    "dashboard.js": "text/javascript",
    "reports.js": "text/javascript",
    "tables.js": "text/javascript",
    "practice.js": "text/javascript",
    "guide.js": "text/javascript",
    "training.css": "text/css",
    "breaks.js": "text/javascript",
    "exercises.js": "text/javascript",
    "skills.js": "text/javascript",
}

SIGNED_IN = {  # the pages for anyone signed in, by their path
    "/console": "console.html",  # the agent console
    "/console/practice": "practice.html",  # conversations with a simulated customer
    "/console/guide": "guide.html",  # emotional words and approved replies
    "/console/exercises": "exercises.html",  # emotion-recognition exercises
    "/console/skills": "skills.html",  # one's own skills over time, or the team's
}
INCLUDE = re.compile(r"<!--#include (?P<part>_[\w-]+\.html)(?P<values>[^>]*?) -->\n")
VALUE = re.compile(r'(\w+)="([^"]*)"')

router = APIRouter(include_in_schema=False)


def _include(match: re.Match[str]) -> str:
    """The shared part an include line names, its ``{{key}}`` as the line gives."""
    text = (STATIC / match["part"]).read_text(encoding="utf-8")
    for key, value in VALUE.findall(match["values"]):
        text = text.replace("{{" + key + "}}", value)
    return text


def _page(name: str, **values: str) -> HTMLResponse:
    text = INCLUDE.sub(_include, (STATIC / name).read_text(encoding="utf-8"))
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
    return HTMLResponse(text, headers=HEADERS)


@router.get("/console/login")
async def get_login_page(console: ConsoleDep) -> HTMLResponse:
    """The sign-in page (sets the login CSRF cookie it echoes back)."""
    token = secrets.token_urlsafe(24)
    response = _page("login.html", csrf=token)
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=3600,
        path="/console",
        httponly=True,
        secure=console.settings.secure_cookies,
        samesite="strict",
    )
    return response


async def _signed_in(request: Request, console: ConsoleDep) -> Account | None:
    session = await console.sessions.get(request.cookies.get(console.cookie_name))
    account = await console.accounts.get(session.agent_id) if session else None
    if account is None or account.disabled:
        return None
    return account


async def get_signed_in_page(request: Request, console: ConsoleDep) -> Response:
    """A page of ``SIGNED_IN`` for anyone signed in, else the sign-in page."""
    if await _signed_in(request, console) is None:
        return RedirectResponse("/console/login", status_code=303, headers=HEADERS)
    return _page(SIGNED_IN[request.scope["route"].path])


for _path in SIGNED_IN:
    router.add_api_route(_path, get_signed_in_page, methods=["GET"])


@router.get("/console/dashboard")
async def get_dashboard_page(request: Request, console: ConsoleDep) -> Response:
    """The supervisor dashboard (supervisors only)."""
    account = await _signed_in(request, console)
    if account is None:
        # back here after signing in (login.js follows only pages of the console)
        return RedirectResponse(
            "/console/login?next=/console/dashboard", status_code=303, headers=HEADERS
        )
    if not account.supervisor:
        await record_denied(
            console, request, account.id, "role", detail="dashboard page"
        )
        return HTMLResponse(
            "<!doctype html><title>Forbidden</title><p>Supervisors only.</p>",
            status_code=403,
            headers=HEADERS,
        )
    return _page("dashboard.html")


@router.get("/console/static/{name}")
async def get_console_file(name: str) -> Response:
    """The console's scripts and style sheet (the only files served here)."""
    if name not in FILES:
        return Response("not found", status_code=404, headers=HEADERS)
    return FileResponse(STATIC / name, media_type=FILES[name], headers=HEADERS)
