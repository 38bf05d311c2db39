"""Set-up and start-up problems end in a message saying what to do, not a traceback."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.ops.ports import free_port, free_ports, port_is_free
from bot.ops.preflight import StackError, ensure_redis
from bot.ops.private import private_settings
from bot.ops.services import Service
from bot.ops.stack import Stack, replica_settings
from bot.ops.supervisor import Supervisor
from bot.ops.train import RASA_DATA, fingerprint
from bot.settings import ROOT, get_settings
from tests.conftest import TEST_REDIS_URL


def test_missing_python_310_is_explained(tmp_path: Path) -> None:
    for name in ("scripts/setup.sh", "requirements-rasa.txt", "requirements.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    bare_path = "/usr/sbin:/sbin"  # no python3.10 here
    result = subprocess.run(
        ["/bin/bash", str(tmp_path / "scripts/setup.sh")],
        env={"PATH": bare_path + ":/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Rasa Open Source 3.6 needs Python 3.10" in result.stderr
    assert "pyenv install 3.10" in result.stderr
    assert "Traceback" not in result.stderr


def make_run(**env: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot.ops.stack run`` on free ports (``env`` overrides), to its end."""
    ports = {v: str(free_port()) for v in ("RASA_PORT", "ACTIONS_PORT", "GATEWAY_PORT")}
    return subprocess.run(
        [sys.executable, "-m", "bot.ops.stack", "run"],
        cwd=ROOT,
        env=os.environ | ports | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_port_in_use_names_the_port_and_variable(model: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = make_run(RASA_PORT=str(port))
    assert result.returncode == 1
    assert f"Port {port} is already in use" in result.stderr
    assert "RASA_PORT=" in result.stderr
    assert "Traceback" not in result.stderr


def test_stack_replicas_start_more_of_each_on_the_next_ports(model: Path) -> None:
    settings = private_settings(TEST_REDIS_URL, "t", stack_replicas=2)
    names = [(s.name, s.port) for s in Stack(settings, model).services]
    a, r, g = settings.actions_port, settings.rasa_port, settings.gateway_port
    assert names == [
        ("actions", a),
        ("actions2", a + 1),
        ("rasa", r),
        ("rasa2", r + 1),
        ("gateway", g),
        ("gateway2", g + 1),
    ]
    rasa = [f"http://127.0.0.1:{r}", f"http://127.0.0.1:{r + 1}"]
    (_, first), (_, second) = replica_settings(settings)
    # Rasa i calls action server i; gateway i spreads over both, its Rasa first.
    assert (first.actions_url, second.actions_url) == (
        f"http://127.0.0.1:{a}",
        f"http://127.0.0.1:{a + 1}",
    )
    assert (first.rasa_urls, second.rasa_urls) == (rasa, rasa[::-1])
    assert [
        n
        for n, _ in replica_settings(settings.model_copy(update={"stack_replicas": 1}))
    ] == [""]
    with socket.socket() as busy:  # the second gateway's port taken
        first = free_ports(2)
        busy.bind(("127.0.0.1", first + 1))
        busy.listen()
        port = first + 1
        result = make_run(
            ACTIONS_PORT=str(free_ports(2)),
            RASA_PORT=str(free_ports(2)),
            GATEWAY_PORT=str(first),
            STACK_REPLICAS="2",
        )
    assert result.returncode == 1
    assert f"Port {port} is already in use" in result.stderr
    assert "GATEWAY_PORT=" in result.stderr


def test_a_bad_setting_is_named_before_anything_starts() -> None:
    result = make_run(RETENTION_DAYS="many")
    assert result.returncode == 1
    assert "Cannot start with this configuration" in result.stderr
    assert "RETENTION_DAYS: Input should be a valid integer" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Starting" not in result.stdout


@pytest.mark.parametrize(
    "content",
    [
        None,
        "business_hours: [oops",
        "business_hours:\n  days:\n    mon: ['08:00', '25:00']\n",
    ],
)
def test_unusable_handoff_settings_are_named_before_anything_starts(
    tmp_path: Path, content: str | None
) -> None:
    config = tmp_path / "handoff.yml"
    if content is not None:
        config.write_text(content, encoding="utf-8")
    result = make_run(HANDOFF_CONFIG=str(config))
    assert result.returncode == 1
    assert f"The handoff settings in {config} cannot be used" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Starting" not in result.stdout


def test_unreachable_redis_without_server_binary_gives_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(StackError) as error:
        ensure_redis(f"redis://127.0.0.1:{free_port()}/0")
    assert "apt-get install -y redis-server" in str(error.value.code)


def test_local_redis_is_started_with_aof(tmp_path: Path) -> None:
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    try:
        note = ensure_redis(url, data_dir=tmp_path)
        assert note is not None and "AOF" in note
        assert ensure_redis(url, data_dir=tmp_path) is None  # already answers
        import redis

        assert redis.Redis.from_url(url).config_get("appendonly")["appendonly"] == "yes"
    finally:
        subprocess.run(
            ["redis-cli", "-p", str(port), "shutdown", "nosave"],
            check=False,
            capture_output=True,
        )


def test_fingerprint_follows_content_not_timestamps(tmp_path: Path) -> None:
    for name in ("domain.yml", "config.yml", "requirements-rasa.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / RASA_DATA, tmp_path / RASA_DATA)
    before = fingerprint(tmp_path)
    os.utime(tmp_path / "domain.yml", (1, 1))
    assert fingerprint(tmp_path) == before
    with (tmp_path / RASA_DATA / "nlu" / "smalltalk.yml").open("a") as handle:
        handle.write("\n")
    assert fingerprint(tmp_path) != before


@pytest.mark.stack
def test_make_run_starts_everything_and_sigterm_stops_every_child(model: Path) -> None:
    ports = {
        name: free_port() for name in ("RASA_PORT", "ACTIONS_PORT", "GATEWAY_PORT")
    }
    env = dict(
        os.environ,
        REDIS_URL=TEST_REDIS_URL,
        REDIS_PREFIX="trun",
        **{k: str(v) for k, v in ports.items()},
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.ops.stack", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = process.stdout.readline() if process.stdout else ""
            if not line and process.poll() is not None:
                break
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        output = "".join(lines)
        assert f"http://127.0.0.1:{ports['GATEWAY_PORT']}/health" in output, output
        health = httpx.get(
            f"http://127.0.0.1:{ports['GATEWAY_PORT']}/health", timeout=10
        )
        assert health.status_code == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(60)
    assert all(port_is_free(port) for port in ports.values())


# A service whose process starts a worker (as Rasa's Sanic manager does) and then
# answers health checks.
MANAGER = """
import http.server, subprocess, sys
worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
open(sys.argv[2], "w").write(str(worker.pid))
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Health).serve_forever()
"""


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_a_killed_manager_leaves_no_worker_behind(tmp_path: Path) -> None:
    """SIGKILL of a manager orphans its workers; restart and stop clear them."""
    port = free_port()
    pidfile = tmp_path / "worker.pid"
    stack = Stack(get_settings(), tmp_path / "unused-model.tar.gz", log_dir=tmp_path)
    service = Service(
        "manager",
        [sys.executable, "-c", MANAGER, str(port), str(pidfile)],
        f"http://127.0.0.1:{port}/",
        dict(os.environ),
        timeout=30,
    )
    stack.services = [service]
    second = 0
    try:
        stack.restart("manager")
        first = int(pidfile.read_text())
        assert service.process is not None
        os.kill(service.process.pid, signal.SIGKILL)
        service.process.wait(10)
        assert _running(first)  # orphaned, as Sanic's workers would be

        stack.restart("manager")
        assert not _running(first)
        second = int(pidfile.read_text())
        assert second != first and _running(second)
    finally:
        stack.stop()
    deadline = time.monotonic() + 10
    while _running(second) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(second)


def test_supervisor_clears_the_group_restarts_and_stops_during_a_restart(
    tmp_path: Path,
) -> None:
    """A crashed manager: its orphaned worker is killed before the restart (after
    1 s), and a stop asked for while it starts again stops the new one too."""
    port = free_port()
    pidfile = tmp_path / "worker.pid"
    stack = Stack(get_settings(), tmp_path / "unused-model.tar.gz", log_dir=tmp_path)
    service = Service(
        "manager",
        [sys.executable, "-c", MANAGER, str(port), str(pidfile)],
        f"http://127.0.0.1:{port}/",
        dict(os.environ),
        timeout=30,
        port=port,
    )
    stack.services = [service]
    said: list[str] = []
    supervisor = Supervisor(stack, max_crashes=5, window_s=60, say=said.append)
    [watch] = supervisor.watches
    try:
        stack.restart("manager")
        first = int(pidfile.read_text())
        assert service.process is not None
        killed = service.process
        os.kill(killed.pid, signal.SIGKILL)
        # Stop (as Ctrl-C would) as soon as it is being started again.
        assert supervisor.run(lambda: watch.state == "starting") == 0
        assert service.process is not killed
        assert not _running(first)
    finally:
        stack.stop()
    assert said[0].startswith("manager stopped unexpectedly (killed by SIGKILL)")
    assert str(tmp_path / "manager.log") in said[0]
    assert said[1].startswith("manager: restarting in 1 s (crash 1 of 5")
    assert said[2].startswith("manager: started again")
    assert service.process.poll() is not None
    assert port_is_free(port)


def test_the_banner_names_the_redis_without_its_password() -> None:
    """A newcomer on a shared Redis sees which one and which prefix `make run` uses;
    a password in the URL is never printed."""
    from bot.ops.preflight import redacted_redis
    from bot.settings import Settings

    settings = Settings(
        redis_url="redis://:s3cret@127.0.0.1:6379/14", redis_prefix="trial"
    )
    said = redacted_redis(settings)
    assert said == "redis://***@127.0.0.1:6379/14, prefix trial"
    assert "s3cret" not in said


def test_the_admin_help_keeps_its_usage_lines() -> None:
    import subprocess
    import sys

    from bot.settings import ROOT

    shown = subprocess.run(
        [sys.executable, "-m", "bot.admin", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    assert "\n    python -m bot.admin list-agents\n" in shown
