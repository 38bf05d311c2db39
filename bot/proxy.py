"""A warning when a trusted proxy forwards requests without ``X-Forwarded-For``.

uvicorn takes the client's address from ``X-Forwarded-For`` when the request comes
from an address of ``FORWARDED_ALLOW_IPS``. A proxy there that does not send the
header makes every customer look like the proxy: one shared rate limit for all
(bot/ratelimit.py), and the proxy's address in the console's audit log. With
FORWARDED_ALLOW_IPS set, the first such request is logged, once per process
(not /health: probes on the proxy's machine call it directly).
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging

from starlette.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger(__name__)

PROBES = frozenset({"/health"})  # called directly, not through the proxy

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(setting: str) -> tuple[bool, frozenset[str], tuple[Network, ...]]:
    """FORWARDED_ALLOW_IPS as uvicorn reads it: ``*``, addresses and networks.

    Returns:
        Whether every address is trusted, the literal entries, and the networks.
    """
    entries = frozenset(e.strip() for e in setting.split(",") if e.strip())
    networks: list[Network] = []
    for entry in entries:
        with contextlib.suppress(ValueError):  # else a host name: compared as is
            networks.append(ipaddress.ip_network(entry, strict=False))
    return "*" in entries, entries, tuple(networks)


class ForwardedCheck:
    """Logs the first request from a trusted proxy that lacks X-Forwarded-For."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.warned = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Look at the request (never change it), then pass it on."""
        if not self.warned and scope["type"] in ("http", "websocket"):
            self._check(scope)
        await self.app(scope, receive, send)

    def _check(self, scope: Scope) -> None:
        state = getattr(scope.get("app"), "state", None)
        settings = getattr(state, "settings", None)
        setting = getattr(settings, "forwarded_allow_ips", "")
        client = scope.get("client")
        if not setting or not client or scope.get("path") in PROBES:
            return
        if any(name == b"x-forwarded-for" for name, _ in scope.get("headers", ())):
            return
        if not self._trusted(setting, str(client[0])):
            return
        self.warned = True
        logger.warning(
            "%s %s came from %s, a proxy of FORWARDED_ALLOW_IPS, without "
            "X-Forwarded-For: all its clients share that address for rate limits "
            "and the audit log. Make the proxy send X-Forwarded-For (logged once)",
            scope.get("method", "WEBSOCKET"),
            scope.get("path", ""),
            client[0],
        )

    @staticmethod
    def _trusted(setting: str, host: str) -> bool:
        everyone, entries, networks = trusted_proxies(setting)
        if everyone or host in entries:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in networks)
