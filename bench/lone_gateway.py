"""A gateway started alone for a benchmark: on a free port, its own Redis key
prefix, fresh secrets, and no Rasa or action server behind it (the console and idle
widget sockets need neither). Used by bench/console_paint.py and bench/sockets.py."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from pathlib import Path

import httpx

from bot.ops.ports import free_port
from bot.ops.services import APP_PYTHON
from bot.settings import ROOT


def start_gateway(
    redis_url: str,
    prefix: str,
    log: Path,
    environment: str = "development",
    extra: dict[str, str] | None = None,
    wait_s: float = 90.0,
) -> tuple[subprocess.Popen[bytes], str]:
    """One gateway process (``python -m bot.ops.serve gateway``) writing to ``log``;
    returns it and its base URL once /health answers (RuntimeError after
    ``wait_s``). ``extra``: more environment variables (limits for many sockets)."""
    port = free_port()
    env = (
        dict(os.environ)
        | {
            "REDIS_URL": redis_url,
            "REDIS_PREFIX": prefix,
            "SECRET_KEY": secrets.token_urlsafe(24),
            "RASA_TOKEN": secrets.token_urlsafe(16),
            "GATEWAY_PORT": str(port),
            "RASA_PORT": str(free_port()),  # nothing there: not asked
            "ACTIONS_PORT": str(free_port()),
            "ENVIRONMENT": environment,
        }
        | (extra or {})
    )
    out = log.open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own module
        [str(APP_PYTHON), "-m", "bot.ops.serve", "gateway"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    out.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=2).status_code in (200, 503):
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the gateway did not start; see {log}")
