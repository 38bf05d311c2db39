"""Argument checks of the handoff queue: each raises InvalidInput, before anything
is read or written."""

from __future__ import annotations

from collections.abc import Iterable

from bot.handoff.errors import InvalidInput
from bot.handoff.flags import UrgencyFlag
from bot.handoff.keys import valid_id

MAX_TEXT = 4000  # characters of a note, explanation or resolution


def check_ticket_id(ticket_id: str) -> None:
    """A conversation id (bot/handoff/keys.py, ``valid_id``)."""
    if not valid_id(ticket_id):
        raise InvalidInput(f"invalid conversation id {ticket_id!r}")


def check_agent_id(agent_id: str) -> None:
    """An agent id (no ``:``)."""
    if not valid_id(agent_id, agent=True):
        raise InvalidInput(f"invalid agent id {agent_id!r}")


def check_token(token: int) -> None:
    """A fencing token: a positive int."""
    if not isinstance(token, int) or isinstance(token, bool) or token < 1:
        raise InvalidInput(f"invalid fencing token {token!r}")


def check_text(text: str, what: str, *, required: bool = False) -> None:
    """A note, explanation or resolution of at most MAX_TEXT characters."""
    if not isinstance(text, str) or len(text) > MAX_TEXT or (required and not text):
        raise InvalidInput(f"{what} must be text of at most {MAX_TEXT} characters")


def checked_flags(
    values: Iterable[UrgencyFlag | str], allowed: Iterable[str]
) -> list[str]:
    """Urgency flags, each known and weighted in the config; sorted, no repeats."""
    known = set(allowed)
    out = set()
    for value in values:
        try:
            flag = UrgencyFlag(value)
        except ValueError:
            raise InvalidInput(f"unknown urgency flag {value!r}") from None
        if str(flag) not in known:
            raise InvalidInput(f"urgency flag {value!r} has no weight in the config")
        out.add(str(flag))
    return sorted(out)
