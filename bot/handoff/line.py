"""Where waiting customers stand: a customer's ``QueuePosition``, the whole ``Line``
read in one step, the ``Place`` a customer is shown, and the ``expected_wait`` estimate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.handoff.ticket import TicketState


def expected_wait(
    position: int, free_slots: int, capacity: int, handle_time: float
) -> float | None:
    """Seconds until a customer at ``position`` (1 = next) gets an agent.

    Free slots take the first customers at once; after that a slot frees every
    (handling time / online capacity) seconds. None when nobody is online.
    """
    if capacity <= 0:
        return None
    if position <= free_slots:
        return 0.0
    return (position - free_slots) * handle_time / capacity


@dataclass(frozen=True)
class QueuePosition:
    """Where a waiting customer stands.

    ``version``: the id of the newest entry of the event stream when this was read
    (every change of the queue appends one in the same script), so two reads can be
    told apart by which saw the later queue; "" when unknown.
    """

    state: TicketState
    position: int | None  # 1 = next; None unless queued
    waiting: int  # chats waiting in total
    agents_online: int
    expected_wait: float | None  # seconds; None when no estimate is possible
    version: str = ""

    @property
    def place(self) -> Place | None:
        """What a waiting customer is shown of this; None unless queued."""
        if self.position is None:
            return None
        return Place(self.position, self.expected_wait, self.agents_online)


@dataclass(frozen=True)
class Place:
    """What a waiting customer is shown of the line: their place (1 = next), the
    expected wait in seconds (None without an estimate) and the agents online."""

    position: int
    expected_wait: float | None
    agents_online: int


@dataclass(frozen=True)
class Line:
    """The whole waiting line at one moment, read in one step (``HandoffQueue.line``).

    ``version`` is the id of the newest event in the stream at that moment, as in
    ``QueuePosition``; ``ids`` the waiting chats, best first. Everyone's place comes
    from the one read: ``place`` is a dictionary lookup (worked out once per chat).
    """

    version: str
    ids: tuple[str, ...]
    agents_online: int
    capacity: int  # chats the online agents can hold together
    free_slots: int  # of those, not taken
    handle_time: float  # seconds, the median of recent chats (or the default)
    _rank: dict[str, int] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _places: dict[str, Place | None] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._rank.update((ticket_id, i) for i, ticket_id in enumerate(self.ids))

    @classmethod
    def empty(cls) -> Line:
        """The line before anything was read: nobody in it, the oldest version."""
        return cls("0-0", (), 0, 0, 0, 0.0)

    def __contains__(self, ticket_id: object) -> bool:
        return ticket_id in self._rank

    def __len__(self) -> int:
        return len(self.ids)

    def place(self, ticket_id: str) -> Place | None:
        """The chat's place in this line; None when it is not waiting."""
        try:
            return self._places[ticket_id]
        except KeyError:
            pass
        place = None
        rank = self._rank.get(ticket_id)
        if rank is not None:
            position = rank + 1
            wait = expected_wait(
                position, self.free_slots, self.capacity, self.handle_time
            )
            place = Place(position, wait, self.agents_online)
        self._places[ticket_id] = place
        return place
