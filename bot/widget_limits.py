"""Limits on the widget's sockets kept in this gateway process: a token ``Bucket`` per
connection for its messages, and ``SocketCounts`` of the sockets open per session
and per client address. The limits counted in Redis are in bot/ratelimit.py.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from bot.settings import Settings

TOO_MANY_SOCKETS = "this chat is open in too many windows; please close some of them"
TOO_MANY_SOCKETS_IP = (
    "too many chat windows are open from your network; please close some of them"
)


class Bucket:
    """A token bucket: the per-connection message rate limit."""

    def __init__(self, burst: int, rate: float) -> None:
        self.burst = burst
        self.rate = rate
        self.tokens = float(burst)
        self.at = time.monotonic()

    def take(self) -> bool:
        """Whether one more message is allowed now."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class SocketCounts:
    """Open widget sockets of this process, per session and per client address."""

    def __init__(self) -> None:
        self.sessions: Counter[str] = Counter()
        self.addresses: Counter[str] = Counter()

    def open(self, settings: Settings, session_id: str, address: str) -> str | None:
        """Count a new socket; or the message why it is refused (not counted)."""
        if self.sessions[session_id] >= settings.widget_sockets_per_session:
            return TOO_MANY_SOCKETS
        if address and self.addresses[address] >= settings.widget_sockets_per_ip:
            return TOO_MANY_SOCKETS_IP
        self.sessions[session_id] += 1
        if address:
            self.addresses[address] += 1
        return None

    def close(self, session_id: str, address: str) -> None:
        """Forget a socket counted by ``open``."""
        for counts, key in ((self.sessions, session_id), (self.addresses, address)):
            if key:
                counts[key] -= 1
                if counts[key] <= 0:
                    del counts[key]


def socket_counts(state: Any) -> SocketCounts:
    """The process's socket counts (kept on the app's state)."""
    counts = getattr(state, "widget_sockets", None)
    if counts is None:
        counts = state.widget_sockets = SocketCounts()
    return counts
