"""Every Redis key of the deployment outside the handoff queue, and where keys live.

The queue's own keys (tickets, indexes, agents, events) are in bot/handoff/keys.py,
which also puts both together: ``Keys`` there is the handle the gateway's lifespan
(bot/app.py) makes once and hands to every service. This module imports nothing of
the project, so the handoff package can build on it.

Two kinds of hash tag decide where a key lives on a Redis Cluster (one server or a
Sentinel-watched master holds them all the same way; REDIS_URL, bot/redisurl.py):

* ``{<prefix>}``: the queue, the agents, the console and the counters. The queue's
  Lua scripts touch tickets, queue indexes and agent sets together, so all of them
  share this one slot. The rate-limit counters (one script counts a session and its
  address together), the per-address and per-customer conversation lists and the
  Telegram update marks stay here too: small keys, read with the queue's.
* ``{<prefix>:<conversation id>}``: everything of one conversation (its transcript,
  records, work marks, widget session, Telegram chat state and Rasa's tracker and
  lock), so conversations spread over the shards while each one's keys share a
  slot: the transcript's append script touches only its own conversation's keys.

No script touches both kinds. The one write that depends on the queue, an agent's
reply (``bot.handoff.scripts.fenced``), checks the claim in the ``{prefix}`` slot and
then writes in the conversation's slot only while no note has ended that claim (the
conversation hash's ``claim_ended``, raised by the resolve/release/transfer/reap
note in the same script as the note). Multi-key reads of one conversation (MGET of
its work marks) stay in its slot; pipelines that mix slots are not transactions.
The ``{prefix}:live`` pub/sub channel is cluster-wide. Call sites only concatenate
these constants; nothing else spells a key, except Rasa's stores
(bot/rasa_stores.py, which cannot import this package) whose two keys are listed
here and checked against it in the tests (tests/bot/test_rediskeys.py pins every
key name of the deployment).

Keys written before this layout (``{es}:tr:<id>``, ``estracker:tracker:<id>``, ...)
are not read: there is no migration yet (docs/reliability.md, "Key layout").

One conversation (bot/transcript.py, bot/conversations.py), ``<c>`` = ``es:<id>``::

    {<c>}:tr                          stream every message of the conversation
    {<c>}:trids                       hash   client message id -> stream id (dedupe)
    {<c>}:emo                         hash   stream id -> emotion annotation (JSON)
    {<c>}:conv                        hash   channel, customer name, ref and handle
                                             (a Telegram @username), times,
                                             claim_ended (highest fencing token
                                             whose claim a note ended)
    {<c>}:timeout_said:<wait>         string the queue-timeout apology was said (NX)
    {<c>}:work:<stream id>            string "busy" while a message is answered, "done"
    {<c>}:wsession                    hash   the widget/API session of that id:
                                             started, last customer message (ms),
                                             keyed address hash, customer (the shop's
                                             id, when its page vouched;
                                             bot/identity.py) (TTL:
                                             SESSION_IDLE_SECONDS)
    {<c>}:tg:out                      hash   Telegram outbox: cursor, partial,
                                             sent_at, kb
    {<c>}:tg:lock                     string the process sending to the chat (PX)
    {<c>}:tg:notice                   string "I can only read text" said lately (EX)
    {<c>}:tg:slow                     string "you're writing very fast" said lately
    {<c>}:tg:typing                   string the stamp of the last typing note sent
                                             to Telegram (bot/typing_notes.py)
    {<c>}:typing:<side>               string when agent or customer last typed
                                             (ms; PX: the throttle, bot/typing_notes.py)
    {<c>}:survey                      hash   the survey: number (seq), open, questions,
                                             kind, language, handoff, agent, channel,
                                             asked_at, partial taps, answered, answers
    {<c>}:rasa:tracker                string Rasa's tracker (TTL: TRACKER_TTL_SECONDS)
    {<c>}:rasa:lock                   string Rasa's ticket lock of the conversation
    {<c>}:rasa:lock:guard             string held while a Rasa server changes that
                                             lock (PX 2 s; bot/rasa_stores.py)
    {es}:live                         pub/sub "<conversation id> <stream id>" per entry,
                                             "typing <side> <conversation id> <ms>"
                                             per typing event (bot/typing_notes.py)

Telegram (bot/telegram.py, bot/telegram_outbox.py)::

    {es}:tg:update:<update id>        string a webhook update seen (repeats ignored)
    {es}:tg:chats                     zset   Telegram conversations by last update (ms)

Rate limits (bot/ratelimit.py), counters of one fixed window (PX = the window)::

    {es}:rate:<scope>:<subject>       string messages so far (scope session, ip or
                                             tg), sessions started (scope newsession);
                                             an address only as a keyed hash
    {es}:addr:<keyed address hash>    zset   the address's conversations, by last
                                             message (ms): its open tickets are counted

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
    {es}:practice:<practice id>       string a practice conversation with a
                                             simulated customer (JSON; TTL:
                                             PRACTICE_TTL_S), never a ticket
    {es}:practices:<agent id>         zset   the agent's practices by start time
                                             (TTL: PRACTICE_TTL_S)
    {es}:exercise:answers:<exercise>  hash   agent id -> their answer to an emotion
                                             exercise (JSON; TTL: EXERCISE_TTL_S)
    {es}:exercise:mine:<agent id>     zset   the exercises the agent answered, by
                                             time (TTL: EXERCISE_TTL_S)
    {es}:exercise:real:<exercise>     string a resolved chat's customer message,
                                             redacted, offered as an exercise (JSON;
                                             TTL: EXERCISE_TTL_S)
    {es}:exercise:sources             hash   exercise sources a supervisor switched
                                             on ("real" -> "1")

Surveys (bot/surveys.py) and reports (bot/report_mail.py)::

    {es}:survey:quiet                 zset   bot-only conversations by the bot's last
                                             answer (ms), until asked or not eligible
    {es}:survey:answers               zset   answered surveys (JSON records) by time
    {es}:survey:comment-wait          zset   Telegram surveys whose numbers are in,
                                             waiting for the comment, by then (ms)
    {es}:nps:<customer digest>        string when the NPS was last asked (ms)
    {es}:report:<period>              string "sending" (the lock, EX), then "sent"
    {es}:reports                      zset   the generated reports' periods by when
                                             written (ms; bot/report_store.py)
    {es}:report-file:<period>         hash   html, pdf (base64), at: the latest
                                             report of the period
"""

from __future__ import annotations

import re

TRANSCRIPT = ":tr"
CLIENT_IDS = ":trids"
EMOTION = ":emo"
CONVERSATION = ":conv"
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
PRACTICE = ":practice:"
PRACTICES = ":practices:"
EXERCISE_ANSWERS = ":exercise:answers:"
EXERCISE_MINE = ":exercise:mine:"
EXERCISE_REAL = ":exercise:real:"
EXERCISE_SOURCES = ":exercise:sources"
TELEGRAM_UPDATE = ":tg:update:"
TELEGRAM_CHATS = ":tg:chats"
TELEGRAM_OUTBOX = ":tg:out"
TELEGRAM_LOCK = ":tg:lock"
TELEGRAM_NOTICE = ":tg:notice"
TELEGRAM_SLOW = ":tg:slow"
TELEGRAM_TYPING = ":tg:typing"
TYPING = ":typing:"
RATE = ":rate:"
ADDRESS_CHATS = ":addr:"
WEB_SESSION = ":wsession"
SURVEY = ":survey"
SURVEY_QUIET = ":survey:quiet"
SURVEY_ANSWERS = ":survey:answers"
SURVEY_COMMENT_WAIT = ":survey:comment-wait"
NPS_ASKED = ":nps:"
REPORT = ":report:"
REPORT_BASELINE = ":report-baseline"
REPORTS = ":reports"
REPORT_FILE = ":report-file:"
RASA_TRACKER = ":rasa:tracker"  # written by bot/rasa_stores.py (Rasa's side)
RASA_LOCK = ":rasa:lock"

# TTLs and caps.
TRANSCRIPT_MAX = 5_000  # messages kept per conversation (XADD MAXLEN ~)
AUDIT_MAXLEN = 1_000_000  # audit entries kept (XADD MAXLEN ~), none past retention
CUSTOMER_CONVERSATIONS_MAX = 50  # conversations remembered per customer
TELEGRAM_UPDATE_TTL_S = 24 * 3600  # Telegram stops re-sending an update after a day
PRACTICE_TTL_S = 30 * 24 * 3600  # practice conversations are kept 30 days
PRACTICES_MAX = 100  # practices kept per agent (older ones are deleted)
EXERCISE_TTL_S = PRACTICE_TTL_S  # exercise answers and real messages: practice data
EXERCISE_ANSWERS_MAX = 500  # exercise answers kept per agent (older ones are deleted)

_PREFIX = re.compile(r"^[A-Za-z0-9]{1,32}$")


class KeyBase:
    """A deployment's key prefix and its ``{<prefix>}`` hash tag."""

    def __init__(self, prefix: str) -> None:
        if not _PREFIX.match(prefix):
            raise ValueError("prefix must be 1-32 letters or digits")
        self.prefix = prefix
        self.tag = "{" + prefix + "}"
        # Every key of the deployment: the {prefix} slot's and the conversations'.
        self.all_pattern = "{" + prefix + "[:}]*"


class AppKeys(KeyBase):
    """The keys of one deployment (one prefix) outside the handoff queue."""

    def __init__(self, prefix: str) -> None:
        super().__init__(prefix)
        self.live = self.tag + LIVE
        self.accounts = self.tag + ACCOUNTS
        self.audit = self.tag + AUDIT
        self.audit_anonymous = self.tag + AUDIT_ANONYMOUS
        self.assist_proposed = self.tag + ASSIST_PROPOSED
        self.assist_approved = self.tag + ASSIST_APPROVED
        self.qa_ratings = self.tag + QA_RATINGS
        self.telegram_chats = self.tag + TELEGRAM_CHATS
        self.survey_quiet = self.tag + SURVEY_QUIET
        self.survey_answers = self.tag + SURVEY_ANSWERS
        self.survey_comment_wait = self.tag + SURVEY_COMMENT_WAIT
        # the baseline periods a supervisor marked: fields "week" and "month"
        self.report_baseline = self.tag + REPORT_BASELINE
        # which exercise sources a supervisor switched on (field "real": "1")
        self.exercise_sources = self.tag + EXERCISE_SOURCES
        self.reports = self.tag + REPORTS

    def conversation_tag(self, conversation_id: str) -> str:
        """The hash tag of a conversation's own keys: ``{<prefix>:<id>}``.

        Its keys share one Cluster slot (its scripts touch only them), and the
        conversations spread over the slots. An id holding ``}`` still gives all
        its keys one tag (Redis hashes up to the first ``}``).
        """
        return "{" + self.prefix + ":" + conversation_id + "}"

    def transcript(self, conversation_id: str) -> str:
        """Every message of a conversation (a stream)."""
        return self.conversation_tag(conversation_id) + TRANSCRIPT

    def client_ids(self, conversation_id: str) -> str:
        """Client message ids already stored for a conversation."""
        return self.conversation_tag(conversation_id) + CLIENT_IDS

    def emotion(self, conversation_id: str) -> str:
        """Emotion annotations of a conversation's customer messages."""
        return self.conversation_tag(conversation_id) + EMOTION

    def conversation(self, conversation_id: str) -> str:
        """Who the conversation is with, on which channel."""
        return self.conversation_tag(conversation_id) + CONVERSATION

    def timeout_said(self, conversation_id: str, wait: str) -> str:
        """Marks that the queue-timeout apology was said for one wait."""
        return self.conversation_tag(conversation_id) + TIMEOUT_SAID + wait

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

    def practice(self, practice_id: str) -> str:
        """One practice conversation (never in the queue or the transcripts)."""
        return self.tag + PRACTICE + practice_id

    def practices(self, agent_id: str) -> str:
        """An agent's practice conversations, by start time."""
        return self.tag + PRACTICES + agent_id

    def exercise_answers(self, exercise_id: str) -> str:
        """Everyone's answers to one exercise, by agent (hash)."""
        return self.tag + EXERCISE_ANSWERS + exercise_id

    def exercise_mine(self, agent_id: str) -> str:
        """An agent's exercise answers, by time (zset of exercise ids)."""
        return self.tag + EXERCISE_MINE + agent_id

    def exercise_real(self, exercise_id: str) -> str:
        """A real customer message offered as an exercise, redacted."""
        return self.tag + EXERCISE_REAL + exercise_id

    def customer(self, customer_id: str) -> str:
        """The conversations of one customer, oldest first."""
        return self.tag + CUSTOMER + customer_id

    def telegram_update(self, update_id: int) -> str:
        """Marks a Telegram webhook update as seen."""
        return self.tag + TELEGRAM_UPDATE + str(update_id)

    def telegram_outbox(self, conversation_id: str) -> str:
        """The Telegram outbox cursor of a chat."""
        return self.conversation_tag(conversation_id) + TELEGRAM_OUTBOX

    def telegram_lock(self, conversation_id: str) -> str:
        """Who sends to a Telegram chat right now."""
        return self.conversation_tag(conversation_id) + TELEGRAM_LOCK

    def survey(self, conversation_id: str) -> str:
        """The conversation's survey: asked, partial taps, answers."""
        return self.conversation_tag(conversation_id) + SURVEY

    def report(self, period: str) -> str:
        """A report of a period ("2026-W49", "2026-11"): e-mailed once."""
        return self.tag + REPORT + period

    def report_file(self, period: str) -> str:
        """The generated report of a period: its HTML and PDF."""
        return self.tag + REPORT_FILE + period

    def nps_asked(self, customer_digest: str) -> str:
        """When the customer (a digest) was last asked the NPS question."""
        return self.tag + NPS_ASKED + customer_digest

    def telegram_notice(self, conversation_id: str) -> str:
        """Throttles the "I can only read text here" notice of a chat."""
        return self.conversation_tag(conversation_id) + TELEGRAM_NOTICE

    def telegram_slow(self, conversation_id: str) -> str:
        """Throttles the "you're writing very fast" notice of a chat."""
        return self.conversation_tag(conversation_id) + TELEGRAM_SLOW

    def telegram_typing(self, conversation_id: str) -> str:
        """The last typing note sent to a Telegram chat (one gateway sends it)."""
        return self.conversation_tag(conversation_id) + TELEGRAM_TYPING

    def typing(self, conversation_id: str, side: str) -> str:
        """When ``side`` (agent or customer) last typed in the conversation."""
        return self.conversation_tag(conversation_id) + TYPING + side

    def rate(self, scope: str, subject: str) -> str:
        """A rate-limit counter (``scope`` session, ip or tg)."""
        return self.tag + RATE + scope + ":" + subject

    def address_chats(self, address: str) -> str:
        """The conversations of one client address (its keyed hash)."""
        return self.tag + ADDRESS_CHATS + address

    def web_session(self, session_id: str) -> str:
        """A widget or API session, while it is not idle too long (a session's id
        is its conversation's id, so it has that conversation's tag)."""
        return self.conversation_tag(session_id) + WEB_SESSION

    def work(self, conversation_id: str, entry_id: str) -> str:
        """Whether a customer message is being answered ("busy") or was ("done")."""
        return self.conversation_tag(conversation_id) + WORK + entry_id

    def rasa_tracker(self, conversation_id: str) -> str:
        """Rasa's tracker of a conversation (bot/rasa_stores.py writes it)."""
        return self.conversation_tag(conversation_id) + RASA_TRACKER

    def rasa_lock(self, conversation_id: str) -> str:
        """Rasa's ticket lock of a conversation (bot/rasa_stores.py writes it)."""
        return self.conversation_tag(conversation_id) + RASA_LOCK
