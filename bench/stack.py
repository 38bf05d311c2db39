"""A whole stack of a benchmark's own (``own_stack``): action server, Rasa and
gateway on free ports with their own key prefix, cleaned afterwards; its logs go to
``LOG_DIR``. Used by bench/load.py, bench/fanout.py, bench/connections.py and
bench/handoff_latency.py (bench/lone_gateway.py starts a gateway alone). A Redis
alone, the one given or a redis-server of the benchmark's own
(``given_or_own_redis``): bench/queue.py and bench/report_build.py.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.ops.preflight import ensure_redis
from bot.ops.private import private_settings, private_stack
from bot.ops.redis_server import RedisServer
from bot.ops.stack import Stack
from bot.ops.train import ensure_model
from bot.settings import ROOT, get_settings

LOG_DIR = ROOT / "var" / "bench-logs"


@contextmanager
def own_stack(telegram_api_url: str = "") -> Iterator[Stack]:
    """A whole stack on free ports with its own key prefix, cleaned afterwards."""
    settings = get_settings()
    ensure_redis(settings.redis_url)
    telegram: dict[str, Any] = {}
    if telegram_api_url:
        telegram = {
            "telegram_token": f"{secrets.randbelow(10**9)}:b-{secrets.token_hex(8)}",
            "telegram_secret_token": secrets.token_urlsafe(16),
            "telegram_api_url": telegram_api_url,
        }
    own = private_settings(settings.redis_url, "bench", **telegram)
    print(f"starting a stack (logs in {LOG_DIR}) ...", flush=True)
    with private_stack(own, ensure_model(), LOG_DIR) as stack:
        yield stack


@contextmanager
def given_or_own_redis(url: str, name: str) -> Iterator[tuple[str, bool]]:
    """The Redis at ``url`` or, when ``url`` is "", a redis-server of the
    benchmark's own (no append-only file) in a temporary directory named after
    ``name``, stopped and removed afterwards: its URL, and whether it is the
    benchmark's own (a given one keeps other clients' keys: delete only yours)."""
    if url:
        yield url, False
        return
    with tempfile.TemporaryDirectory(prefix=f"{name}-") as directory:
        server = RedisServer(Path(directory), appendfsync=None)
        server.start()
        try:
            yield server.url, True
        finally:
            server.stop()
