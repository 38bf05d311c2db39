"""The agent console: accounts, the live queue, chats, agent assist, supervisors,
training (practice conversations, the phrase guide).

Served by the gateway under ``/console`` (pages) and ``/console/api`` (JSON, and the
WebSocket ``/console/ws``), plus Prometheus ``/metrics``. ``router`` holds every
route; include it in the app.
"""

from fastapi import APIRouter

from bot.console import (
    api,
    assist_api,
    auth,
    chats,
    dashboard,
    guide,
    pages,
    practice_api,
    qa,
    socket,
)

router = APIRouter()
for _module in (auth, api, chats, assist_api, qa, dashboard, socket, pages):
    router.include_router(_module.router)
for _module in (practice_api, guide):  # training (docs/console.md, "Training")
    router.include_router(_module.router)

__all__ = ["router"]
