"""bench/report_build.py on the test Redis, small (200 conversations): the report's
overall numbers equal those it wrote, it says whether the target was met by its own
numbers, the seed decides the data, and it leaves no key behind."""

from __future__ import annotations

import asyncio
import secrets

import redis

from bench.report_build import TARGET_S, run
from bot.ops.preflight import ensure_redis
from tests.conftest import TEST_REDIS_URL


def _run(seed: int) -> dict[str, object]:
    ensure_redis(TEST_REDIS_URL)
    prefix = "rb" + secrets.token_hex(4)
    result = asyncio.run(run(TEST_REDIS_URL, 200, seed, prefix))
    with redis.Redis.from_url(TEST_REDIS_URL) as client:
        assert client.keys(f"*{prefix}*") == []  # nothing left behind
    return result


def test_a_small_build_reports_the_numbers_it_wrote() -> None:
    result = _run(7)
    expected = result["expected"]
    assert isinstance(expected, dict)
    assert expected["conversations"] == result["n"] == 200
    assert 80 <= expected["surveys"] <= 160  # about 60% answer
    assert 10 <= expected["handoffs"] <= 50  # about 15% handed over
    assert expected["escalation_rate"] == round(expected["handoffs"] / 200, 3)
    assert result["reported"] == expected
    assert result["consistent"] is True
    assert result["target_s"] == TARGET_S
    assert result["target_met"] is (result["build_s"] < TARGET_S)
    assert result["html_bytes"] > 0 and result["pdf_bytes"] > 0
    assert result["keys_left"] == 0


def test_the_seed_decides_the_conversations() -> None:
    first, again, other = _run(3), _run(3), _run(4)
    assert first["expected"] == again["expected"]
    assert first["expected"] != other["expected"]
