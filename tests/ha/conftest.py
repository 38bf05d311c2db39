"""One real Sentinel setup (a master, a replica, three sentinels) and one real Redis
Cluster (3 masters, 3 replicas) per test run."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.ops.redisha import ClusterSetup, SentinelSetup, running
from bot.redisurl import async_client


@pytest.fixture(scope="session")
def sentinel_setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SentinelSetup]:
    """A master, a replica and three sentinels watching them."""
    root = tmp_path_factory.mktemp("sentinel")
    with running(SentinelSetup(root, sentinels=3)) as setup:
        yield setup  # type: ignore[misc]


@pytest.fixture(scope="session")
def cluster_setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterSetup]:
    """Three cluster masters covering every slot, a replica each."""
    root = tmp_path_factory.mktemp("cluster")
    with running(ClusterSetup(root, replicas=1)) as setup:
        yield setup  # type: ignore[misc]


@pytest.fixture(params=["sentinel", "cluster"])
def ha_url(request: pytest.FixtureRequest) -> str:
    """REDIS_URL of the Sentinel setup, then of the Cluster."""
    setup: Any = request.getfixturevalue(f"{request.param}_setup")
    return str(setup.url)


@pytest.fixture
async def ha_client(ha_url: str) -> AsyncIterator[Any]:
    """A client made by the factory every process uses (bot/redisurl.py)."""
    client = async_client(ha_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
def ha_prefix() -> str:
    """A key prefix of the test's own."""
    return "h" + secrets.token_hex(4)


def rasa_python() -> Path:
    """Rasa's interpreter."""
    from bot.settings import ROOT

    return ROOT / ".venv-rasa" / "bin" / "python"
