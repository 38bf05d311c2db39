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

The conversations around the queue (bot/transcript.py, bot/conversations.py)::

    {es}:tr:<conversation id>         stream every message of the conversation
    {es}:trids:<conversation id>      hash   client message id -> stream id (dedupe)
    {es}:emo:<conversation id>        hash   stream id -> emotion annotation (JSON)
    {es}:conv:<conversation id>       hash   channel, customer name and ref, times
    {es}:live                         pub/sub "<conversation id> <stream id>" per entry
    {es}:timeout_said:<id>:<wait>     string the queue-timeout apology was said (NX)
    {es}:work:<id>:<stream id>        string "busy" while a message is answered, "done"

Telegram (bot/telegram.py, bot/telegram_outbox.py)::

    {es}:tg:update:<update id>        string a webhook update seen (repeats ignored)
    {es}:tg:chats                     zset   Telegram conversations by last update (ms)
    {es}:tg:out:<conversation id>     hash   outbox: cursor, partial, sent_at, kb
    {es}:tg:lock:<conversation id>    string the process sending to the chat (PX)
    {es}:tg:rating:<conversation id>  string satisfaction tapped, until "understood"
    {es}:tg:notice:<conversation id>  string "I can only read text" said lately (EX)
    {es}:tg:slow:<conversation id>    string "you're writing very fast" said lately (EX)

Rate limits (bot/ratelimit.py), counters of one fixed window (PX = the window)::

    {es}:rate:<scope>:<subject>       string messages so far (scope session, ip or
                                             tg), sessions started (scope newsession);
                                             an address only as a keyed hash
    {es}:addr:<keyed address hash>    zset   the address's conversations, by last
                                             message (ms): its open tickets are counted
    {es}:wsession:<session id>        hash   a widget/API session: started, last
                                             customer message (ms), keyed address hash,
                                             customer (the shop's id, when its page
                                             vouched; bot/identity.py)
                                             (TTL: SESSION_IDLE_SECONDS)

The agent console (bot/console)::

    {es}:accounts                     set    console account ids (= agent ids)
    {es}:account:<agent id>           hash   name, role, password hash, disabled
    {es}:account:<agent id>:sessions  set    digests of the account's open sessions
    {es}:csession:<sha256 of token>   hash   agent, csrf token, created, address hash
                                             (TTL: idle)
    {es}:authfail:<kind>:<value>      zset   sign-in attempts by time (kind user, or
                                             ip with the address's keyed hash)
    {es}:audit                        stream claim, reply, transfer, resolve, refusal
    {es}:audit:anon                   hash   this minute's anonymous refusals by kind
                                             (one summary entry in :audit per minute)
    {es}:customer:<customer id>       zset   the customer's conversations, by first seen
    {es}:assist:proposed              hash   proposal id -> reply proposed for assist
    {es}:assist:approved              hash   proposal id -> reply a supervisor approved
    {es}:qa:ratings                   hash   "<conversation> <entry> <rater>" -> a
                                             peer's empathy scorecard of a reply (JSON)
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
TRANSCRIPT = ":tr:"
CLIENT_IDS = ":trids:"
EMOTION = ":emo:"
CONVERSATION = ":conv:"
TIMEOUT_SAID = ":timeout_said:"
WORK = ":work:"
LIVE = ":live"
ACCOUNTS = ":accounts"
ACCOUNT = ":account:"
ACCOUNT_SESSIONS = ":sessions"
CONSOLE_SESSION = ":csession:"
AUTH_FAILURES = ":authfail:"
AUDIT = ":audit"
AUDIT_ANONYMOUS = ":audit:anon"
CUSTOMER = ":customer:"
ASSIST_PROPOSED = ":assist:proposed"
ASSIST_APPROVED = ":assist:approved"
QA_RATINGS = ":qa:ratings"
TELEGRAM_UPDATE = ":tg:update:"
TELEGRAM_CHATS = ":tg:chats"
TELEGRAM_OUTBOX = ":tg:out:"
TELEGRAM_LOCK = ":tg:lock:"
TELEGRAM_RATING = ":tg:rating:"
TELEGRAM_NOTICE = ":tg:notice:"
TELEGRAM_SLOW = ":tg:slow:"
RATE = ":rate:"
ADDRESS_CHATS = ":addr:"
WEB_SESSION = ":wsession:"

# TTLs and caps.
# Resolved tickets (and their ratings) and earlier handoffs are kept RETENTION_DAYS,
# as long as transcripts: HandoffQueue(retention_s=...); this is the default.
DEFAULT_RETENTION_S = 90 * 24 * 3600
ARCHIVE_MAX = 20  # earlier handoffs kept per conversation
EVENTS_MAXLEN = 100_000  # approximate stream length (XADD MAXLEN ~)
STATS_SAMPLES = 200  # handling times kept for the expected-wait estimate
TIMELINE_MAX = 20  # emotion snapshots kept per ticket
NOTES_MAX = 200  # private notes kept per ticket
TRANSCRIPT_MAX = 5_000  # messages kept per conversation (XADD MAXLEN ~)
AUDIT_MAXLEN = 1_000_000  # audit entries kept (XADD MAXLEN ~), none past retention
CUSTOMER_CONVERSATIONS_MAX = 50  # conversations remembered per customer
TELEGRAM_UPDATE_TTL_S = 24 * 3600  # Telegram stops re-sending an update after a day
TELEGRAM_RATING_TTL_S = 7 * 24 * 3600  # a first rating waits this long for the second

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
        self.live = self.tag + LIVE
        self.accounts = self.tag + ACCOUNTS
        self.audit = self.tag + AUDIT
        self.audit_anonymous = self.tag + AUDIT_ANONYMOUS
        self.assist_proposed = self.tag + ASSIST_PROPOSED
        self.assist_approved = self.tag + ASSIST_APPROVED
        self.qa_ratings = self.tag + QA_RATINGS
        self.telegram_chats = self.tag + TELEGRAM_CHATS
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

    def transcript(self, conversation_id: str) -> str:
        """Every message of a conversation (a stream)."""
        return self.tag + TRANSCRIPT + conversation_id

    def client_ids(self, conversation_id: str) -> str:
        """Client message ids already stored for a conversation."""
        return self.tag + CLIENT_IDS + conversation_id

    def emotion(self, conversation_id: str) -> str:
        """Emotion annotations of a conversation's customer messages."""
        return self.tag + EMOTION + conversation_id

    def conversation(self, conversation_id: str) -> str:
        """Who the conversation is with, on which channel."""
        return self.tag + CONVERSATION + conversation_id

    def timeout_said(self, conversation_id: str, wait: str) -> str:
        """Marks that the queue-timeout apology was said for one wait."""
        return self.tag + TIMEOUT_SAID + conversation_id + ":" + wait

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

    def telegram_update(self, update_id: int) -> str:
        """Marks a Telegram webhook update as seen."""
        return self.tag + TELEGRAM_UPDATE + str(update_id)

    def telegram_outbox(self, conversation_id: str) -> str:
        """The Telegram outbox cursor of a chat."""
        return self.tag + TELEGRAM_OUTBOX + conversation_id

    def telegram_lock(self, conversation_id: str) -> str:
        """Who sends to a Telegram chat right now."""
        return self.tag + TELEGRAM_LOCK + conversation_id

    def telegram_rating(self, conversation_id: str) -> str:
        """The first rating tapped in a Telegram chat, until the second arrives."""
        return self.tag + TELEGRAM_RATING + conversation_id

    def telegram_notice(self, conversation_id: str) -> str:
        """Throttles the "I can only read text here" notice of a chat."""
        return self.tag + TELEGRAM_NOTICE + conversation_id

    def telegram_slow(self, conversation_id: str) -> str:
        """Throttles the "you're writing very fast" notice of a chat."""
        return self.tag + TELEGRAM_SLOW + conversation_id

    def rate(self, scope: str, subject: str) -> str:
        """A rate-limit counter (``scope`` session, ip or tg)."""
        return self.tag + RATE + scope + ":" + subject

    def address_chats(self, address: str) -> str:
        """The conversations of one client address (its keyed hash)."""
        return self.tag + ADDRESS_CHATS + address

    def web_session(self, session_id: str) -> str:
        """A widget or API session, while it is not idle too long."""
        return self.tag + WEB_SESSION + session_id

    def work(self, conversation_id: str, entry_id: str) -> str:
        """Whether a customer message is being answered ("busy") or was ("done")."""
        return self.tag + WORK + conversation_id + ":" + entry_id
