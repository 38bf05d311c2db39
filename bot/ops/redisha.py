"""Real Redis Sentinel and Redis Cluster setups on free ports, for the tests
(tests/ha) and the Cluster benchmark (bench/cluster_load.py).

``SentinelSetup``: a master, a replica and one sentinel watching them (quorum 1), or
three sentinels (quorum 2). ``ClusterSetup``: three masters, each with a replica
(or none), all 16384 slots covered. Each process runs in its own temporary directory
and is stopped (by its pid) at the end; ``kill`` sends one SIGKILL.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import redis

from bot.ops.ports import free_port, port_is_free

SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
SERVICE = "mymaster"


def _pings(port: int) -> bool:
    return bool(redis.Redis(port=port).ping())


def _cluster_ok(port: int) -> bool:
    info: Any = redis.Redis(port=port).cluster("INFO")
    return bool(info.get("cluster_state") == "ok")


def _replica_in_sync(port: int) -> bool:
    node = redis.Redis(port=port)
    replication: Any = node.info("replication")
    return replication.get("master_link_status") == "up" and _cluster_ok(port)


def wait_for(check: Callable[[], object], what: str, timeout: float = 30.0) -> object:
    """Poll ``check`` until it returns something true; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except (redis.RedisError, OSError) as error:
            last = error
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what} (last error: {last!r})")


class _Servers:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.processes: list[subprocess.Popen[bytes]] = []
        self.by_port: dict[int, subprocess.Popen[bytes]] = {}

    def kill(self, port: int) -> None:
        """SIGKILL the server on ``port`` and wait until it is gone."""
        process = self.by_port[port]
        process.kill()
        process.wait(30)

    def start(self, name: str, args: list[str], config: str = "") -> None:
        directory = self.root / name
        directory.mkdir(parents=True, exist_ok=True)
        command = [SERVER]
        if config:
            path = directory / "redis.conf"
            path.write_text(config, encoding="utf-8")
            command.append(str(path))
        log = open(directory / "log", "wb")  # noqa: SIM115 - kept for the process
        process = subprocess.Popen(  # noqa: S603 - redis-server, our arguments
            [*command, "--dir", str(directory), "--save", "", *args],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        if "--port" in args:
            self.by_port[int(args[args.index("--port") + 1])] = process

    def start_all(self) -> None:
        """Start every process of the setup and wait until it serves."""
        raise NotImplementedError

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


S = TypeVar("S", bound=_Servers)


class SentinelSetup(_Servers):
    """A master, one replica and one sentinel (quorum 1), or three (quorum 2), on
    free ports."""

    def __init__(self, root: Path, sentinels: int = 1) -> None:
        super().__init__(root)
        self.master_port = free_port()
        self.replica_port = free_port()
        self.sentinel_ports = [free_port() for _ in range(sentinels)]
        self.sentinel_port = self.sentinel_ports[0]

    @property
    def url(self) -> str:
        """REDIS_URL for this setup."""
        hosts = ",".join(f"127.0.0.1:{p}" for p in self.sentinel_ports)
        return f"redis+sentinel://{hosts}/{SERVICE}/0"

    def sentinel(self) -> redis.Redis:
        """A client of the sentinel itself."""
        return redis.Redis(port=self.sentinel_port, decode_responses=True)

    def master_address(self) -> tuple[str, int] | None:
        """Where the sentinel says the master is."""
        found = self.sentinel().execute_command(
            "SENTINEL", "GET-MASTER-ADDR-BY-NAME", SERVICE
        )
        return (found[0], int(found[1])) if found else None

    def start_all(self) -> None:
        base = ["--bind", "127.0.0.1", "--appendonly", "no"]
        self.start("master", ["--port", str(self.master_port), *base])
        self.start(
            "replica",
            [
                "--port",
                str(self.replica_port),
                "--replicaof",
                "127.0.0.1",
                str(self.master_port),
                *base,
            ],
        )
        for port in (self.master_port, self.replica_port):
            wait_for(functools.partial(_pings, port), f"redis on {port}")
        quorum = len(self.sentinel_ports) // 2 + 1
        for port in self.sentinel_ports:
            config = (
                "bind 127.0.0.1\n"
                f"port {port}\n"
                f"sentinel monitor {SERVICE} 127.0.0.1 {self.master_port} {quorum}\n"
                f"sentinel down-after-milliseconds {SERVICE} 1000\n"
                f"sentinel failover-timeout {SERVICE} 5000\n"
            )
            self.start(f"sentinel{port}", ["--sentinel"], config=config)
        wait_for(self.master_address, "the sentinel to know the master")
        wait_for(self._replica_known, "the sentinel to know the replica")
        wait_for(self._sentinels_known, "the sentinels to know each other")

    def _replica_known(self) -> bool:
        replicas = self.sentinel().execute_command("SENTINEL", "REPLICAS", SERVICE)
        return bool(replicas)

    def _sentinels_known(self) -> bool:
        """Every sentinel knows the others (a failover needs their votes)."""
        others = len(self.sentinel_ports) - 1
        for port in self.sentinel_ports:
            client = redis.Redis(port=port, decode_responses=True)
            info: Any = client.sentinel_master(SERVICE)
            if int(info["num-other-sentinels"]) < others:
                return False
        return True


def cluster_port() -> int:
    """A free port whose cluster bus port (10000 higher) is free too."""
    for _ in range(1000):
        port = free_port()
        if port <= 55535 and port_is_free(port + 10000):
            return port
    raise RuntimeError("no free port pair for a cluster node")


class ClusterSetup(_Servers):
    """Three cluster masters on free ports, every slot assigned, each master with
    ``replicas`` replicas (none by default)."""

    def __init__(self, root: Path, size: int = 3, replicas: int = 0) -> None:
        super().__init__(root)
        self.replicas = replicas
        self.ports = [cluster_port() for _ in range(size)]  # the masters
        self.replica_ports = [cluster_port() for _ in range(size * replicas)]

    @property
    def url(self) -> str:
        """REDIS_URL for this setup."""
        return "redis+cluster://" + ",".join(f"127.0.0.1:{p}" for p in self.ports)

    def start_all(self) -> None:
        nodes = self.ports + self.replica_ports
        for port in nodes:
            self.start(
                f"node{port}",
                [
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    str(self.root / f"node{port}" / "nodes.conf"),
                    "--cluster-node-timeout",
                    "2000",
                    "--appendonly",
                    "no",
                ],
            )
        for port in nodes:
            wait_for(functools.partial(_pings, port), f"redis on {port}")
        subprocess.run(  # noqa: S603 - redis-cli, our arguments
            [
                CLI,
                "--cluster",
                "create",
                *(f"127.0.0.1:{p}" for p in self.ports),
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        for port in self.ports:
            wait_for(
                functools.partial(_cluster_ok, port), f"cluster_state:ok on {port}"
            )
        # Each replica follows its own master (redis-cli would pick the pairs).
        for i, port in enumerate(self.replica_ports):
            master = self.ports[i % len(self.ports)]
            subprocess.run(  # noqa: S603 - redis-cli, our arguments
                [
                    CLI,
                    "--cluster",
                    "add-node",
                    f"127.0.0.1:{port}",
                    f"127.0.0.1:{master}",
                    "--cluster-slave",
                    "--cluster-master-id",
                    self._node_id(master),
                ],
                check=True,
                capture_output=True,
                timeout=60,
            )
        for port in self.replica_ports:
            wait_for(functools.partial(_replica_in_sync, port), f"{port} in sync")

    def _node_id(self, port: int) -> str:
        return str(redis.Redis(port=port, decode_responses=True).cluster("MYID"))

    def node_of(self, key: str) -> int:
        """The port of the master that holds ``key``'s slot."""
        client = redis.Redis(port=self.ports[0])
        slot = int(client.execute_command("CLUSTER KEYSLOT", key))
        for first, last, master, *_ in client.execute_command("CLUSTER SLOTS"):
            if int(first) <= slot <= int(last):
                return int(master[1])
        raise LookupError(slot)


@contextlib.contextmanager
def running(setup: S) -> Iterator[S]:
    """Start ``setup`` and stop every process of it at the end."""
    try:
        setup.start_all()
        yield setup
    finally:
        setup.stop()
