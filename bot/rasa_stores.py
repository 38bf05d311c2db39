"""Rasa's tracker and lock stores on the Redis of REDIS_URL (plain, Sentinel, Cluster).

Rasa 3.6's own Redis stores take a host, port and db only, so they reach neither a
Sentinel-watched master nor a Redis Cluster. These subclasses make their client with
``bot.redisurl.sync_client`` (all three forms of REDIS_URL) and keep Rasa's logic
(merging trackers before a save, ``record_exp``, ticket locks). ``endpoints.yml``
names them::

    tracker_store:
      type: bot.rasa_stores.RedisUrlTrackerStore
      url: ${REDIS_URL}
      key_prefix: ${REDIS_PREFIX}
      record_exp: ${TRACKER_TTL_SECONDS}
    lock_store:
      type: bot.rasa_stores.RedisUrlLockStore
      url: ${REDIS_URL}
      key_prefix: ${REDIS_PREFIX}

Keys carry the conversation's hash tag, as its transcript does (bot/handoff/keys.py),
so a conversation's tracker, lock and transcript share one Cluster slot and the
conversations spread over the shards::

    {<prefix>:<conversation id>}:rasa:tracker   string  the serialised tracker
    {<prefix>:<conversation id>}:rasa:lock      string  Rasa's ticket lock
    {<prefix>:<conversation id>}:rasa:lock:guard string  held while a ticket is
                                                         issued or given back

Rasa changes a ticket lock by reading it, changing it and writing it back. Two Rasa
servers doing that at the same moment for one conversation (the same customer's two
messages through two gateways) both read the same lock, both take ticket 1 and run
both turns at once. So every change to a lock happens under a short guard of its own
(``SET NX PX``, given back only by its holder).

Runs inside Rasa (``.venv-rasa``: Python 3.10, redis-py 4.6), so it imports only
Rasa, redis-py and ``bot.redisurl`` (mypy in ``.venv`` sees Rasa's classes as
``Any``: Rasa is not installed there).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore, RedisLockStore
from rasa.core.tracker_store import RedisTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from bot.redisurl import parse, sync_client

logger = logging.getLogger(__name__)

TRACKER = ":rasa:tracker"
LOCK = ":rasa:lock"
SOCKET_TIMEOUT_S = 10  # as Rasa's own lock store
GUARD = ":guard"
GUARD_MS = 2000  # a guard left by a process that died lapses after this long
GUARD_WAIT_S = 5.0  # waiting longer for a guard is an error (Rasa's LockError)
GUARD_POLL_S = 0.002
# give the guard back only if it is still ours (it may have lapsed and been taken)
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('del', KEYS[1]) else return 0 end"
)


def conversation_tag(prefix: str, conversation_id: str) -> str:
    """The hash tag of a conversation's keys (as ``Keys.conversation_tag``)."""
    return "{" + prefix + ":" + conversation_id + "}"


def _prefix(value: Any) -> str:
    prefix = str(value or "")
    if not prefix.isalnum():
        raise ValueError(f"key_prefix must be letters and digits, not {prefix!r}")
    return prefix


def _client(url: Any, **kwargs: Any) -> Any:
    if not url:
        raise ValueError("the store's url (REDIS_URL) is empty")
    return sync_client(str(url), **kwargs)


def _scan(red: Any, pattern: str) -> Iterable[str]:
    """Every key matching ``pattern`` (on every master of a cluster)."""
    if hasattr(red, "get_primaries"):  # RedisCluster
        seen: set[str] = set()
        for node in red.get_primaries():
            for key in red.scan_iter(match=pattern, count=500, target_nodes=node):
                seen.add(key.decode() if isinstance(key, bytes) else key)
        return seen
    return {
        k.decode() if isinstance(k, bytes) else k
        for k in red.scan_iter(match=pattern, count=500)
    }


class RedisUrlTrackerStore(RedisTrackerStore):
    """Rasa's Redis tracker store, on REDIS_URL, with per-conversation keys."""

    def __init__(
        self,
        domain: Domain,
        host: str = "",
        event_broker: EventBroker | None = None,
        record_exp: Any = None,
        key_prefix: Any = "es",
        **kwargs: Any,
    ) -> None:
        """``host`` is REDIS_URL (endpoints.yml's ``url``)."""
        parse(str(host))  # a clear error for a bad URL, before anything else
        self.red = _client(host, decode_responses=True)
        self.record_exp = int(float(record_exp)) if record_exp else None
        self.prefix = _prefix(key_prefix)
        # Rasa's ``key_prefix + sender_id`` is not used: every read and write goes
        # through ``key``.
        self.key_prefix = ""
        for rasa_only in ("url", "port", "db", "password", "username", "use_ssl"):
            kwargs.pop(rasa_only, None)
        TrackerStore.__init__(self, domain, event_broker, **kwargs)

    def key(self, sender_id: str) -> str:
        """The Redis key of a conversation's tracker."""
        return conversation_tag(self.prefix, sender_id) + TRACKER

    async def save(self, tracker: Any, timeout: float | None = None) -> None:
        """Save as Rasa does (merging with the stored tracker), under ``key``."""
        await self.stream_events(tracker)
        if not timeout and self.record_exp:
            timeout = self.record_exp
        key = self.key(tracker.sender_id)
        stored = self.red.get(key)
        if stored is not None:
            prior = self.deserialise_tracker(tracker.sender_id, stored)
            tracker = self._merge_trackers(prior, tracker)
        expiry = int(timeout) if timeout else None
        self.red.set(key, self.serialise_tracker(tracker), ex=expiry)

    async def _retrieve(self, sender_id: str, fetch_all_sessions: bool) -> Any:
        stored = self.red.get(self.key(sender_id))
        if stored is None:
            return None
        tracker = self.deserialise_tracker(sender_id, stored)
        if fetch_all_sessions or tracker is None:
            return tracker
        from rasa.shared.core.trackers import get_trackers_for_conversation_sessions

        sessions = get_trackers_for_conversation_sessions(tracker)
        return tracker if len(sessions) <= 1 else sessions[-1]

    async def keys(self) -> Iterable[str]:
        """The conversation ids with a stored tracker."""
        start = len("{" + self.prefix + ":")
        end = len("}" + TRACKER)
        pattern = "{" + self.prefix + ":*}" + TRACKER
        return [key[start:-end] for key in _scan(self.red, pattern)]


class RedisUrlLockStore(RedisLockStore):
    """Rasa's Redis lock store, on REDIS_URL, with per-conversation keys."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        """Built by Rasa from endpoints.yml's ``lock_store`` section."""
        url = str(endpoint_config.url or "")
        parse(url)
        self.red = _client(url, socket_timeout=SOCKET_TIMEOUT_S)
        self.prefix = _prefix(endpoint_config.kwargs.get("key_prefix", "es"))
        self.key_prefix = ""
        LockStore.__init__(self)

    def key(self, conversation_id: str) -> str:
        """The Redis key of a conversation's ticket lock."""
        return conversation_tag(self.prefix, conversation_id) + LOCK

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """The conversation's lock, if one is stored."""
        serialised = self.red.get(self.key(conversation_id))
        if serialised:
            return TicketLock.from_dict(json.loads(serialised))
        return None

    def delete_lock(self, conversation_id: str) -> None:
        """Remove the conversation's lock."""
        deleted = self.red.delete(self.key(conversation_id))
        self._log_deletion(conversation_id, deleted)

    def save_lock(self, lock: TicketLock) -> None:
        """Store ``lock``."""
        self.red.set(self.key(lock.conversation_id), lock.dumps())

    @contextmanager
    def _guarded(self, conversation_id: str) -> Iterator[None]:
        """Hold the conversation's guard while its lock is read, changed and
        written back, so no other Rasa process changes it in between."""
        key = self.key(conversation_id) + GUARD
        token = uuid.uuid4().hex
        deadline = time.monotonic() + GUARD_WAIT_S
        while not self.red.set(key, token, nx=True, px=GUARD_MS):
            if time.monotonic() > deadline:
                raise LockError(f"the lock of '{conversation_id}' stayed guarded")
            time.sleep(GUARD_POLL_S)
        try:
            yield
        finally:
            self.red.eval(_RELEASE, 1, key, token)

    def issue_ticket(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME
    ) -> int:
        """A new ticket for the conversation, issued under its guard."""
        with self._guarded(conversation_id):
            return int(super().issue_ticket(conversation_id, lock_lifetime))

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Give ``ticket_number`` back, under the conversation's guard."""
        with self._guarded(conversation_id):
            LockStore.finish_serving(self, conversation_id, ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Give the ticket back and delete the lock when nobody else waits, in one
        guarded step (a ticket issued in between is not deleted with it)."""
        with self._guarded(conversation_id):
            LockStore.finish_serving(self, conversation_id, ticket_number)
            if not self.is_someone_waiting(conversation_id):
                self.delete_lock(conversation_id)

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets, under the conversation's guard."""
        with self._guarded(conversation_id):
            LockStore.update_lock(self, conversation_id)
