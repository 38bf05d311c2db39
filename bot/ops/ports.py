"""Free TCP ports on 127.0.0.1, for the stack's checks and for private stacks."""

from __future__ import annotations

import socket


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether nothing listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port that is free right now on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive ports that are all free right now (a
    stack with ``STACK_REPLICAS`` = ``count`` listens on each port + 0 .. count-1)."""
    for _ in range(1000):
        first = free_port()
        if first + count <= 65536 and all(
            port_is_free(first + i) for i in range(1, count)
        ):
            return first
    raise RuntimeError(f"no {count} consecutive free ports")
