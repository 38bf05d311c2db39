"""Start the whole stack (Redis, action server, Rasa, gateway); stop it cleanly.

``python -m bot.ops.stack run`` is what ``make run`` calls: it starts the stack, then
restarts a service that dies (``Supervisor``). The integration tests and the
benchmarks use ``Stack`` with their own ports, Redis database and key prefix.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import redis
import yaml
from pydantic import ValidationError
from redis.exceptions import RedisClusterException

from bot.handoff.config import config_path, load_config
from bot.inputs import MAX_FRAME_BYTES
from bot.ops.ports import port_is_free
from bot.ops.train import RASA_BIN, ensure_model, rasa_env
from bot.redisurl import parse, sync_client
from bot.settings import ROOT, VAR, Settings, get_settings, problems

APP_PYTHON = ROOT / ".venv" / "bin" / "python"


class StackError(SystemExit):
    """A problem the user can fix; the message says how."""


def redis_answers(url: str) -> bool:
    """Whether a Redis server answers PING at ``url``."""
    try:
        client = sync_client(url, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except (redis.RedisError, RedisClusterException, OSError, ValueError):
        return False


def ensure_redis(url: str, data_dir: Path = VAR / "redis") -> str | None:
    """Make sure Redis answers at ``url``; start a local one with AOF if it does not.

    Args:
        url: REDIS_URL.
        data_dir: where a started server keeps its append-only file.

    Returns:
        A note on what was done, or None when Redis already answered.
    """
    if redis_answers(url):
        return None
    if parse(url).kind != "plain":
        raise StackError(
            f"Redis does not answer at {url}. Start the Sentinel or Cluster "
            "servers it names (make run starts only a single local Redis)."
        )
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    if host not in ("127.0.0.1", "localhost"):
        raise StackError(f"Redis does not answer at {url}. Start it, or set REDIS_URL.")
    server = shutil.which("redis-server")
    if server is None:
        raise StackError(
            f"Redis does not answer at {url} and redis-server is not installed.\n"
            "Install it with:  sudo apt-get install -y redis-server   (Debian/Ubuntu)\n"
            "or point REDIS_URL at a running Redis 7."
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 - redis-server found on PATH, fixed arguments
        [
            server,
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(data_dir),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
            "--pidfile",
            str(data_dir / "redis.pid"),
            "--logfile",
            str(data_dir / "redis.log"),
        ],
        check=True,
    )
    for _ in range(50):
        if redis_answers(url):
            return f"started redis-server on 127.0.0.1:{port} (AOF in {data_dir})"
        time.sleep(0.1)
    raise StackError(f"redis-server did not come up; see {data_dir / 'redis.log'}")


def check_ports(settings: Settings) -> None:
    """Refuse to start when a port is taken, naming the variable to change."""
    for port, var in (
        (settings.actions_port, "ACTIONS_PORT"),
        (settings.rasa_port, "RASA_PORT"),
        (settings.gateway_port, "GATEWAY_PORT"),
    ):
        if not port_is_free(port):
            raise StackError(
                f"Port {port} is already in use. Stop what uses it, or choose another "
                f"port: {var}=<port> make run"
            )


def check_handoff_config() -> None:
    """Refuse to start with handoff settings the gateway and actions cannot read."""
    path = config_path()
    try:
        load_config(path)
    except (OSError, ValueError, TypeError, AttributeError, yaml.YAMLError) as error:
        raise StackError(
            f"The handoff settings in {path} cannot be used: {error}. Fix the file, "
            "or point HANDOFF_CONFIG at another (data/handoff.yml is the example)."
        ) from None


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


def actions_service(settings: Settings) -> Service:
    """The action server as a service; ready when its /health answers."""
    return Service(
        "actions",
        [
            str(APP_PYTHON),
            "-m",
            "actions.server",
            "--host",
            settings.actions_host,
            "--port",
            str(settings.actions_port),
        ],
        local_url(settings.actions_host, settings.actions_port) + "/health",
        app_env(settings),
        timeout=120,
        port=settings.actions_port,
    )


def rasa_service(settings: Settings, model: Path) -> Service:
    """The Rasa server with ``model`` as a service; ready when /status answers."""
    token = settings.rasa_api_token()
    return Service(
        "rasa",
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
    return Service(
        name,
        [
            str(APP_PYTHON),
            "-m",
            "uvicorn",
            "bot.app:app",
            "--host",
            settings.gateway_host,
            "--port",
            str(settings.gateway_port),
            "--no-access-log",
            "--ws-max-size",
            str(MAX_FRAME_BYTES),
            "--timeout-graceful-shutdown",
            "5",
        ],
        local_url(settings.gateway_host, settings.gateway_port) + "/health",
        app_env(settings),
        timeout=60,
        serving=(200, 503),  # 503: it serves, but Rasa or the actions are down
        port=settings.gateway_port,
    )


@dataclass
class Stack:
    """The action server, Rasa and the gateway as child processes of this one."""

    settings: Settings
    model: Path
    log_dir: Path = VAR / "logs"
    services: list[Service] = field(default_factory=list)

    def __post_init__(self) -> None:
        s = self.settings
        self.services = [
            actions_service(s),
            rasa_service(s, self.model),
            gateway_service(s),
        ]

    def start(self) -> None:
        """Start every service in order and wait until each is healthy."""
        check_ports(self.settings)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for service in self.services:
            self._launch(service)

    def add_gateway(
        self, settings: Settings, name: str, *, degraded_ok: bool = False
    ) -> Service:
        """Start one more gateway process (another port, maybe other settings).

        Used to show that two gateways on one Redis deliver each other's messages;
        with ``degraded_ok`` it is ready once /health answers at all (e.g. pointed
        at a Rasa port where nothing listens).
        """
        service = gateway_service(settings, name)
        if degraded_ok:
            service.ready = (200, 503)
        self.services.append(service)
        self._launch(service)
        return service

    def remove(self, service: Service, timeout: float = 15) -> None:
        """Stop a service started with ``add_gateway`` and forget it."""
        _terminate(service, timeout)
        self.services.remove(service)

    def service(self, name: str) -> Service:
        """The service called ``name`` (KeyError when there is none)."""
        for service in self.services:
            if service.name == name:
                return service
        raise KeyError(name)

    def restart(self, name: str) -> Service:
        """Start a service again (stopping it first if it still runs); wait for it.

        The fault-injection tests kill a service with SIGKILL and bring it back
        with the same command, ports and environment.
        """
        service = self.service(name)
        _terminate(service, 10)
        self._launch(service)
        return service

    def _launch(self, service: Service) -> None:
        self.spawn(service)
        self._wait_healthy(service)

    def spawn(self, service: Service) -> None:
        """Start a service's process and return at once (its log: ``log_dir``)."""
        service.log_path = self.log_dir / f"{service.name}.log"
        out = service.log_path.open("ab")
        service.process = subprocess.Popen(  # noqa: S603 - our own commands, no shell
            service.command,
            cwd=ROOT,
            env=service.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Its own process group: Rasa's Sanic manager has worker processes that
            # outlive a killed manager and go on serving its port; stopping the
            # group stops them too.
            start_new_session=True,
        )
        out.close()

    def _wait_healthy(self, service: Service) -> None:
        deadline = time.monotonic() + service.timeout
        with httpx.Client(timeout=2) as client:
            while time.monotonic() < deadline:
                assert service.process is not None
                if service.process.poll() is not None:
                    self.stop()
                    raise StackError(
                        f"{service.name} exited with code "
                        f"{service.process.returncode}:\n{self.log_tail(service)}"
                    )
                try:
                    if client.get(service.health_url).status_code in service.ready:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.3)
        self.stop()
        raise StackError(
            f"{service.name} was not healthy after {service.timeout:.0f} s:\n"
            + self.log_tail(service)
        )

    def log_tail(self, service: Service, lines: int = 20) -> str:
        """The last lines of a service's log."""
        if service.log_path is None or not service.log_path.exists():
            return ""
        text = service.log_path.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(text)

    def dead(self) -> Service | None:
        """A service that exited, if any."""
        for service in self.services:
            if service.process is not None and service.process.poll() is not None:
                return service
        return None

    def stop(self, timeout: float = 10) -> None:
        """Stop every started service (gateway first), killing what does not stop."""
        for service in reversed(self.services):
            if service.process is not None:
                _signal_group(service.process, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for service in reversed(self.services):
            if service.process is None:
                continue
            with contextlib.suppress(subprocess.TimeoutExpired):
                service.process.wait(max(0.1, deadline - time.monotonic()))
            _signal_group(service.process, signal.SIGKILL)
            service.process.wait()


def _terminate(service: Service, timeout: float) -> None:
    if service.process is not None:
        stop_group(service.process, timeout)


def stop_group(process: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM to the process group ``process`` leads (started with
    ``start_new_session=True``), SIGKILL after ``timeout`` seconds.

    What is left of the group once its leader is gone (Sanic workers orphaned by a
    killed manager) is killed too.
    """
    _signal_group(process, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout)
    _signal_group(process, signal.SIGKILL)
    process.wait()


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    """Send ``signum`` to the process group the service was started in.

    The group id is the leader's pid (``start_new_session``); it stays valid while
    any member lives, even after the leader exited.
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


# How ``make run`` brings back a service that exited (Supervisor): the first
# restart 1 s after the crash, each further crash within the window doubles the
# wait, up to 30 s. RESTART_MAX_CRASHES crashes of one service within
# RESTART_WINDOW_SECONDS (settings: 5 in 300 s) end the run.
RESTART_DELAY_S = 1.0
RESTART_DELAY_MAX_S = 30.0
# How long a restart waits for the crashed process's port to be free again.
PORT_FREE_TIMEOUT_S = 30.0
SUPERVISE_INTERVAL_S = 0.5


@dataclass
class Watch:
    """What the supervisor knows about one service."""

    service: Service
    state: str = "up"  # up | waiting (for its restart) | starting
    since: float = 0.0  # when it crashed ("waiting") or was started ("starting")
    restart_at: float = 0.0  # when a waiting service is started again
    crashes: list[float] = field(default_factory=list)  # within the window


class Supervisor:
    """Keeps the services of a started ``Stack`` running, one loop for all.

    Nothing in the loop waits on one service: a crashed one is restarted after
    its backoff and polled for health while the others go on being watched (a
    gateway that dies while Rasa loads is noticed and restarted at once).
    """

    def __init__(
        self,
        stack: Stack,
        max_crashes: int,
        window_s: float,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.stack = stack
        self.max_crashes = max_crashes
        self.window_s = window_s
        self.say = say or _say
        self.watches = [Watch(service) for service in stack.services]

    def run(self, stopping: Callable[[], bool]) -> int:
        """Supervise until ``stopping()``; 0 then, or 1 after giving up.

        Stops nothing itself: the caller stops the stack either way.
        """
        with httpx.Client(timeout=2) as client:
            while not stopping():
                for watch in self.watches:
                    if stopping():
                        break
                    if not self.check(watch, client):
                        return 1
                time.sleep(SUPERVISE_INTERVAL_S)
        return 0

    def check(self, watch: Watch, client: httpx.Client) -> bool:
        """One look at one service; False when it is time to give up."""
        service, now = watch.service, time.monotonic()
        process = service.process
        assert process is not None
        code = process.poll()
        if watch.state == "up":
            if code is not None:
                return self.crashed(watch, f"stopped unexpectedly ({_exit(code)})")
        elif watch.state == "waiting":
            if now < watch.restart_at:
                return True
            if service.port and not port_is_free(service.port):
                if now - watch.restart_at < PORT_FREE_TIMEOUT_S:
                    return True  # e.g. a dying worker still holds it
                return self.crashed(
                    watch, f"cannot start again: port {service.port} stays in use"
                )
            self.stack.spawn(service)
            watch.state, watch.since = "starting", now
            assert service.process is not None
            self.say(f"{service.name}: started again (pid {service.process.pid})")
        elif code is not None:  # starting
            return self.crashed(watch, f"stopped while starting ({_exit(code)})")
        elif _answers(client, service.health_url, service.serving):
            watch.state = "up"
            self.say(
                f"{service.name} is healthy again "
                f"({now - watch.since:.0f} s after its restart)"
            )
        elif now - watch.since > service.timeout:
            return self.crashed(
                watch, f"was not healthy {service.timeout:.0f} s after its restart"
            )
        return True

    def crashed(self, watch: Watch, what: str) -> bool:
        """Note a crash, clear what is left of the process group, plan the restart.

        False when the service crashed too often within the window.
        """
        service, now = watch.service, time.monotonic()
        assert service.process is not None
        # Sanic workers of a killed manager would go on holding the port.
        _signal_group(service.process, signal.SIGKILL)
        service.process.wait()
        watch.crashes = [t for t in watch.crashes if now - t < self.window_s]
        watch.crashes.append(now)
        crashes = len(watch.crashes)
        tail = "\n".join(
            f"  | {line}" for line in self.stack.log_tail(service).splitlines() if line
        )
        self.say(f"{service.name} {what}. The end of {service.log_path}:\n{tail}")
        if crashes >= self.max_crashes:
            self.say(
                f"{service.name} crashed {crashes} times within "
                f"{self.window_s:.0f} s; giving up. Stopping everything. "
                f"See {service.log_path} for why it crashed "
                "(RESTART_MAX_CRASHES, RESTART_WINDOW_SECONDS)."
            )
            return False
        delay = min(RESTART_DELAY_S * 2 ** (crashes - 1), RESTART_DELAY_MAX_S)
        self.say(
            f"{service.name}: restarting in {delay:.0f} s (crash {crashes} of "
            f"{self.max_crashes} allowed within {self.window_s:.0f} s); "
            "the other services go on serving"
        )
        watch.state, watch.since, watch.restart_at = "waiting", now, now + delay
        return True


def _exit(code: int) -> str:
    """A process's return code in words: "exit code 1", "killed by SIGKILL"."""
    if code >= 0:
        return f"exit code {code}"
    try:
        return f"killed by {signal.Signals(-code).name}"
    except ValueError:
        return f"killed by signal {-code}"


def _answers(client: httpx.Client, url: str, statuses: tuple[int, ...]) -> bool:
    try:
        return client.get(url).status_code in statuses
    except httpx.HTTPError:
        return False


def redacted_redis(settings: Settings) -> str:
    """Which Redis and prefix the stack uses, without a password in the URL."""
    url = re.sub(r"//[^@/]*@", "//***@", settings.redis_url)
    return f"{url}, prefix {settings.redis_prefix}"


def _say(text: str) -> None:
    """A supervisor event on stderr, with the time of day."""
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def run() -> int:
    """``make run``: everything up, URLs printed, until Ctrl-C or SIGTERM."""
    settings = get_settings()
    note = ensure_redis(settings.redis_url)
    if note:
        print(note, flush=True)
    check_ports(settings)
    check_handoff_config()
    stack = Stack(settings, ensure_model())
    stop = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    print("Starting the action server, Rasa and the gateway ...", flush=True)
    stack.start()
    s = settings
    base = f"http://{s.gateway_host}:{s.gateway_port}"
    print(
        "\nReady.\n"
        f"  Demo shop with the chat widget  {base}/\n"
        f"  Agent console                   {base}/console\n"
        f"  Supervisor dashboard            {base}/console/dashboard\n"
        f"  Gateway health                  {base}/health\n"
        f"  Rasa (loopback, token in var/)  {s.rasa_url}\n"
        f"  Action server (loopback)        {s.actions_url}\n"
        f"  Logs                            {stack.log_dir}/\n"
        f"  Redis                           {redacted_redis(s)}\n"
        "Create an agent for the console (another terminal, the same REDIS_URL and\n"
        "REDIS_PREFIX; it asks for the password):\n"
        "  .venv/bin/python -m bot.admin add-agent alex --display-name Alex\n"
        "A service that stops is restarted; what happens is reported here.\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    supervisor = Supervisor(stack, s.restart_max_crashes, s.restart_window_seconds)
    try:
        code = supervisor.run(lambda: stop)
    finally:
        print("Stopping ...", flush=True)
        stack.stop()
    return code


def main() -> None:
    """Command line entry point."""
    if sys.argv[1:] != ["run"]:
        raise SystemExit("usage: python -m bot.ops.stack run")
    try:
        sys.exit(run())
    except StackError as error:
        print(error.code if isinstance(error.code, str) else error, file=sys.stderr)
        sys.exit(1)
    except ValidationError as error:  # the settings: say which and why, no traceback
        lines = "\n".join(f"  {line}" for line in problems(error))
        print(f"Cannot start with this configuration:\n{lines}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
