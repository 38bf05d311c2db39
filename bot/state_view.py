"""What a customer is shown of who owns their chat: a ``StateView`` (the bot, their
place in the line with the expected wait, or the agent's name), and ``newest_view``,
which picks the newer of a view read of the chat and the gateway's latest line.
The widget sends it as its ``state`` frame (bot/widget_push.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.handoff import Line, Place, TicketState
from bot.transcript import stream_id_after


@dataclass(frozen=True)
class StateView:
    """Who owns the conversation, as the customer should see it."""

    state: TicketState
    position: int | None = None
    expected_wait: float | None = None  # seconds
    agents_online: int = 0
    agent_name: str = ""
    back: str | None = None  # outside business hours: when the team is back
    version: str = ""  # the queue's version this was read at (QueuePosition)

    @property
    def place(self) -> Place | None:
        """The place in line shown with this view; None unless queued."""
        if self.state is not TicketState.QUEUED or self.position is None:
            return None
        return Place(self.position, self.expected_wait, self.agents_online)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the widget's ``state`` frame)."""
        return {
            "state": self.state.value,
            "position": self.position,
            "wait_s": round(self.expected_wait) if self.expected_wait else None,
            "agents_online": self.agents_online,
            "agent_name": self.agent_name or None,
            "back": self.back,
        }


def newest_view(
    conversation_id: str, view: StateView | None, line: Line, back: str | None
) -> StateView | None:
    """What a waiting customer should see: the newer of a view read of their own
    chat (``view``, None when none was read) and the gateway's latest ``line``.

    Both are read in one step each and carry the queue's version they saw (the
    newest event id), so the newer one is the truth: a line at least as new as the
    view gives the place of a chat waiting in it (``back`` is closed_until()); a
    newer view is shown as it is. None when the line is newer and the chat is not in
    it while no view or an older one says "queued": only a fresh view can say where
    the chat is now (assigned, back with the bot).
    """
    if view is not None and stream_id_after(view.version, line.version):
        return view
    place = line.place(conversation_id)
    if place is not None:
        return StateView(
            TicketState.QUEUED,
            place.position,
            place.expected_wait,
            place.agents_online,
            back=back,
            version=line.version,
        )
    if view is not None and view.state is not TicketState.QUEUED:
        return view
    return None
