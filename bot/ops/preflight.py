"""Before the stack starts: Redis answers (or a local one is started), the ports are
free, the handoff settings can be read. A problem the user can fix is a
``StackError`` whose message says how.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import redis
import yaml
from redis.exceptions import RedisClusterException

from bot.handoff.config import config_path, load_config
from bot.ops.ports import port_is_free
from bot.redisurl import parse, sync_client
from bot.settings import VAR, Settings


class StackError(SystemExit):
    """A problem the user can fix; the message says how."""


def redis_answers(url: str) -> bool:
    """Whether a Redis server answers PING at ``url``."""
    try:
        client = sync_client(url, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except (redis.RedisError, RedisClusterException, OSError, ValueError):
        return False


def ensure_redis(url: str, data_dir: Path = VAR / "redis") -> str | None:
    """Make sure Redis answers at ``url``; start a local one with AOF if it does not.

    Args:
        url: REDIS_URL.
        data_dir: where a started server keeps its append-only file.

    Returns:
        A note on what was done, or None when Redis already answered.
    """
    if redis_answers(url):
        return None
    if parse(url).kind != "plain":
        raise StackError(
            f"Redis does not answer at {url}. Start the Sentinel or Cluster "
            "servers it names (make run starts only a single local Redis)."
        )
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    if host not in ("127.0.0.1", "localhost"):
        raise StackError(f"Redis does not answer at {url}. Start it, or set REDIS_URL.")
    server = shutil.which("redis-server")
    if server is None:
        raise StackError(
            f"Redis does not answer at {url} and redis-server is not installed.\n"
            "Install it with:  sudo apt-get install -y redis-server   (Debian/Ubuntu)\n"
            "or point REDIS_URL at a running Redis 7."
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 - redis-server found on PATH, fixed arguments
        [
            server,
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(data_dir),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
            "--pidfile",
            str(data_dir / "redis.pid"),
            "--logfile",
            str(data_dir / "redis.log"),
        ],
        check=True,
    )
    for _ in range(50):
        if redis_answers(url):
            return f"started redis-server on 127.0.0.1:{port} (AOF in {data_dir})"
        time.sleep(0.1)
    raise StackError(f"redis-server did not come up; see {data_dir / 'redis.log'}")


def check_ports(settings: Settings) -> None:
    """Refuse to start when a port is taken, naming the variable to change."""
    for base, var in (
        (settings.actions_port, "ACTIONS_PORT"),
        (settings.rasa_port, "RASA_PORT"),
        (settings.gateway_port, "GATEWAY_PORT"),
    ):
        # STACK_REPLICAS n: the n-th of each service on its port + n - 1
        for port in range(base, base + settings.stack_replicas):
            if not port_is_free(port):
                raise StackError(
                    f"Port {port} is already in use. Stop what uses it, or choose "
                    f"another port: {var}=<port> make run"
                )


def check_handoff_config() -> None:
    """Refuse to start with handoff settings the gateway and actions cannot read."""
    path = config_path()
    try:
        load_config(path)
    except (OSError, ValueError, TypeError, AttributeError, yaml.YAMLError) as error:
        raise StackError(
            f"The handoff settings in {path} cannot be used: {error}. Fix the file, "
            "or point HANDOFF_CONFIG at another (data/handoff.yml is the example)."
        ) from None


def redacted_redis(settings: Settings) -> str:
    """Which Redis and prefix the stack uses, without a password in the URL."""
    url = re.sub(r"//[^@/]*@", "//***@", settings.redis_url)
    return f"{url}, prefix {settings.redis_prefix}"
