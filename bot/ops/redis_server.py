"""A private redis-server for a test or a benchmark: its own port and directory.

The tests that kill Redis (durability, reliability, ``make run`` supervision) and the
queue benchmark start one of these instead of touching the shared Redis.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

import redis

from bot.ops.ports import free_port


class RedisServer:
    """A private redis-server on a free port of 127.0.0.1 with its own directory.

    ``appendfsync``: ``"always"`` (each write on disk before the answer),
    ``"everysec"`` (as ``make run``), or None for no append-only file at all.
    """

    def __init__(
        self, directory: Path, *, appendfsync: str | None = "everysec"
    ) -> None:
        self.directory = directory
        self.port = free_port()
        self.appendfsync = appendfsync
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The URL of its database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 60) -> None:
        """Start (or start again on the same port and directory) and wait for PING."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(
                "redis-server is not installed (sudo apt-get install -y redis-server)"
            )
        self.directory.mkdir(parents=True, exist_ok=True)
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--dir", str(self.directory), "--save", ""]
        if self.appendfsync is None:
            args += ["--appendonly", "no"]
        else:
            args += ["--appendonly", "yes", "--appendfsync", self.appendfsync]
        args += ["--logfile", str(self.directory / "redis.log")]
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL)  # noqa: S603
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    if client.ping():
                        return
                except (redis.ConnectionError, redis.BusyLoadingError, OSError):
                    pass
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server on {self.port} did not start")
                time.sleep(0.02)
        finally:
            client.close()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no final write."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """Terminate if running."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
