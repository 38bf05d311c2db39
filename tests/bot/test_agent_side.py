"""What the bot says when an agent resolves a chat (bot/agent_side.py): a calm
customer is thanked for their patience, an upset one never is (issue 18). No Redis."""

from __future__ import annotations

import pytest

from bot.agent_side import resolved_text
from bot.handoff import Customer, EmotionSnapshot, Ticket, TicketState
from bot.texts import say


def ticket(label: str, intensity: float, frustration: int) -> Ticket:
    return Ticket(
        id="web-1",
        channel="web",
        customer=Customer("web-1", "Ann"),
        state=TicketState.RESOLVED,
        emotion=EmotionSnapshot(label, intensity, frustration),
        timeline=[],
        flags=frozenset(),
    )


@pytest.mark.parametrize(
    ("label", "intensity", "frustration"),
    [("anger", 0.9, 4), ("frustration", 0.5, 1), ("frustration", 0.2, 2)],
)
def test_an_upset_customer_is_not_thanked_for_their_patience(
    label: str, intensity: float, frustration: int
) -> None:
    text = say(resolved_text(ticket(label, intensity, frustration)))
    assert "patience" not in text.lower()
    assert "assistant again" in text and "person" in text


def test_a_calm_customer_is_thanked_for_their_patience() -> None:
    text = say(resolved_text(ticket("neutral", 0.1, 0)))
    assert text.startswith("Thanks for your patience.")
    assert "assistant again" in text
