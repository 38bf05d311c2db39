"""REDIS_URL's forms, and a clear error for one that cannot work (bot/redisurl.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from bot.ops.ports import free_port
from bot.ops.preflight import StackError, ensure_redis
from bot.redisurl import RedisUrlError, parse
from bot.settings import ROOT, Settings


def test_plain_urls_pass_through() -> None:
    target = parse("redis://:secret@127.0.0.1:6380/3")
    assert (target.kind, target.url, target.tls) == (
        "plain",
        "redis://:secret@127.0.0.1:6380/3",
        False,
    )
    assert parse("rediss://cache.example:6380/0").tls
    assert parse("unix:///run/redis.sock?db=2").kind == "plain"


def test_a_sentinel_url_names_its_sentinels_service_and_db() -> None:
    target = parse(
        "redis+sentinel://app:pw%40x@s1:26380,s2,[::1]:5000/mymaster/2"
        "?sentinel_password=sp"
    )
    assert target.kind == "sentinel"
    assert target.hosts == (("s1", 26380), ("s2", 26379), ("::1", 5000))
    assert (target.service, target.db) == ("mymaster", 2)
    assert (target.username, target.password) == ("app", "pw@x")
    assert target.options == {"sentinel_password": "sp"}
    assert parse("redis+sentinel://s1/mymaster").db == 0
    assert parse("rediss+sentinel://s1/mymaster").tls


def test_a_cluster_url_names_its_startup_nodes() -> None:
    target = parse("redis+cluster://:pw@n1:7000,n2:7001,n3")
    assert target.cluster
    assert target.hosts == (("n1", 7000), ("n2", 7001), ("n3", 6379))
    assert target.password == "pw"
    assert parse("rediss+cluster://n1:7000/0").tls


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("127.0.0.1:6379", "is not a URL"),
        ("http://127.0.0.1:6379", "unknown scheme 'http'"),
        ("redis+sentinal://s1/mymaster", "unknown scheme"),
        ("redis://127.0.0.1:notaport/0", "port"),
        ("redis://127.0.0.1:6379/zero", "database 'zero' is not a number"),
        ("redis+sentinel://s1:26379", "service name is missing"),
        ("redis+sentinel://s1:26379/", "service name is missing"),
        ("redis+sentinel://s1:26379/mymaster/x", "only a database number"),
        ("redis+sentinel://s1:99999/mymaster", "out of range"),
        ("redis+sentinel:///mymaster", "no host given"),
        ("redis+cluster://n1:7000/3", "only database 0"),
        ("redis+cluster://n1:7000,,n2:7001", "empty host"),
        ("redis+cluster://n1:port", "not a number"),
    ],
)
def test_a_url_that_cannot_work_is_refused_with_the_reason(url: str, says: str) -> None:
    with pytest.raises(RedisUrlError, match=says):
        parse(url)


def test_the_password_never_appears_in_the_error() -> None:
    with pytest.raises(RedisUrlError) as error:
        parse("redis+cluster://:hunter2@n1:7000/5")
    assert "hunter2" not in str(error.value)


def test_the_settings_refuse_a_bad_url_at_start_up() -> None:
    with pytest.raises(ValidationError, match="service name is missing"):
        Settings(redis_url="redis+sentinel://127.0.0.1:26379", secret_key="x" * 16)


def test_the_admin_cli_says_what_is_wrong_with_the_url() -> None:
    env = dict(os.environ, REDIS_URL="redis+cluster://n1:7000/2", SECRET_KEY="x" * 16)
    done = subprocess.run(
        [sys.executable, "-m", "bot.admin", "list-agents"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "only database 0" in done.stderr
    assert "Traceback" not in done.stderr


def test_make_run_does_not_start_a_local_redis_for_a_sentinel_url() -> None:
    url = f"redis+sentinel://127.0.0.1:{free_port()}/mymaster"
    with pytest.raises(StackError, match="Sentinel or Cluster"):
        ensure_redis(url)
