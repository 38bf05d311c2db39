"""Killed under ``make run``: the real ``python -m bot.ops.stack run`` restarts a
service that dies, the others go on serving, and it gives up after repeated crashes.

One stack for the module (its own redis-server and ports), killed one service after
the other; the last test makes it give up, so it runs last. Every wait is a
condition with a deadline: a stack line, a health check, a reply.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from bot.ops.ports import free_port, port_is_free
from bot.ops.redis_server import RedisServer
from bot.settings import ROOT
from tests.reliability.conftest import descendants, gone

pytestmark = [pytest.mark.reliability, pytest.mark.stack]

MAX_CRASHES = 3  # RESTART_MAX_CRASHES of this stack: the last test reaches it
WINDOW_S = 600
START_S = 400  # the first start (Rasa loads its model; 2 shared cores)
RESTART_S = 300  # a restart, backoff included
# How each service's process is found among the stack's children.
COMMANDS = {
    "actions": "actions.server",
    "rasa": "bot.ops.rasa_main",
    "gateway": "uvicorn",
}


def poll(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """``condition()`` once it is truthy; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"not within {timeout:.0f} s: {what}"
        time.sleep(0.2)


class RunStack:
    """``python -m bot.ops.stack run`` as a child, and what it has printed so far."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.ops.stack", "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        self.reader = threading.Thread(
            target=self._read, args=(self.process.stdout,), daemon=True
        )
        self.reader.start()
        self.gateway = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
        self.health = {
            "actions": f"http://127.0.0.1:{env['ACTIONS_PORT']}/health",
            "rasa": f"http://127.0.0.1:{env['RASA_PORT']}/status?token={env['RASA_TOKEN']}",
            "gateway": f"{self.gateway}/health",
        }

    def _read(self, out: IO[str]) -> None:
        for line in out:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def line(self, text: str, start: int, timeout: float = RESTART_S) -> int:
        """The index of the first line from ``start`` on that contains ``text``."""

        def found() -> int | None:
            ended = not self.reader.is_alive()  # then every line has been read
            for index in range(start, len(self.lines)):
                if text in self.lines[index]:
                    return index + 1  # truthy, even for the first line
            assert not ended, "the stack exited"
            return None

        try:
            return int(poll(found, timeout, repr(text))) - 1
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- stack output:\n{self.output}") from None

    def child(self, name: str) -> int:
        """The pid of the service's process (a child of the stack)."""
        for pid in descendants(self.process.pid):
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if COMMANDS[name].encode() in command and not gone(pid):
                return pid
        raise AssertionError(f"no {name} process under the stack")

    def kill(self, name: str) -> int:
        """SIGKILL the service's main process only (Rasa: the Sanic manager)."""
        pid = self.child(name)
        os.kill(pid, signal.SIGKILL)
        return pid

    def healthy(self, name: str) -> bool:
        try:
            return httpx.get(self.health[name], timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def ask(self, text: str) -> list[dict[str, Any]]:
        """A new widget/API customer's message, and the replies it got."""
        with httpx.Client(base_url=self.gateway, timeout=60) as http:
            created = http.post("/api/sessions")
            assert created.status_code == 201, created.text
            session = created.json()["session"]
            response = http.post(
                "/api/messages", headers={"X-Session": session}, json={"text": text}
            )
        assert response.status_code == 200, response.text
        return list(response.json()["replies"])


def apologised(replies: list[dict[str, Any]]) -> bool:
    """The "bot unavailable" apology with a place in the human queue."""
    return any(
        r["author"] == "system" and r.get("data", {}).get("reason") == "bot_unavailable"
        for r in replies
    )


def bot_answers(stack: RunStack) -> None:
    """A new customer's "where is my order?" gets the bot's own answer."""
    replies = stack.ask("where is my order?")
    bot = [r for r in replies if r["author"] == "bot"]
    assert bot and "order number" in bot[0]["text"].lower(), replies


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunStack]:
    """The real stack runner on free ports with a private redis-server."""
    redis_server = RedisServer(tmp_path_factory.mktemp("supervise-redis"))
    redis_server.start()
    ports = {v: str(free_port()) for v in ("RASA_PORT", "ACTIONS_PORT", "GATEWAY_PORT")}
    env = os.environ | ports
    env.update(
        REDIS_URL=redis_server.url,
        REDIS_PREFIX="s" + secrets.token_hex(4),
        RASA_TOKEN=secrets.token_urlsafe(16),
        SECRET_KEY=secrets.token_urlsafe(16),
        ENVIRONMENT="development",
        RATE_IP_EXEMPT="127.0.0.1,::1",
        RESTART_MAX_CRASHES=str(MAX_CRASHES),
        RESTART_WINDOW_SECONDS=str(WINDOW_S),
    )
    stack = RunStack(env)
    seen: set[int] = set()
    try:
        stack.line("Press Ctrl-C to stop", 0, START_S)
        yield stack
    finally:
        seen.update(descendants(stack.process.pid))
        if stack.process.poll() is None:
            os.killpg(stack.process.pid, signal.SIGTERM)
            stack.process.wait(90)
        for pid in seen:  # nothing should be left; make sure
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        redis_server.stop()


def test_action_server_killed_is_restarted_and_customers_get_an_answer_meanwhile(
    run: RunStack,
) -> None:
    start = len(run.lines)
    run.kill("actions")
    run.line("actions stopped unexpectedly (killed by SIGKILL)", start)
    run.line("actions: restarting in 1 s", start)
    # While it is away Rasa says nothing; the gateway apologises and queues the chat.
    replies = run.ask("where is my order?")
    assert apologised(replies), replies

    run.line("actions is healthy again", start)
    assert run.process.poll() is None
    assert run.healthy("actions")
    poll(lambda: run.healthy("gateway"), 60, "the gateway healthy again")
    bot_answers(run)


def test_rasa_killed_is_restarted_while_a_gateway_crash_is_still_noticed(
    run: RunStack,
) -> None:
    start = len(run.lines)
    manager = run.child("rasa")
    workers = descendants(manager)
    assert workers, "Rasa runs Sanic workers under its manager"
    run.kill("rasa")  # the manager only: its workers are orphaned
    run.line("rasa stopped unexpectedly (killed by SIGKILL)", start)
    poll(lambda: all(gone(pid) for pid in workers), 30, "Rasa's orphaned workers gone")
    replies = run.ask("hello, can you help me?")
    assert apologised(replies), replies

    # While Rasa loads, the gateway dies: noticed and restarted at once.
    run.kill("gateway")
    crash = run.line("gateway stopped unexpectedly (killed by SIGKILL)", start)
    rasa_back = [i for i, t in enumerate(run.lines) if "rasa is healthy again" in t]
    assert not [i for i in rasa_back if start <= i < crash], "Rasa was back too soon"
    run.line("gateway is healthy again", crash)
    run.line("rasa is healthy again", start)
    assert run.process.poll() is None
    assert run.healthy("rasa")
    poll(lambda: run.healthy("gateway"), 60, "the gateway healthy again")
    bot_answers(run)


def test_a_service_that_keeps_crashing_ends_the_run_with_a_clear_message(
    run: RunStack,
) -> None:
    others = [run.child("actions"), run.child("rasa"), *descendants(run.child("rasa"))]
    for _ in range(MAX_CRASHES):  # fewer when earlier tests killed it already
        poll(
            lambda: run.healthy("gateway") or run.process.poll() is not None,
            RESTART_S,
            "the gateway healthy (or the stack ended)",
        )
        if run.process.poll() is not None:
            break
        start = len(run.lines)
        run.kill("gateway")
        # "stopped unexpectedly", or "stopped while starting" when this test saw it
        # healthy before the supervisor did: a crash either way.
        run.line("gateway stopped", start)
    assert run.process.wait(120) == 1
    output = run.output
    assert (
        f"gateway crashed {MAX_CRASHES} times within {WINDOW_S} s; giving up" in output
    )
    assert str(ROOT / "var" / "logs" / "gateway.log") in output
    assert "Stopping ..." in output
    for name in ("RASA_PORT", "ACTIONS_PORT", "GATEWAY_PORT"):
        poll(partial(port_is_free, int(run.env[name])), 30, f"{name} free")
    poll(lambda: all(gone(pid) for pid in others), 30, "the other services stopped")
