"""The three services of the stack (action server, Rasa, gateway): their commands,
environments and health URLs, and how a service's process group is stopped.

``make run`` (stack.py) and ``python -m bot.ops.serve`` (one service alone) start the
very same commands built here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bot.inputs import MAX_FRAME_BYTES
from bot.ops.train import RASA_BIN, rasa_env
from bot.settings import ROOT, Settings

APP_PYTHON = ROOT / ".venv" / "bin" / "python"


def app_env(settings: Settings) -> dict[str, str]:
    """Environment of the action server and the gateway."""
    env = dict(os.environ)
    env.update(
        REDIS_URL=settings.redis_url,
        REDIS_PREFIX=settings.redis_prefix,
        REDIS_MAX_CONNECTIONS=str(settings.redis_max_connections),
        RASA_HOST=settings.rasa_host,
        RASA_PORT=str(settings.rasa_port),
        ACTIONS_HOST=settings.actions_host,
        ACTIONS_PORT=str(settings.actions_port),
        GATEWAY_PORT=str(settings.gateway_port),
        RASA_TOKEN=settings.rasa_api_token(),
        SECRET_KEY=settings.secret_key,
        CUSTOMER_TOKEN_SECRET=settings.customer_token_secret,
        ENVIRONMENT=settings.environment,
        RATE_IP_EXEMPT=settings.rate_ip_exempt,
        TELEGRAM_TOKEN=settings.telegram_token,
        TELEGRAM_MODE=settings.telegram_mode,
        TELEGRAM_SECRET_TOKEN=settings.telegram_secret_token,
        TELEGRAM_WEBHOOK_URL=settings.telegram_webhook_url,
        TELEGRAM_API_URL=settings.telegram_api_url,
        RASA_TIMEOUT_SECONDS=str(settings.rasa_timeout_seconds),
        RASA_IN_FLIGHT=str(settings.rasa_in_flight),
        RASA_QUEUE_SECONDS=str(settings.rasa_queue_seconds),
        RETENTION_DAYS=str(settings.retention_days),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        PYTHONPATH=str(ROOT),
    )
    if settings.forwarded_allow_ips:  # read by uvicorn itself
        env["FORWARDED_ALLOW_IPS"] = settings.forwarded_allow_ips
    # Only when given: unset, each process derives them from the ports above.
    for name, value in (
        ("RASA_URL", settings.rasa_url_setting),
        ("ACTIONS_URL", settings.actions_url_setting),
    ):
        if value:
            env[name] = value
        else:
            env.pop(name, None)
    return env


def rasa_service_env(settings: Settings) -> dict[str, str]:
    """Environment of any Rasa command that reads endpoints.yml."""
    env = rasa_env() | app_env(settings)
    # Trackers are kept as long as transcripts unless TRACKER_TTL_SECONDS says so.
    tracker_ttl = settings.tracker_ttl_seconds or settings.retention_s
    env["TRACKER_TTL_SECONDS"] = str(tracker_ttl)
    env["ACTIONS_URL"] = settings.actions_url  # endpoints.yml's action_endpoint
    env["SANIC_WORKERS"] = str(settings.rasa_workers)
    # Rasa's per-conversation lock: a request that died with Rasa or lost Redis
    # leaves its ticket behind, and the conversation waits until it expires
    # (default 60 s). The gateway gives up after RASA_TIMEOUT_SECONDS anyway.
    env["TICKET_LOCK_LIFETIME"] = str(round(settings.rasa_timeout_seconds) + 5)
    return env


@dataclass
class Service:
    """One child process and how to tell that it is ready."""

    name: str
    command: list[str]
    health_url: str
    env: dict[str, str]
    timeout: float
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    ready: tuple[int, ...] = (200,)  # health statuses that mean "up"
    # Health statuses that mean "this process serves" when it is restarted while
    # the others may be down (the gateway answers 503 while Rasa still loads).
    serving: tuple[int, ...] = (200,)
    port: int = 0  # the port it listens on (must be free before a restart)


def local_url(host: str, port: int) -> str:
    """Where a service listening on ``host:port`` answers on this machine."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - every address: loopback too
        host = "127.0.0.1"
    host = host.strip("[]")
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _app_service(
    settings: Settings,
    name: str,
    program: tuple[str, ...],
    host: str,
    port: int,
    *,
    timeout: float,
    options: tuple[str, ...] = (),
    serving: tuple[int, ...] = (200,),
) -> Service:
    """``python -m <program> --host <host> --port <port> <options>`` of the app's
    environment as a service; ready when its /health answers (the action server and
    the gateway are started and watched alike)."""
    return Service(
        name,
        [
            str(APP_PYTHON),
            "-m",
            *program,
            "--host",
            host,
            "--port",
            str(port),
            *options,
        ],
        local_url(host, port) + "/health",
        app_env(settings),
        timeout=timeout,
        serving=serving,
        port=port,
    )


def actions_service(settings: Settings, name: str = "actions") -> Service:
    """The action server as a service; ready when its /health answers."""
    return _app_service(
        settings,
        name,
        ("actions.server",),
        settings.actions_host,
        settings.actions_port,
        timeout=120,
    )


def rasa_service(settings: Settings, model: Path, name: str = "rasa") -> Service:
    """The Rasa server with ``model`` as a service; ready when /status answers."""
    token = settings.rasa_api_token()
    return Service(
        name,
        [
            str(RASA_BIN.with_name("python")),
            "-m",
            "bot.ops.rasa_main",  # rasa, with personal data masked in its log
            "run",
            "-i",
            settings.rasa_host,
            "-p",
            str(settings.rasa_port),
            "--enable-api",  # token: RASA_TOKEN in its environment, not in ps
            "--model",
            str(model),
            "--endpoints",
            str(ROOT / "endpoints.yml"),
            "--credentials",
            str(ROOT / "credentials.yml"),
        ],
        local_url(settings.rasa_host, settings.rasa_port) + f"/status?token={token}",
        rasa_service_env(settings),
        timeout=240,
        port=settings.rasa_port,
    )


def gateway_service(settings: Settings, name: str = "gateway") -> Service:
    """The gateway (uvicorn) as a service; ready when its /health answers."""
    return _app_service(
        settings,
        name,
        ("uvicorn", "bot.app:app"),
        settings.gateway_host,
        settings.gateway_port,
        timeout=60,
        options=(
            "--no-access-log",
            "--ws-max-size",
            str(MAX_FRAME_BYTES),
            "--ws-per-message-deflate",
            "false",
            "--timeout-graceful-shutdown",
            "5",
        ),
        serving=(200, 503),  # 503: it serves, but Rasa or the actions are down
    )


def stop_group(process: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM to the process group ``process`` leads (started with
    ``start_new_session=True``), SIGKILL after ``timeout`` seconds.

    What is left of the group once its leader is gone (Sanic workers orphaned by a
    killed manager) is killed too.
    """
    signal_group(process, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout)
    signal_group(process, signal.SIGKILL)
    process.wait()


def signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    """Send ``signum`` to the process group the service was started in.

    The group id is the leader's pid (``start_new_session``); it stays valid while
    any member lives, even after the leader exited.
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)
