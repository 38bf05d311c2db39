"""The handoff queue's Redis keys, TTLs and caps; and ``Keys``, every key of the
deployment: the queue's (``QueueKeys``, here) and the app's (``AppKeys``:
bot/rediskeys.py, which also says where keys live on a Redis Cluster).

The queue's keys all share the ``{<prefix>}`` hash tag, so one Cluster slot holds
them and the queue's Lua scripts (bot/handoff/scripts) may touch any of them
together. Call sites only concatenate these constants.

Layout (``{es}`` for the prefix ``es``)::

    {es}:ticket:<conversation id>     hash   the ticket (one per conversation)
    {es}:archive:<conversation id>    list   earlier handoffs of that conversation
    {es}:queue                        zset   waiting tickets, best first (order score)
    {es}:queued_at                    zset   waiting tickets by time queued (timeouts)
    {es}:leases                       zset   assigned tickets by lease expiry (ms)
    {es}:flagged                      set    tickets re-offered too often (supervisors)
    {es}:followups                    zset   tickets with a follow-up request, by time
    {es}:fence                        string fencing-token counter
    {es}:events                       stream every queue change
    {es}:agents                       set    registered agent ids
    {es}:online                       zset   online agents by presence expiry (ms)
    {es}:capacity                     hash   agent id -> capacity
    {es}:held                         hash   agent id -> chats held (size of :chats)
    {es}:agent:<agent id>             hash   name, capacity, skills, status, ...
    {es}:agent:<agent id>:chats       set    tickets the agent holds now
    {es}:agent:<agent id>:intense     zset   intense chats the agent claimed, by time
    {es}:stats:handle                 list   recent handling times (s), newest first
"""

from __future__ import annotations

from bot.rediskeys import AppKeys, KeyBase

TICKET = ":ticket:"
ARCHIVE = ":archive:"
QUEUE = ":queue"
QUEUED_AT = ":queued_at"
LEASES = ":leases"
FLAGGED = ":flagged"
FOLLOWUPS = ":followups"
FENCE = ":fence"
EVENTS = ":events"
AGENTS = ":agents"
ONLINE = ":online"
CAPACITY = ":capacity"
HELD = ":held"
AGENT = ":agent:"
AGENT_CHATS = ":chats"
AGENT_INTENSE = ":intense"
STATS_HANDLE = ":stats:handle"

# TTLs and caps.
# Resolved tickets (and their ratings) and earlier handoffs are kept RETENTION_DAYS,
# as long as transcripts: HandoffQueue(retention_s=...); this is the default.
DEFAULT_RETENTION_S = 90 * 24 * 3600
ARCHIVE_MAX = 20  # earlier handoffs kept per conversation
EVENTS_MAXLEN = 100_000  # approximate stream length (XADD MAXLEN ~)
STATS_SAMPLES = 200  # handling times kept for the expected-wait estimate
TIMELINE_MAX = 20  # emotion snapshots kept per ticket
NOTES_MAX = 200  # private notes kept per ticket

# The queue's keys by the names scripts give them in their KEYS (Script.keys,
# bot/handoff/scripts/base.py): the handle's attributes, and its methods of a ticket
# id or an agent id.
FIXED_KEYS = (
    "queue",
    "queued_at",
    "leases",
    "flagged",
    "followups",
    "fence",
    "events",
    "agents",
    "online",
    "capacity",
    "held",
    "stats_handle",
)
PER_TICKET_KEYS = ("ticket", "archive")
PER_AGENT_KEYS = ("agent", "agent_chats", "agent_intense")
KEY_NAMES = frozenset((*FIXED_KEYS, *PER_TICKET_KEYS, *PER_AGENT_KEYS))

MAX_ID_CHARS = 200


def valid_id(value: object, *, agent: bool = False) -> bool:
    """Whether ``value`` can be a conversation id (or, with ``agent``, an agent id).

    Printable, no spaces, at most 200 characters; agent ids also have no ``:`` (it
    separates an agent's keys).
    """
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_ID_CHARS
        and value.isprintable()
        and not any(ch.isspace() for ch in value)
        and not (agent and ":" in value)
    )


class QueueKeys(KeyBase):
    """The handoff queue's keys of one deployment (one prefix)."""

    def __init__(self, prefix: str) -> None:
        super().__init__(prefix)
        self.queue = self.tag + QUEUE
        self.queued_at = self.tag + QUEUED_AT
        self.leases = self.tag + LEASES
        self.flagged = self.tag + FLAGGED
        self.followups = self.tag + FOLLOWUPS
        self.fence = self.tag + FENCE
        self.events = self.tag + EVENTS
        self.agents = self.tag + AGENTS
        self.online = self.tag + ONLINE
        self.capacity = self.tag + CAPACITY
        self.held = self.tag + HELD
        self.stats_handle = self.tag + STATS_HANDLE
        self.ticket_pattern = self.tag + TICKET + "*"

    def key(self, name: str, ticket_id: str = "", agent_id: str = "") -> str:
        """The queue key a script calls ``name`` in its KEYS (one of KEY_NAMES),
        built from ``ticket_id`` or ``agent_id`` when it is one of theirs."""
        if name in PER_TICKET_KEYS:
            return str(getattr(self, name)(ticket_id))
        if name in PER_AGENT_KEYS:
            return str(getattr(self, name)(agent_id))
        if name in FIXED_KEYS:
            return str(getattr(self, name))
        raise KeyError(name)

    def ticket(self, ticket_id: str) -> str:
        """The ticket hash of a conversation."""
        return self.tag + TICKET + ticket_id

    def ticket_id(self, key: str) -> str:
        """The ticket id inside a ticket key."""
        return key[len(self.tag + TICKET) :]

    def archive(self, ticket_id: str) -> str:
        """Earlier handoffs of a conversation."""
        return self.tag + ARCHIVE + ticket_id

    def agent(self, agent_id: str) -> str:
        """An agent's hash."""
        return self.tag + AGENT + agent_id

    def agent_chats(self, agent_id: str) -> str:
        """The tickets an agent holds."""
        return self.tag + AGENT + agent_id + AGENT_CHATS

    def agent_intense(self, agent_id: str) -> str:
        """The intense chats an agent claimed recently."""
        return self.tag + AGENT + agent_id + AGENT_INTENSE


class Keys(QueueKeys, AppKeys):
    """Every key of one deployment: the queue's and the app's. The gateway makes
    one in its lifespan (bot/app.py) and hands it to each service; the queue keeps
    one too."""
