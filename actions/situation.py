"""What the empathy layer is told about a turn (``Situation``: the intent, the
analysis of the customer's message, their name, the bot's recent replies, their
register) and how much feeling a reply acknowledges (``Level``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from actions.emotion import Analysis


class Level(StrEnum):
    """How much feeling a reply acknowledges."""

    NEUTRAL = "neutral"
    UPSET = "upset"
    VERY_UPSET = "very_upset"


@dataclass
class Situation:
    """What the reply is about and who it is for."""

    intent: str | None
    analysis: Analysis | None
    channel: str = "web"
    customer_name: str | None = None
    name_uses: int = 0
    order_id: str | None = None
    recent: list[str] = field(default_factory=list)
    intent_confidence: float | None = None
    description: str | None = None
    text: str = ""  # the customer's latest message
    # the customer's messages before the latest, newest last
    earlier: list[str] = field(default_factory=list)
    register: str = "plain"  # "formal", "casual" or "plain" (actions/register.py)
    # something grave was told in the chat, now or before (a death, an injury, a
    # fraud: actions/speaker.py, told_grave)
    grave: bool = False
