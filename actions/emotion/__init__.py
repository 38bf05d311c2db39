"""Emotion and frustration analysis for the support assistant (no Rasa or FastAPI
imports).

Typical use::

    analyzer = EmotionAnalyzer.load()
    analysis = analyzer.analyze("WHERE IS MY ORDER???", history)
    decision = EscalationPolicy.load().decide(analysis, history)
"""

from .analyzer import EmotionAnalyzer
from .models import (
    Analysis,
    Author,
    Circumstance,
    Decision,
    Emotion,
    Signal,
    Trend,
    Turn,
)
from .policy import EscalationPolicy

__all__ = [
    "Analysis",
    "Author",
    "Circumstance",
    "Decision",
    "Emotion",
    "EmotionAnalyzer",
    "EscalationPolicy",
    "Signal",
    "Trend",
    "Turn",
]
