"""REDIS_URL: one plain Redis, a Sentinel-watched master, or a Redis Cluster.

Every process that talks to Redis (gateway, action server, admin CLI, and Rasa's
tracker and lock stores in ``bot/rasa_stores.py``) makes its client here, so the
three forms mean the same everywhere::

    redis://[[user]:password@]host[:port][/db]     one server, as redis-py reads it
    rediss://...                                    (TLS; unix:// works too)
    redis+sentinel://[[user]:password@]h1:p1[,h2:p2...]/<service>[/<db>]
    rediss+sentinel://...                           the master over TLS
    redis+cluster://[[user]:password@]h1:p1[,h2:p2...][/0]
    rediss+cluster://...                            every node over TLS

A Sentinel URL may end in ``?sentinel_password=...``.

Sentinel: the hosts are sentinels (port 26379 when left out); ``<service>`` is the
name the sentinels monitor (``sentinel monitor <service> ...``) and ``db`` defaults
to 0. The user and password are the master's; sentinels that need a password of
their own get it as ``?sentinel_password=``. Clients ask the sentinels for the
master and follow a failover. Cluster: the hosts are startup nodes (port 6379 when
left out; one reachable node is enough, the rest of the cluster is discovered);
a cluster has only database 0.

A URL that cannot work raises ``RedisUrlError`` (a ``ValueError``) naming the
problem; the settings check it at start-up (bot/settings.py). This module is
imported in both environments (Python 3.10 with redis-py 4.6 for Rasa, 3.11 with
the current redis-py), so it imports redis-py only inside the functions that build
a client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

PLAIN_SCHEMES = ("redis", "rediss", "unix")
SENTINEL_SCHEMES = ("redis+sentinel", "rediss+sentinel")
CLUSTER_SCHEMES = ("redis+cluster", "rediss+cluster")
SENTINEL_PORT = 26379
REDIS_PORT = 6379
FORMS = (
    "redis://[:password@]host[:port][/db], rediss://..., "
    "redis+sentinel://[:password@]host:port[,host:port...]/<service>[/<db>], "
    "redis+cluster://[:password@]host:port[,host:port...]"
)


class RedisUrlError(ValueError):
    """REDIS_URL cannot be used; the message says why and what would work."""


@dataclass(frozen=True)
class RedisTarget:
    """What REDIS_URL points at."""

    kind: str  # "plain", "sentinel" or "cluster"
    url: str  # the URL as given (plain: handed to redis-py as it is)
    hosts: tuple[tuple[str, int], ...] = ()  # sentinels or cluster startup nodes
    service: str = ""  # the Sentinel service (master) name
    db: int = 0
    username: str | None = None
    password: str | None = None
    tls: bool = False
    options: dict[str, str] = field(default_factory=dict)

    @property
    def cluster(self) -> bool:
        """Whether this is a Redis Cluster (keys spread over slots and nodes)."""
        return self.kind == "cluster"


def _hosts(
    netloc_hosts: str, default_port: int, url: str
) -> tuple[tuple[str, int], ...]:
    found: list[tuple[str, int]] = []
    for part in netloc_hosts.split(","):
        part = part.strip()
        if not part:
            raise RedisUrlError(f"REDIS_URL {_safe(url)}: an empty host in the list")
        if part.startswith("["):  # [IPv6]:port
            host, _, rest = part[1:].partition("]")
            port_text = rest[1:] if rest.startswith(":") else ""
        else:
            host, _, port_text = part.rpartition(":") if ":" in part else (part, "", "")
        if not host:
            raise RedisUrlError(
                f"REDIS_URL {_safe(url)}: a host is missing in {part!r}"
            )
        try:
            port = int(port_text) if port_text else default_port
        except ValueError:
            raise RedisUrlError(
                f"REDIS_URL {_safe(url)}: the port in {part!r} is not a number"
            ) from None
        if not 0 < port < 65536:
            raise RedisUrlError(f"REDIS_URL {_safe(url)}: port {port} is out of range")
        found.append((host, port))
    return tuple(found)


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return url
    auth, _, tail = rest.partition("@")
    user = auth.partition(":")[0]
    return f"{scheme}://{user}:***@{tail}"


def parse(url: str) -> RedisTarget:
    """The target of ``url``; RedisUrlError when it cannot work."""
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep:
        raise RedisUrlError(
            f"REDIS_URL {_safe(url)!r} is not a URL; use one of {FORMS}"
        )
    if scheme in PLAIN_SCHEMES:
        if scheme != "unix":
            parts = urlsplit(url)
            try:
                parts.port  # noqa: B018 - raises on a bad port
            except ValueError:
                raise RedisUrlError(
                    f"REDIS_URL {_safe(url)}: the port is not a number in range"
                ) from None
            if not parts.hostname:
                raise RedisUrlError(f"REDIS_URL {_safe(url)}: the host is missing")
            db_text = (parts.path or "/").strip("/") or "0"
            if not db_text.isdigit():
                raise RedisUrlError(
                    f"REDIS_URL {_safe(url)}: the database {db_text!r} is not a number"
                )
        return RedisTarget("plain", url, tls=scheme == "rediss")
    if scheme not in SENTINEL_SCHEMES + CLUSTER_SCHEMES:
        raise RedisUrlError(
            f"REDIS_URL {_safe(url)}: unknown scheme {scheme!r}; use one of {FORMS}"
        )
    netloc, _, tail = rest.partition("/")
    path, _, query = tail.partition("?")
    if "?" in netloc:
        netloc, _, query = netloc.partition("?")
    username = password = None
    if "@" in netloc:
        auth, _, netloc = netloc.rpartition("@")
        user_text, colon, pass_text = auth.partition(":")
        username = unquote(user_text) or None
        password = unquote(pass_text) if colon else None
    if not netloc:
        raise RedisUrlError(f"REDIS_URL {_safe(url)}: no host given")
    options = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    tls = scheme.startswith("rediss")
    segments = [s for s in path.split("/") if s]
    if scheme in SENTINEL_SCHEMES:
        hosts = _hosts(netloc, SENTINEL_PORT, url)
        if not segments:
            raise RedisUrlError(
                f"REDIS_URL {_safe(url)}: the Sentinel service name is missing "
                "(redis+sentinel://host:port[,host:port]/<service>[/<db>])"
            )
        if len(segments) > 2 or (len(segments) == 2 and not segments[1].isdigit()):
            raise RedisUrlError(
                f"REDIS_URL {_safe(url)}: after the service name only a database "
                "number may follow (redis+sentinel://hosts/<service>[/<db>])"
            )
        db = int(segments[1]) if len(segments) == 2 else 0
        return RedisTarget(
            "sentinel",
            url,
            hosts,
            service=unquote(segments[0]),
            db=db,
            username=username,
            password=password,
            tls=tls,
            options=options,
        )
    hosts = _hosts(netloc, REDIS_PORT, url)
    if segments not in ([], ["0"]):
        raise RedisUrlError(
            f"REDIS_URL {_safe(url)}: a Redis Cluster has only database 0; "
            "leave the path empty (redis+cluster://host:port[,host:port])"
        )
    return RedisTarget(
        "cluster",
        url,
        hosts,
        username=username,
        password=password,
        tls=tls,
        options=options,
    )


def _node_kwargs(target: RedisTarget) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if target.username:
        kwargs["username"] = target.username
    if target.password is not None:
        kwargs["password"] = target.password
    if target.tls:
        kwargs["ssl"] = True
    return kwargs


def _sentinel_kwargs(target: RedisTarget, client: dict[str, Any]) -> dict[str, Any]:
    """How to talk to the sentinels: their own password, and the client's socket
    timeouts (``client``: the keyword arguments of the master's client)."""
    password = target.options.get("sentinel_password")
    timeouts = {
        k: v
        for k, v in client.items()
        if k in ("socket_timeout", "socket_connect_timeout")
    }
    return {**({"password": password} if password else {}), **timeouts}


def async_client(
    url: str,
    *,
    max_connections: int | None = None,
    wait_s: float | None = None,
    **kwargs: Any,
) -> Any:
    """A ``redis.asyncio`` client for ``url``.

    ``max_connections`` caps the connections: of the one server or master (with
    ``wait_s`` a command waits that long for a free one, else fails at once), or
    per Cluster node (an exhausted node fails at once: redis-py's cluster pool
    cannot wait). Further keyword arguments (``decode_responses``, timeouts) go to
    every connection.
    """
    import redis.asyncio as aioredis

    target = parse(url)
    if target.kind == "plain":
        if max_connections is not None and wait_s is not None:
            pool = aioredis.BlockingConnectionPool.from_url(
                url, max_connections=max_connections, timeout=wait_s, **kwargs
            )
            return aioredis.Redis.from_pool(pool)
        if max_connections is not None:
            kwargs["max_connections"] = max_connections
        return aioredis.Redis.from_url(url, **kwargs)
    if target.kind == "sentinel":
        from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool

        pool_class: Any = SentinelConnectionPool
        pool_kwargs: dict[str, Any] = {}
        if max_connections is not None:
            pool_kwargs["max_connections"] = max_connections
            if wait_s is not None:
                pool_class = _blocking_sentinel_pool()
                pool_kwargs["timeout"] = wait_s
        sentinel = Sentinel(
            list(target.hosts), sentinel_kwargs=_sentinel_kwargs(target, kwargs)
        )
        return sentinel.master_for(
            target.service,
            connection_pool_class=pool_class,
            db=target.db,
            **_node_kwargs(target),
            **pool_kwargs,
            **kwargs,
        )
    from redis.asyncio.cluster import ClusterNode, RedisCluster

    if max_connections is not None:
        kwargs["max_connections"] = max_connections
    cluster = RedisCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in target.hosts],
        **_node_kwargs(target),
        **kwargs,
    )
    # redis-py 4.6 (Rasa's) names them otherwise, and has no cluster transactions
    _callbacks_take_options(getattr(cluster, "response_callbacks", {}))
    return cluster


def _callbacks_take_options(callbacks: dict[str, Any]) -> None:
    """Let every reply callback take (and drop) a command's options.

    redis-py 8's cluster transaction (``pipeline(transaction=True)``) calls each
    callback with the command's options (``keys=...``), which the callbacks of
    HGETALL, SMEMBERS, ZSCORE and a few more do not take: the queue's agent views
    and the console's pipelines failed with a TypeError on a Cluster.
    """
    import inspect

    for name, callback in list(callbacks.items()):
        try:
            parameters = inspect.signature(callback).parameters.values()
        except (TypeError, ValueError):
            continue
        if not any(p.kind is p.VAR_KEYWORD for p in parameters):
            callbacks[name] = _without_options(callback)


def _without_options(callback: Any) -> Any:
    def call(response: Any, **options: Any) -> Any:
        return callback(response)

    return call


def _blocking_sentinel_pool() -> Any:
    """A Sentinel pool whose commands wait for a free connection (as the plain
    ``BlockingConnectionPool``)."""
    from redis.asyncio.connection import BlockingConnectionPool
    from redis.asyncio.sentinel import SentinelConnectionPool

    class SentinelBlockingConnectionPool(
        SentinelConnectionPool, BlockingConnectionPool
    ):
        """Sentinel's master discovery with the blocking pool's waiting."""

    return SentinelBlockingConnectionPool


def sync_client(url: str, **kwargs: Any) -> Any:
    """A synchronous ``redis`` client for ``url`` (Rasa's stores, start-up checks)."""
    import redis

    target = parse(url)
    if target.kind == "plain":
        return redis.Redis.from_url(url, **kwargs)
    if target.kind == "sentinel":
        from redis.sentinel import Sentinel

        sentinel = Sentinel(
            list(target.hosts), sentinel_kwargs=_sentinel_kwargs(target, kwargs)
        )
        return sentinel.master_for(
            target.service, db=target.db, **_node_kwargs(target), **kwargs
        )
    from redis.cluster import ClusterNode, RedisCluster

    cluster = RedisCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in target.hosts],
        **_node_kwargs(target),
        **kwargs,
    )
    # redis-py 4.6 (Rasa's) names them otherwise, and has no cluster transactions
    _callbacks_take_options(getattr(cluster, "response_callbacks", {}))
    return cluster
