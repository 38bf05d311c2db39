"""Every Lua script of the handoff queue: each state transition is one atomic script.

One module per part of the queue (customer.py, agents.py, claims.py,
housekeeping.py, as bot/handoff/ is split); each script is a ``Script`` (base.py)
that names its KEYS next to its source, and one generated prologue binds them to
the Lua locals the source uses (``tkey``, ``akey``, ``stream``, ``queue``...), so no
script reads a declared key by position. Conventions of every script:

* ``ARGV[1]`` is the queue's configuration as JSON (weights, timings, caps) and
  ``ARGV[2]`` the current time in milliseconds; the rest is per script.
* Every key a script touches is in ``KEYS``, all with the queue's hash tag
  ``{prefix}``, so the scripts run on Redis Cluster (``fenced`` writes touch one
  conversation's keys only: bot/rediskeys.py). Keys that depend on data (a ticket,
  an agent) are read by the caller first and re-validated here.
* A script checks everything before it writes anything, then returns ``{"ok", ...}``;
  a refusal returns ``{code, detail}`` and changes nothing (the runner turns the
  codes into typed errors: bot/handoff/runner.py).
* Every change appends to the event stream (``XADD ... MAXLEN ~``) in the same script.
"""

from bot.handoff.scripts.agents import HEARTBEAT, PRESENCE, REGISTER
from bot.handoff.scripts.base import COMMON, FencedRun, Ids, Script, fenced
from bot.handoff.scripts.claims import CHECK, CLAIM, NOTE, RELEASE, RESOLVE, TRANSFER
from bot.handoff.scripts.customer import (
    ENQUEUE,
    ESTIMATE,
    FOLLOW_UP,
    LINE,
    RATE,
    RESCORE,
)
from bot.handoff.scripts.housekeeping import (
    REAP,
    RECONCILE_CHATS,
    RECONCILE_INDEX,
    RECONCILE_TICKETS,
)

# Registered once per client (bot/handoff/runner.py).
ALL: tuple[Script, ...] = (
    ENQUEUE,
    ESTIMATE,
    LINE,
    RESCORE,
    CLAIM,
    HEARTBEAT,
    REGISTER,
    PRESENCE,
    RELEASE,
    TRANSFER,
    NOTE,
    RESOLVE,
    RATE,
    FOLLOW_UP,
    CHECK,
    REAP,
    RECONCILE_TICKETS,
    RECONCILE_INDEX,
    RECONCILE_CHATS,
)

__all__ = [
    "ALL",
    "CHECK",
    "CLAIM",
    "COMMON",
    "ENQUEUE",
    "ESTIMATE",
    "FOLLOW_UP",
    "HEARTBEAT",
    "LINE",
    "NOTE",
    "PRESENCE",
    "REAP",
    "RECONCILE_CHATS",
    "RECONCILE_INDEX",
    "RECONCILE_TICKETS",
    "REGISTER",
    "RELEASE",
    "RESCORE",
    "RESOLVE",
    "TRANSFER",
    "FencedRun",
    "Ids",
    "Script",
    "fenced",
]
