"""The one way the parts of the handoff queue reach its scripts.

``Runner`` holds what one queue (one key prefix) runs with: the client, the key
handle, the configuration and the clock. It registers every script of
``bot/handoff/scripts`` once (EVALSHA, and SCRIPT LOAD when the server does not know
one), builds a call's KEYS from the names the script declares, passes the
configuration and the time as ``ARGV[1]`` and ``ARGV[2]``, and turns a refusal into
its typed error (``call``). ``QueuePart`` is the base of every part of
``HandoffQueue`` (customers.py, agents.py, claims.py, housekeeping.py,
reading.py): they share one runner.

The Redis client (``redis.asyncio.Redis``) is passed in; responses may be bytes or str.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from bot.handoff import keys as K
from bot.handoff.config import HandoffConfig
from bot.handoff.errors import refusal
from bot.handoff.keys import QueueKeys
from bot.handoff.scripts import ALL, Ids, Script
from bot.handoff.ticket import Ticket

# One logger for every part of the queue.
log = logging.getLogger("bot.handoff.queue")


def decode(value: Any) -> Any:
    """Decode bytes (recursively in lists) so both client modes read the same."""
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def ticket_of(doc: str) -> Ticket:
    """A ticket from a script's JSON object of its hash fields."""
    return Ticket.from_fields(json.loads(doc))


def readable(records: Sequence[tuple[str, Any]]) -> list[Ticket]:
    """Tickets from stored fields, leaving out (and logging) records that cannot be
    read (written by hand or by another version), so one bad record does not break
    every list, count and export that reads it."""
    found = []
    for ticket_id, fields in records:
        try:
            found.append(Ticket.from_fields(fields))
        except (KeyError, ValueError, TypeError, AttributeError) as error:
            log.warning("unreadable handoff record of %s skipped: %r", ticket_id, error)
    return found


class Runner:
    """Runs the queue's scripts on one client, for one key prefix."""

    def __init__(
        self,
        client: Any,
        keys: QueueKeys,
        config: HandoffConfig,
        clock: Callable[[], float],
        retention_s: int,
    ) -> None:
        self.redis = client
        self.keys = keys
        self.config = config
        self.clock = clock
        self._registered = {s.name: client.register_script(s.text) for s in ALL}
        c = config
        self.conf = json.dumps(
            {
                "w": c.weights(),
                "aging": c.aging_per_minute,
                "lease": round(c.lease * 1000),
                "ttl": round(c.presence_ttl * 1000),
                "window": round(c.load_window * 1000),
                "ii": c.intense_intensity,
                "if_": c.intense_frustration,
                "max_recent": c.max_recent_intense,
                "spec": c.specialist_skill,
                "max_reoffers": c.max_reoffers,
                "maxlen": K.EVENTS_MAXLEN,
                "archive_max": K.ARCHIVE_MAX,
                "archive_ttl": retention_s,
                "resolved_ttl": retention_s,
                "stats_max": K.STATS_SAMPLES,
                "timeline_max": K.TIMELINE_MAX,
                "notes_max": K.NOTES_MAX,
            }
        )

    def now(self) -> float:
        """The queue's clock (UNIX seconds)."""
        return float(self.clock())

    def registered(self, script: Script) -> Any:
        """The script as registered on the client (``.sha``, ``.script``)."""
        return self._registered[script.name]

    def stamp(self, now: float | None = None) -> int:
        """``ARGV[2]``: the time in milliseconds (``now``, else the clock's)."""
        return round((self.now() if now is None else now) * 1000)

    def key_list(
        self,
        script: Script,
        ticket: str = "",
        agent: str = "",
        each: Iterable[Ids] = (),
    ) -> list[str]:
        """The KEYS of one call of ``script``."""
        return script.key_list(self.keys, Ids(ticket, agent), each)

    async def run(
        self,
        script: Script,
        args: Sequence[Any],
        *,
        ticket: str = "",
        agent: str = "",
        each: Iterable[Ids] = (),
        now: float | None = None,
    ) -> list[Any]:
        """Run ``script`` with the keys of ``ticket``/``agent`` (and of ``each``)
        and ``args`` after the configuration and the time; its reply, decoded."""
        reply = await self._registered[script.name](
            keys=self.key_list(script, ticket, agent, each),
            args=[self.conf, self.stamp(now), *args],
        )
        return list(decode(reply))

    async def call(
        self,
        script: Script,
        args: Sequence[Any],
        *,
        ticket: str = "",
        agent: str = "",
        token: int = 0,
        wanted: str = "",
        each: Iterable[Ids] = (),
        now: float | None = None,
    ) -> list[Any]:
        """``run``, raising the typed error when the script refuses (``wanted``:
        the state the caller needed); the ``{"ok", ...}`` reply otherwise."""
        reply = await self.run(
            script, args, ticket=ticket, agent=agent, each=each, now=now
        )
        if reply[0] != "ok":
            raise refusal(
                reply, ticket_id=ticket, agent_id=agent, token=token, wanted=wanted
            )
        return reply


class QueuePart:
    """What every part of ``HandoffQueue`` shares: one runner and its client,
    key handle and configuration."""

    def __init__(self, runner: Runner) -> None:
        self._runner = runner
        self.redis = runner.redis
        self.keys = runner.keys
        self.config = runner.config

    def _now(self) -> float:
        return self._runner.now()
