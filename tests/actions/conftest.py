"""Helpers for action tests: trackers from JSON fixtures, a fresh demo store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker

from actions import lookups
from actions.paths import STORE_FILE
from actions.replies import reply_book
from actions.store import DemoStore

FIXTURES = Path(__file__).parent / "fixtures"


def load_tracker(name: str, **slots: Any) -> Tracker:
    """A tracker from ``fixtures/<name>.json``, with ``slots`` overridden."""
    state = json.loads((FIXTURES / f"{name}.json").read_text())
    state["slots"].update(slots)
    return Tracker.from_dict(state)


def variations(key: str, **values: Any) -> set[str]:
    """Every text the reply ``key`` can produce with these values."""
    book = reply_book()
    return {book.pick(key, avoid=[], **values) for _ in range(200)}


def says(text: str, key: str, **values: Any) -> bool:
    """Whether ``text`` contains one of the variations of reply ``key``."""
    return any(v in text for v in variations(key, **values))


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> DemoStore:
    """A fresh demo store for one test (cancellations do not leak between tests)."""
    fresh = DemoStore.from_file(STORE_FILE)
    monkeypatch.setattr(lookups, "demo_store", lambda: fresh)
    return fresh
