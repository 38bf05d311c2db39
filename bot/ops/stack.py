"""Start the whole stack (Redis, action server, Rasa, gateway); stop it cleanly.

``python -m bot.ops.stack run`` is what ``make run`` calls: it starts the stack, then
restarts a service that dies (``Supervisor``, supervisor.py). The integration tests
and the benchmarks use ``Stack`` with their own ports, Redis database and key prefix.
What is checked before the start is in preflight.py; the services' commands and
environments in services.py.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from pydantic import ValidationError

from bot.ops.preflight import (
    StackError,
    check_handoff_config,
    check_ports,
    ensure_redis,
    redacted_redis,
)
from bot.ops.services import (
    Service,
    actions_service,
    gateway_service,
    local_url,
    rasa_service,
    signal_group,
    stop_group,
)
from bot.ops.supervisor import Supervisor
from bot.ops.train import ensure_model
from bot.settings import ROOT, VAR, Settings, get_settings, problems


@dataclass
class Stack:
    """The action server, Rasa and the gateway as child processes of this one."""

    settings: Settings
    model: Path
    log_dir: Path = VAR / "logs"
    services: list[Service] = field(default_factory=list)

    def __post_init__(self) -> None:
        sets = replica_settings(self.settings)
        self.services = [actions_service(s, f"actions{n}") for n, s in sets]
        self.services += [rasa_service(s, self.model, f"rasa{n}") for n, s in sets]
        self.services += [gateway_service(s, f"gateway{n}") for n, s in sets]

    def start(self) -> None:
        """Start every service, kind by kind (the replicas of a kind at once), and
        wait until each is healthy."""
        check_ports(self.settings)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for kind in ("actions", "rasa", "gateway"):
            group = [s for s in self.services if s.name.rstrip("0123456789") == kind]
            for service in group:
                self.spawn(service)
            for service in group:
                self._wait_healthy(service)

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
                signal_group(service.process, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for service in reversed(self.services):
            if service.process is None:
                continue
            with contextlib.suppress(subprocess.TimeoutExpired):
                service.process.wait(max(0.1, deadline - time.monotonic()))
            signal_group(service.process, signal.SIGKILL)
            service.process.wait()


def replica_settings(settings: Settings) -> list[tuple[str, Settings]]:
    """Each set of services ``make run`` starts, with its name suffix ("", "2", ...).

    With ``STACK_REPLICAS`` n the i-th action server, Rasa and gateway listen on
    each port + i. Rasa i calls action server i (``endpoints.yml`` names one action
    endpoint); gateway i spreads over every Rasa, starting with Rasa i, and asks
    action server i for its side calls (docs/deploy.md, "More than one of each").
    """
    n = settings.stack_replicas
    if n == 1:
        return [("", settings)]
    s = settings
    rasa = [local_url(s.rasa_host, s.rasa_port + i) for i in range(n)]
    sets = []
    for i in range(n):
        update = {
            "rasa_port": s.rasa_port + i,
            "actions_port": s.actions_port + i,
            "gateway_port": s.gateway_port + i,
            "rasa_url_setting": ",".join(rasa[i:] + rasa[:i]),
            "actions_url_setting": local_url(s.actions_host, s.actions_port + i),
        }
        sets.append(("" if i == 0 else str(i + 1), s.model_copy(update=update)))
    return sets


def _terminate(service: Service, timeout: float) -> None:
    if service.process is not None:
        stop_group(service.process, timeout)


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
    s = settings
    sets = [r for _, r in replica_settings(s)]
    each = f" ({len(sets)} of each)" if len(sets) > 1 else ""
    print(f"Starting the action server, Rasa and the gateway{each} ...", flush=True)
    stack.start()
    base = f"http://{s.gateway_host}:{s.gateway_port}"
    more = "".join(
        f"  Gateway {n}                       http://{r.gateway_host}:{r.gateway_port}/\n"
        for n, r in enumerate(sets[1:], start=2)
    )
    print(
        "\nReady.\n"
        f"  Demo shop with the chat widget  {base}/\n"
        f"  Agent console                   {base}/console\n"
        f"  Supervisor dashboard            {base}/console/dashboard\n"
        f"  Gateway health                  {base}/health\n"
        f"{more}"
        f"  Rasa (loopback, token in var/)  {', '.join(r.rasa_url for r in sets)}\n"
        f"  Action server (loopback)        {', '.join(r.actions_url for r in sets)}\n"
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
