"""Every Redis key of the handoff queue, and every key TTL and size cap.

All keys of one deployment share the hash tag ``{<prefix>}``, so every multi-key Lua
script runs on one Redis Cluster slot. Call sites only concatenate these constants;
nothing else in the package spells a key.

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

The agent console (bot/console)::

    {es}:accounts                     set    console account ids (= agent ids)
    {es}:account:<agent id>           hash   name, role, password hash, disabled
    {es}:account:<agent id>:sessions  set    digests of the account's open sessions
    {es}:csession:<sha256 of token>   hash   agent, csrf token, created, ip (TTL: idle)
    {es}:authfail:<kind>:<value>      zset   failed logins by time (kind user or ip)
    {es}:audit                        stream claims, replies, transfers, resolves, denials
    {es}:customer:<customer id>       zset   the customer's conversations, by first seen
    {es}:assist:proposed              hash   proposal id -> reply proposed for the library
    {es}:assist:approved              hash   proposal id -> reply a supervisor approved
"""

from __future__ import annotations

import re

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
ACCOUNTS = ":accounts"
ACCOUNT = ":account:"
ACCOUNT_SESSIONS = ":sessions"
CONSOLE_SESSION = ":csession:"
AUTH_FAILURES = ":authfail:"
AUDIT = ":audit"
CUSTOMER = ":customer:"
ASSIST_PROPOSED = ":assist:proposed"
ASSIST_APPROVED = ":assist:approved"

# TTLs and caps.
RESOLVED_TTL_S = 30 * 24 * 3600  # a resolved ticket (and its ratings) is kept 30 days
ARCHIVE_TTL_S = 90 * 24 * 3600  # earlier handoffs of a conversation
ARCHIVE_MAX = 20  # earlier handoffs kept per conversation
EVENTS_MAXLEN = 100_000  # approximate stream length (XADD MAXLEN ~)
STATS_SAMPLES = 200  # handling times kept for the expected-wait estimate
TIMELINE_MAX = 20  # emotion snapshots kept per ticket
NOTES_MAX = 200  # private notes kept per ticket
AUDIT_MAXLEN = 1_000_000  # audit entries kept (XADD MAXLEN ~)
CUSTOMER_CONVERSATIONS_MAX = 50  # conversations remembered per customer

_PREFIX = re.compile(r"^[A-Za-z0-9]{1,32}$")
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


class Keys:
    """The key names of one deployment (one prefix)."""

    def __init__(self, prefix: str) -> None:
        if not _PREFIX.match(prefix):
            raise ValueError("prefix must be 1-32 letters or digits")
        self.prefix = prefix
        self.tag = "{" + prefix + "}"
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
        self.accounts = self.tag + ACCOUNTS
        self.audit = self.tag + AUDIT
        self.assist_proposed = self.tag + ASSIST_PROPOSED
        self.assist_approved = self.tag + ASSIST_APPROVED
        self.ticket_pattern = self.tag + TICKET + "*"
        self.all_pattern = self.tag + ":*"

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

    def account(self, agent_id: str) -> str:
        """A console account (agent or supervisor)."""
        return self.tag + ACCOUNT + agent_id

    def account_sessions(self, agent_id: str) -> str:
        """Digests of an account's open console sessions."""
        return self.tag + ACCOUNT + agent_id + ACCOUNT_SESSIONS

    def console_session(self, digest: str) -> str:
        """One console session, by the SHA-256 of its cookie value."""
        return self.tag + CONSOLE_SESSION + digest

    def auth_failures(self, kind: str, value: str) -> str:
        """Recent failed logins for an account (``user``) or an address (``ip``)."""
        return self.tag + AUTH_FAILURES + kind + ":" + value

    def customer(self, customer_id: str) -> str:
        """The conversations of one customer, oldest first."""
        return self.tag + CUSTOMER + customer_id
