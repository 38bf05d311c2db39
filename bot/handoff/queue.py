"""The human-handoff queue: the one place that changes a ticket's or an agent's state.

Every state change is one Lua script (bot/handoff/scripts) on the keys of keys.py,
so it is atomic, appends its event to the stream in the same step, and leaves
everything unchanged when it refuses (a typed error from errors.py). ``HandoffQueue``
puts together the parts, each a module over one shared runner (runner.py):

* customers.py: enqueue, rescore, position, follow-up, rating, business hours;
* agents.py: register, presence, heartbeat, agent views;
* claims.py: claim (one, next, many, automatic), the fencing token, release,
  transfer, notes, resolve;
* housekeeping.py: reap expired leases, reconcile the indexes;
* reading.py: tickets, history, waiting, timed out, flagged, follow-ups, events.

The parts only check arguments, read what a script needs to name its keys, and turn
replies into records.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bot.handoff import keys as K
from bot.handoff.claims import Claims
from bot.handoff.config import HandoffConfig, load_config
from bot.handoff.customers import CustomerSide
from bot.handoff.housekeeping import Housekeeping
from bot.handoff.keys import Keys
from bot.handoff.runner import Runner

__all__ = ["HandoffQueue"]


class HandoffQueue(CustomerSide, Claims, Housekeeping):
    """Tickets, agents, claims and events of one deployment (one key prefix)."""

    # Every key of the deployment, though the queue uses only its own: the gateway's
    # services get theirs from its lifespan (bot/app.py).
    keys: Keys

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "es",
        config: HandoffConfig | None = None,
        clock: Callable[[], float] = time.time,
        retention_s: int = K.DEFAULT_RETENTION_S,
    ) -> None:
        """``retention_s``: how long resolved tickets and earlier handoffs are
        kept (RETENTION_DAYS, as long as the conversation's transcript)."""
        self.retention_s = retention_s
        super().__init__(
            Runner(client, Keys(prefix), config or load_config(), clock, retention_s)
        )

    def now(self) -> float:
        """The queue's clock (UNIX seconds): what other services time by."""
        return self._runner.now()
