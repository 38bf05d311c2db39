"""A private stack to break: its own redis-server (AOF, fsync every second), action
server, Rasa and two gateways on free ports, plus the tally the fault tests fill in.

Nothing here touches the shared Redis or the stack of the other tests. Every fault is
real: ``kill(name)`` sends SIGKILL to the process, ``restart(name)`` starts the same
command again (Redis on the same port and directory, so it replays its append-only
file). The counts of every scenario are printed at the end of the run and written to
``var/test-logs/reliability/summary.json``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.conversations import Conversations
from bot.ops.ports import free_port
from bot.ops.private import private_settings, routing_on
from bot.ops.redis_server import RedisServer
from bot.ops.stack import Stack
from bot.ops.train import ensure_model
from bot.settings import ROOT, Settings
from bot.upstream import RasaClient
from tests.reliability.clients import Agent

LOG_DIR = ROOT / "var" / "test-logs" / "reliability"
# Rasa's timeout in the gateways of this stack: a message a dead gateway was working
# on is answered by another one once its "busy" mark expires (this + 5 s).
RASA_TIMEOUT_S = 8.0
RETENTION_DAYS = 30  # not the default, so the test sees the setting at work
# With appendfsync everysec Redis may hold acknowledged writes in its own memory
# while an earlier fsync is slow: "up to 2 seconds", counted in whole seconds.
FSYNC_WINDOW_S = 3.5


@dataclass
class Counts:
    """What one scenario did and what came of it."""

    faults: int = 0  # processes killed with SIGKILL
    sent: int = 0  # distinct customer messages (client ids)
    acknowledged: int = 0  # whose echo the client saw
    in_flight: int = 0  # stored but not yet answered when the process was killed
    stored: int = 0  # found in the transcript afterwards
    lost: int = 0  # sent but not in the transcript (goal 0)
    lost_fsync_window: int = 0  # echoed < 3.5 s before Redis died, fsync everysec
    duplicates: int = 0  # stored more than once (goal 0)
    answered: int = 0  # followed by a bot, system or agent reply
    unanswered: int = 0  # goal 0
    by_bot: int = 0  # of the answered: by the bot
    apologies: int = 0  # "the assistant is unavailable, a person will help"
    retry_errors: int = 0  # error frames with retry: true the clients got
    reconnects: int = 0  # client reconnects after a dropped socket
    tickets: int = 0  # handoff tickets checked after recovery
    tickets_lost: int = 0  # goal 0
    tickets_duplicated: int = 0  # goal 0
    bot_while_person: int = 0  # bot messages while a person owned the chat (goal 0)
    paused_stale: int = 0  # Rasa paused though no person owns the chat (goal 0)
    pause_missing: int = 0  # queued by the bot, Rasa's saved tracker not paused
    notes: list[str] = field(default_factory=list)  # what went wrong, if anything
    info: list[str] = field(default_factory=list)  # worth knowing, not wrong


@dataclass
class Tally:
    """The counts of every scenario of this run."""

    scenarios: dict[str, Counts] = field(default_factory=dict)

    def scenario(self, name: str) -> Counts:
        """The counts of one scenario (created empty)."""
        return self.scenarios.setdefault(name, Counts())

    def total(self) -> Counts:
        """All scenarios added up."""
        total = Counts()
        for counts in self.scenarios.values():
            for key, value in asdict(counts).items():
                setattr(total, key, getattr(total, key) + value)
        return total

    def table(self) -> str:
        """A plain-text table: one row per count, one column per scenario."""
        columns = {**self.scenarios, "total": self.total()}
        names = [n for n in asdict(Counts()) if n not in ("notes", "info")]
        rows = [("", *columns)]
        for name in names:
            rows.append((name, *(str(getattr(c, name)) for c in columns.values())))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        return "\n".join(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
            for row in rows
        )


TALLY = Tally()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the fault matrix after the run (when any scenario ran)."""
    if not TALLY.scenarios:
        return
    terminalreporter.section("fault injection (tests/reliability)")
    terminalreporter.write_line(TALLY.table())
    for name, counts in TALLY.scenarios.items():
        for note in counts.notes + counts.info:
            terminalreporter.write_line(f"{name}: {note}")
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    summary = {
        "scenarios": {k: asdict(v) for k, v in TALLY.scenarios.items()},
        "total": asdict(TALLY.total()),
    }
    (LOG_DIR / "summary.json").write_text(json.dumps(summary, indent=2))


@pytest.fixture(scope="session")
def tally() -> Tally:
    """The counts every scenario adds to."""
    return TALLY


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (e.g. Rasa's Sanic workers), from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def gone(pid: int) -> bool:
    """Whether a process has exited (a zombie counts as gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return True
    return fields[0] in ("Z", "X")


@dataclass
class FaultStack:
    """The private stack and the faults that can be done to it."""

    stack: Stack
    settings: Settings
    redis_server: RedisServer
    gateways: list[str]  # base URLs: the stack's gateway, then gateway-b

    def kill(self, name: str) -> None:
        """SIGKILL a component of the stack ("redis" or a service name).

        The whole process tree: Rasa is a Sanic manager with worker processes that
        would otherwise go on serving its port.
        """
        if name == "redis":
            self.redis_server.kill()
            return
        process = self.stack.service(name).process
        assert process is not None and process.poll() is None, f"{name} not running"
        tree = [process.pid, *descendants(process.pid)]
        for pid in tree:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(30)
        deadline = time.monotonic() + 30
        while not all(gone(pid) for pid in tree):
            assert time.monotonic() < deadline, f"{name}: {tree} still running"
            time.sleep(0.05)

    def restart(self, name: str) -> None:
        """Start a killed process again with the same command (waits until ready)."""
        if name == "redis":
            self.redis_server.start()
        else:
            self.stack.restart(name)


@pytest.fixture(scope="package")
def fault_stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FaultStack]:
    """Redis (AOF), action server, Rasa and two gateways, private to this suite."""
    model = ensure_model()
    server = RedisServer(tmp_path_factory.mktemp("fault-redis"))
    server.start()
    settings = private_settings(
        server.url,
        "f",
        rasa_timeout_seconds=RASA_TIMEOUT_S,
        retention_days=RETENTION_DAYS,
    )
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    for old in LOG_DIR.glob("*.log"):
        old.unlink()  # this run's logs only
    stack = Stack(settings, model, log_dir=LOG_DIR)
    second = settings.model_copy(update={"gateway_port": free_port()})
    try:
        stack.start()
        stack.add_gateway(second, "gateway-b")
        yield FaultStack(
            stack,
            settings,
            server,
            [
                f"http://127.0.0.1:{settings.gateway_port}",
                f"http://127.0.0.1:{second.gateway_port}",
            ],
        )
    finally:
        workers = [
            pid
            for service in stack.services
            if service.process is not None
            for pid in descendants(service.process.pid)
        ]
        stack.stop()
        server.stop()
        for pid in workers:  # none should be left; make sure
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if request.session.testsfailed:  # keep the logs of a failed run
            kept = LOG_DIR.with_name(f"reliability-failed-{time.strftime('%H%M%S')}")
            shutil.copytree(LOG_DIR, kept)


@pytest.fixture
async def agent_side(fault_stack: FaultStack) -> AsyncIterator[Conversations]:
    """What the console does, on the private stack's Redis and Rasa."""
    s = fault_stack.settings
    rasa = RasaClient(s.rasa_url, 20, s.rasa_api_token())
    async with routing_on(s, rasa, socket_timeout=10) as conversations:
        yield conversations


@pytest.fixture
async def agent(agent_side: Conversations) -> AsyncIterator[Agent]:
    """An agent online for one scenario."""
    person = Agent(agent_side)
    await person.start()
    yield person
    await person.stop()
