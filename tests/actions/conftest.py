"""Helpers for action tests: trackers from JSON fixtures, a fresh demo store on a
fixed day (no test depends on the real date)."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml
from rasa_sdk import Tracker

from actions.demo_store import DemoStore
from actions.handoff import handoff_queue
from actions.numbers import normalise_number
from actions.paths import STORE_FILE
from actions.replies import reply_book
from actions.settings import get_settings
from actions.store import use_store
from bot import reach
from tests.conftest import TEST_REDIS_URL

FIXTURES = Path(__file__).parent / "fixtures"
# The day the action tests live on: a Thursday, whatever the real date is.
TODAY = dt.date(2026, 12, 3)


@pytest.fixture(scope="session", autouse=True)
def own_redis_keys() -> Iterator[str]:
    """Handoffs made by action tests go to the test database, under their own prefix."""
    prefix = "ta" + secrets.token_hex(4)
    os.environ["REDIS_URL"] = TEST_REDIS_URL
    os.environ["REDIS_PREFIX"] = prefix
    get_settings.cache_clear()
    handoff_queue.cache_clear()
    yield prefix
    get_settings.cache_clear()
    handoff_queue.cache_clear()
    drop_keys(prefix)


@pytest.fixture
def own_queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A queue of its own for one test (no tickets or agents of other tests)."""
    prefix = "tq" + secrets.token_hex(4)
    monkeypatch.setenv("REDIS_PREFIX", prefix)
    get_settings.cache_clear()
    handoff_queue.cache_clear()
    yield prefix
    get_settings.cache_clear()  # the environment is restored after this
    handoff_queue.cache_clear()
    drop_keys(prefix)


def drop_keys(prefix: str) -> None:
    """Delete every test-database key under ``prefix``."""
    client = redis.Redis.from_url(TEST_REDIS_URL)
    for key in client.scan_iter(match=f"*{prefix}*", count=500):
        client.delete(key)
    client.close()


def load_tracker(name: str, **slots: Any) -> Tracker:
    """A tracker from ``fixtures/<name>.json``, with ``slots`` overridden."""
    state = json.loads((FIXTURES / f"{name}.json").read_text())
    state["slots"].update(slots)
    return Tracker.from_dict(state)


def owner(order_id: str) -> str:
    """The id of the customer who placed ``order_id`` (who may see it)."""
    customer = _owners().get(normalise_number(order_id) or "")
    assert customer is not None, order_id
    return customer


@lru_cache(maxsize=1)
def _owners() -> dict[str, str]:
    raw = yaml.safe_load(STORE_FILE.read_text(encoding="utf-8"))
    return {normalise_number(o["id"]) or "": o["customer"] for o in raw["orders"]}


def variations(key: str, **values: Any) -> set[str]:
    """Every text the reply ``key`` can produce with these values."""
    book = reply_book()
    return {book.pick(key, avoid=[], **values) for _ in range(200)}


def says(text: str, key: str, **values: Any) -> bool:
    """Whether ``text`` contains one of the variations of reply ``key`` (with or
    without its stock closer, which the bot never says, or with the offer of a
    person that closes it left standing: offered a moment ago, not asked again)."""
    from actions.speaker import offer_left_standing

    book = reply_book()
    return any(
        v in text
        or book.without_closer(v) in text
        or offer_left_standing(book.without_closer(v)) in text
        for v in variations(key, **values)
    )


def offers_readings(text: str) -> bool:
    """Whether ``text`` offers several readings to choose from (``choose_intent``,
    whatever readings it names)."""
    return any(
        template.split("{options}")[0].strip() in text
        for template in reply_book().answers["choose_intent"]
    )


def demo_on(day: dt.date = TODAY) -> DemoStore:
    """A fresh demo store whose clock says ``day``."""
    return DemoStore(STORE_FILE, clock=lambda: day)


@pytest.fixture(autouse=True)
def store() -> Iterator[DemoStore]:
    """The store the actions use in each test: a fresh demo store on ``TODAY``
    (cancellations do not leak between tests)."""
    fresh = demo_on(TODAY)
    before = use_store(fresh)
    yield fresh
    use_store(before)


def offered_events(text: str) -> list[dict[str, Any]]:
    """The ``offered`` slot event a calm reply ``text`` brings (its last sentence may
    offer something a "yes" accepts), or none."""
    offered = reply_book().offer(text)
    if offered is None:
        return []
    return [{"event": "slot", "timestamp": None, "name": "offered", "value": offered}]


def says_nobody_online(text: str) -> bool:
    """Whether ``text`` says, in one of its words for it, that nobody from the team
    is online (``queue.no_agent_online`` in data/replies/empathy.yml)."""
    from actions.empathy import empathy_book

    lines = empathy_book().data["queue"]["no_agent_online"]
    return any(reach.written(line) in text for line in lines)
