"""The key layout of the deployment, pinned: every key name for one prefix and id.

Data written by an earlier version must keep working, so a refactor may move these
names between modules but never change one. A new key must be added here too (the
last test finds keys the table does not pin). No Redis needed.
"""

from __future__ import annotations

import inspect

import pytest

from bot.handoff.keys import Keys, QueueKeys
from bot.rediskeys import AppKeys

K = Keys("es")
C, A = "web-1", "a1"  # a conversation and an agent

# name -> the key for prefix "es", conversation "web-1", agent "a1"
LAYOUT = {
    # the queue's slot {es}
    "queue": (K.queue, "{es}:queue"),
    "queued_at": (K.queued_at, "{es}:queued_at"),
    "leases": (K.leases, "{es}:leases"),
    "flagged": (K.flagged, "{es}:flagged"),
    "followups": (K.followups, "{es}:followups"),
    "fence": (K.fence, "{es}:fence"),
    "events": (K.events, "{es}:events"),
    "agents": (K.agents, "{es}:agents"),
    "online": (K.online, "{es}:online"),
    "capacity": (K.capacity, "{es}:capacity"),
    "held": (K.held, "{es}:held"),
    "stats_handle": (K.stats_handle, "{es}:stats:handle"),
    "ticket": (K.ticket(C), "{es}:ticket:web-1"),
    "archive": (K.archive(C), "{es}:archive:web-1"),
    "agent": (K.agent(A), "{es}:agent:a1"),
    "agent_chats": (K.agent_chats(A), "{es}:agent:a1:chats"),
    "agent_intense": (K.agent_intense(A), "{es}:agent:a1:intense"),
    # the app's keys in the {es} slot
    "live": (K.live, "{es}:live"),
    "accounts": (K.accounts, "{es}:accounts"),
    "account": (K.account(A), "{es}:account:a1"),
    "account_sessions": (K.account_sessions(A), "{es}:account:a1:sessions"),
    "console_session": (K.console_session("d1g"), "{es}:csession:d1g"),
    "auth_failures": (K.auth_failures("ip", "h4"), "{es}:authfail:ip:h4"),
    "audit": (K.audit, "{es}:audit"),
    "audit_anonymous": (K.audit_anonymous, "{es}:audit:anon"),
    "customer": (K.customer("cu-9"), "{es}:customer:cu-9"),
    "assist_proposed": (K.assist_proposed, "{es}:assist:proposed"),
    "assist_approved": (K.assist_approved, "{es}:assist:approved"),
    "qa_ratings": (K.qa_ratings, "{es}:qa:ratings"),
    "practice": (K.practice("p1"), "{es}:practice:p1"),
    "practices": (K.practices(A), "{es}:practices:a1"),
    "exercise_answers": (K.exercise_answers("x1"), "{es}:exercise:answers:x1"),
    "exercise_mine": (K.exercise_mine(A), "{es}:exercise:mine:a1"),
    "exercise_real": (K.exercise_real("x1"), "{es}:exercise:real:x1"),
    "exercise_sources": (K.exercise_sources, "{es}:exercise:sources"),
    "telegram_update": (K.telegram_update(77), "{es}:tg:update:77"),
    "telegram_chats": (K.telegram_chats, "{es}:tg:chats"),
    "rate": (K.rate("session", C), "{es}:rate:session:web-1"),
    "address_chats": (K.address_chats("h4"), "{es}:addr:h4"),
    "survey_quiet": (K.survey_quiet, "{es}:survey:quiet"),
    "survey_answers": (K.survey_answers, "{es}:survey:answers"),
    "survey_comment_wait": (K.survey_comment_wait, "{es}:survey:comment-wait"),
    "nps_asked": (K.nps_asked("d9"), "{es}:nps:d9"),
    "report": (K.report("2026-W49"), "{es}:report:2026-W49"),
    "report_baseline": (K.report_baseline, "{es}:report-baseline"),
    "reports": (K.reports, "{es}:reports"),
    "report_file": (K.report_file("2026-W49"), "{es}:report-file:2026-W49"),
    # one conversation's slot {es:web-1}
    "transcript": (K.transcript(C), "{es:web-1}:tr"),
    "client_ids": (K.client_ids(C), "{es:web-1}:trids"),
    "emotion": (K.emotion(C), "{es:web-1}:emo"),
    "conversation": (K.conversation(C), "{es:web-1}:conv"),
    "timeout_said": (K.timeout_said(C, "2.17"), "{es:web-1}:timeout_said:2.17"),
    "work": (K.work(C, "1-0"), "{es:web-1}:work:1-0"),
    "web_session": (K.web_session(C), "{es:web-1}:wsession"),
    "telegram_outbox": (K.telegram_outbox(C), "{es:web-1}:tg:out"),
    "telegram_lock": (K.telegram_lock(C), "{es:web-1}:tg:lock"),
    "survey": (K.survey(C), "{es:web-1}:survey"),
    "telegram_notice": (K.telegram_notice(C), "{es:web-1}:tg:notice"),
    "telegram_slow": (K.telegram_slow(C), "{es:web-1}:tg:slow"),
    "telegram_typing": (K.telegram_typing(C), "{es:web-1}:tg:typing"),
    "typing": (K.typing(C, "agent"), "{es:web-1}:typing:agent"),
    "rasa_tracker": (K.rasa_tracker(C), "{es:web-1}:rasa:tracker"),
    "rasa_lock": (K.rasa_lock(C), "{es:web-1}:rasa:lock"),
}

# What the handle has besides keys: its prefix, tags, patterns and helpers.
NOT_KEYS = {
    "prefix",
    "tag",
    "all_pattern",
    "ticket_pattern",
    "conversation_tag",
    "ticket_id",
    "key",
}


@pytest.mark.parametrize("name", sorted(LAYOUT))
def test_every_key_keeps_its_name(name: str) -> None:
    built, pinned = LAYOUT[name]
    assert built == pinned


def test_the_tags_and_patterns_keep_their_form() -> None:
    assert K.tag == "{es}"
    assert K.conversation_tag(C) == "{es:web-1}"
    assert K.all_pattern == "{es[:}]*"
    assert K.ticket_pattern == "{es}:ticket:*"
    assert K.ticket_id("{es}:ticket:x:y") == "x:y"
    # an id holding "}" still gives all of its keys one Cluster tag
    assert K.transcript("a}b") == "{es:a}b}:tr"


def test_the_queue_and_the_app_handles_build_the_same_keys() -> None:
    queue, app = QueueKeys("es"), AppKeys("es")
    assert queue.ticket(C) == K.ticket(C) and queue.held == K.held
    assert app.transcript(C) == K.transcript(C) and app.audit == K.audit
    assert not hasattr(queue, "transcript") and not hasattr(app, "ticket")


def test_the_table_pins_every_key_of_the_handle() -> None:
    names = {
        name
        for name, value in inspect.getmembers(K)
        if not name.startswith("_") and (isinstance(value, str) or callable(value))
    }
    assert names - NOT_KEYS == set(LAYOUT)


def test_a_bad_prefix_is_refused() -> None:
    for bad in ("es:bad", "", "x" * 33, "{es}"):
        with pytest.raises(ValueError):
            Keys(bad)
