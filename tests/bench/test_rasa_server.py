"""The Rasa server a benchmark starts is gone afterwards, Sanic workers included."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest

from bench.rasa_server import rasa_server
from bot.settings import Settings

pytestmark = pytest.mark.stack


def test_a_benchmark_rasa_leaves_no_worker_behind(
    model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RASA_PORT", "1")  # no running server to reuse: start one
    monkeypatch.setenv("RASA_WORKERS", "2")  # a Sanic manager with two workers
    monkeypatch.setattr("bench.rasa_server.get_settings", Settings)  # reads them
    with rasa_server(model=model) as rasa, httpx.Client(timeout=30) as client:
        assert rasa.parse(client, "where is my order")["intent"]["name"]
        port = int(rasa.url.rsplit(":", 1)[1])
        group = {
            pid
            for pid in map(int, filter(str.isdigit, os.listdir("/proc")))
            if f"-p\0{port}\0".encode() in _cmdline(pid)
        }
    assert len(group) >= 2, group  # the manager and its workers were there
    deadline = time.monotonic() + 10  # killed workers take a moment to be gone
    while any(_running(pid) for pid in group):
        assert time.monotonic() < deadline, [p for p in group if _running(p)]
        time.sleep(0.1)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _running(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
