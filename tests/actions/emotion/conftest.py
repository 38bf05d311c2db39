"""Fixtures for the emotion library tests: one analyzer and one policy per session."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from actions.emotion import EmotionAnalyzer, EscalationPolicy, Turn  # noqa: E402

HistoryBuilder = Callable[[list[tuple[str, str]]], list[Turn]]


@pytest.fixture(scope="session")
def analyzer() -> EmotionAnalyzer:
    """The real analyzer (local sentence model and data files), loaded once."""
    return EmotionAnalyzer.load()


@pytest.fixture(scope="session")
def policy() -> EscalationPolicy:
    return EscalationPolicy.load()


@pytest.fixture(scope="session")
def build_history(analyzer: EmotionAnalyzer) -> HistoryBuilder:
    """Build a history from (author, text) pairs, analysing customer turns in order."""

    def build(turns: list[tuple[str, str]]) -> list[Turn]:
        history: list[Turn] = []
        for author, text in turns:
            analysis = analyzer.analyze(text, history) if author == "customer" else None
            history.append(Turn(author, text, analysis=analysis))
        return history

    return build
