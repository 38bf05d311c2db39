"""``make run``'s supervisor: brings back a service of the stack that exited, with a
growing delay, and gives up when one crashes too often.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from bot.ops.ports import port_is_free
from bot.ops.services import Service, signal_group


class Supervised(Protocol):
    """What the supervisor needs of a started stack (``Stack`` in stack.py)."""

    services: list[Service]

    def spawn(self, service: Service) -> None:
        """Start a service's process and return at once."""

    def log_tail(self, service: Service, lines: int = 20) -> str:
        """The last lines of a service's log."""


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
        stack: Supervised,
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
        signal_group(service.process, signal.SIGKILL)
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


def _say(text: str) -> None:
    """A supervisor event on stderr, with the time of day."""
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)
