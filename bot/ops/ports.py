"""Free TCP ports on 127.0.0.1, for the stack's checks and for private stacks."""

from __future__ import annotations

import random
import socket
from pathlib import Path


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether nothing listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


# Where the ports we hand out come from: below the kernel's ephemeral range, which
# outgoing connections take their local ports from. A port asked of the kernel
# (bind to 0) is in that range, and in the seconds before a server binds it (Rasa
# loads its model first) any outgoing connection on the machine may take it: a
# private stack then failed with "address already in use".
EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 10_000
_given: set[int] = set()  # handed out by this process: never twice
_pick = random.SystemRandom()


def _range() -> tuple[int, int]:
    """The ports to pick from: from LOWEST up to the ephemeral range's start."""
    try:
        low = int(EPHEMERAL.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768  # Linux's default
    return LOWEST, max(LOWEST + 1000, low) - 1


def free_port() -> int:
    """A port that is free right now on 127.0.0.1, outside the ephemeral range."""
    return free_ports(1)


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive ports that are all free right now (a
    stack with ``STACK_REPLICAS`` = ``count`` listens on each port + 0 .. count-1),
    outside the ephemeral range and not handed out by this process before."""
    low, high = _range()
    for _ in range(1000):
        first = _pick.randint(low, high - count + 1)
        ports = range(first, first + count)
        if not _given.intersection(ports) and all(port_is_free(p) for p in ports):
            _given.update(ports)
            return first
    raise RuntimeError(f"no {count} consecutive free ports")
