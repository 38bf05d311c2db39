"""What a benchmark's processes cost in memory: the resident memory (``VmRSS``) of a
process alone (``rss_kib``, ``settled_rss``) or with its descendants (``rss_mb``),
its peaks while a benchmark runs (``MemorySampler``), and the local Redis's pid;
and the CPU time of Rasa's workers (``worker_cpu_s``).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import redis


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return tree


def _rss_kb(pid: int) -> int:
    """VmRSS of ``pid`` in KiB; 0 when it is gone (or a kernel thread)."""
    try:
        return rss_kib(pid)
    except (OSError, RuntimeError):
        return 0


def rss_kib(pid: int) -> int:
    """The resident memory of process ``pid`` in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def settled_rss(pid: int) -> int:
    """VmRSS once three readings 0.5 s apart agree within 64 KiB."""
    readings = [rss_kib(pid)]
    while len(readings) < 3 or max(readings[-3:]) - min(readings[-3:]) > 64:
        time.sleep(0.5)
        readings.append(rss_kib(pid))
        if len(readings) > 60:
            break
    return readings[-1]


def rss_mb(pids: dict[str, int]) -> dict[str, float]:
    """Resident memory of each named process with all its descendants, in MiB."""
    tree = _children()
    out = {}
    for name, pid in pids.items():
        todo, total = [pid], 0
        while todo:
            current = todo.pop()
            total += _rss_kb(current)
            todo.extend(tree.get(current, []))
        out[name] = round(total / 1024, 1)
    return out


class MemorySampler:
    """Samples the resident memory of some processes in a thread; keeps the peaks."""

    def __init__(self, pids: dict[str, int], every_s: float = 0.25) -> None:
        self.pids = pids
        self.every_s = every_s
        self.peak: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> MemorySampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, value in rss_mb(self.pids).items():
                self.peak[name] = max(self.peak.get(name, 0.0), value)
            self._stop.wait(self.every_s)


def redis_pid(url: str) -> int | None:
    """The pid of the Redis server, when it runs on this machine."""
    try:
        info = redis.Redis.from_url(url).info("server")
    except redis.RedisError:
        return None
    pid = int(info.get("process_id", 0))
    return pid if pid and Path(f"/proc/{pid}").exists() else None


def worker_cpu_s(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) so far of each child of ``pid`` (Rasa's Sanic
    workers under its manager), by child pid."""
    tick = os.sysconf("SC_CLK_TCK")
    spent: dict[int, float] = {}
    for child in _children().get(pid, []):
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        spent[child] = (int(fields[11]) + int(fields[12])) / tick
    return spent
