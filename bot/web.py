"""The website channel's routes: the demo shop page, the widget's files, the site's
icon, and ``/ws/chat``, open to pages whose Origin is allowed (``origin_allowed``).

A browser on a page whose Origin is not allowed (``ALLOWED_ORIGINS``, see
``origin_allowed``) gets HTTP 403 instead of the upgrade. Messages are limited per
connection (a token bucket) and, in Redis across connections and gateway processes,
per session and per client address (bot/ratelimit.py): over a limit the message is
refused with a ``rate_limited`` error frame (and not stored). A message for the bot
from an address with OPEN_TICKETS_PER_IP chats open elsewhere gets ``too_many_chats``.
New sessions per address and hour, and open sockets per session and per address (in
this process) are limited too: over a limit the client gets an error frame
(``rate_limited``, ``too_many_connections``) with a message and the close code 4429.

A connection is served by ``ChatSocket`` (bot/widget_socket.py); its frames are in
bot/widget_protocol.py, the limits kept in this process in bot/widget_limits.py.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse

from bot.settings import Settings
from bot.widget_socket import ChatSocket

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
CLOSE_POLICY = 1008  # before the upgrade: the client sees HTTP 403
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

router = APIRouter()


@router.get("/", include_in_schema=False)
async def get_demo_shop() -> FileResponse:
    """The demo shop page with the widget embedded."""
    return FileResponse(STATIC / "index.html", media_type="text/html")


@router.get("/widget/{name}", include_in_schema=False)
async def get_widget_file(name: str) -> FileResponse:
    """The widget's script and style sheet (the only files served here)."""
    types = {"widget.js": "text/javascript", "widget.css": "text/css"}
    if name not in types:
        from fastapi import HTTPException

        raise HTTPException(status_code=404, detail="not found")
    return FileResponse(STATIC / name, media_type=types[name])


@router.get("/favicon.ico", include_in_schema=False)
@router.get("/favicon.svg", include_in_schema=False)
async def get_favicon() -> FileResponse:
    """The site's icon (an SVG, also where browsers look for ``/favicon.ico``)."""
    return FileResponse(
        STATIC / "favicon.svg",
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def origin_allowed(origin: str | None, host: str | None, settings: Settings) -> bool:
    """Whether a browser showing a page from ``origin`` may open the widget socket.

    Allowed: no Origin at all (not a browser; the check protects browsers' users),
    the gateway's own origin, every entry of ALLOWED_ORIGINS (exact, ``*.`` for
    subdomains, ``*`` for any) and, in development, localhost on any port.
    """
    if origin is None:
        return True
    origin = origin.strip().rstrip("/").lower()
    allowed = [o.lower() for o in settings.origins]
    if "*" in allowed or origin in allowed:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False  # "null" (sandboxed frames, files) and the like
    if host and parts.netloc == host.lower():
        return True
    if settings.environment == "development" and parts.hostname in LOCAL_HOSTS:
        return True
    for pattern in allowed:
        scheme, wild, domain = pattern.partition("://*.")
        if wild and parts.scheme == scheme and parts.netloc.endswith("." + domain):
            return True
    return False


async def chat_socket(ws: WebSocket) -> None:
    """The widget's live connection."""
    origin = ws.headers.get("origin")
    if not origin_allowed(origin, ws.headers.get("host"), ws.app.state.settings):
        logger.info("widget socket refused for the origin %.100s", origin)
        await ws.close(CLOSE_POLICY)
        return
    with contextlib.suppress(WebSocketDisconnect):
        await ChatSocket(ws).run()


# A plain Starlette route, not FastAPI's: it has no dependencies to solve, and
# FastAPI's would keep three exit stacks for them as long as each widget is open.
router.add_websocket_route("/ws/chat", chat_socket)
