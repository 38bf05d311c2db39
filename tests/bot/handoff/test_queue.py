"""Every method of HandoffQueue and every refusal, on a real Redis."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
import redis.asyncio as aioredis

from bot.handoff import (
    Agent,
    AgentUnavailable,
    AlreadyRated,
    AlreadyResolved,
    AtCapacity,
    Availability,
    ContactMethod,
    EmotionSnapshot,
    EventType,
    FollowUp,
    HandoffQueue,
    InvalidInput,
    InvalidState,
    NotQueued,
    NotResolved,
    Place,
    Presence,
    Rating,
    SkillMismatch,
    StaleToken,
    TicketState,
    UnknownAgent,
    UnknownTicket,
    UrgencyFlag,
)
from bot.handoff.config import BusinessHours
from bot.handoff.keys import Keys
from bot.transcript import stream_id_after
from tests.bot.handoff.conftest import CONFIG, Clock, make_queue, online_agent, request

# -- enqueue ----------------------------------------------------------------------


async def test_enqueue_creates_a_ticket_with_everything_the_agent_needs(
    queue: HandoffQueue, clock: Clock
) -> None:
    result = await queue.enqueue(request("c1", 0.8, 3, frozenset({UrgencyFlag.VIP})))
    ticket = result.ticket
    assert result.created
    assert ticket.state is TicketState.QUEUED
    assert ticket.customer.name == "Customer c1"
    assert ticket.topic == "refund_status"
    assert ticket.tried == ["order lookup", "refund policy"]
    assert ticket.slots == {"order_id": "48213"}
    assert ticket.explanation == "Frustration 3/4."
    assert ticket.emotion == EmotionSnapshot("frustration", 0.8, 3, clock.now)
    assert ticket.timeline == [ticket.emotion]
    assert ticket.created_at == ticket.queued_at == clock.now
    assert ticket.priority == pytest.approx(40 * 0.8 + 40 * 3 / 4 + 30)
    assert result.position.position == 1
    assert result.position.waiting == 1
    assert await queue.ticket("c1") == ticket
    assert await queue.state("c1") is TicketState.QUEUED
    assert await queue.state("never-seen") is TicketState.BOT


async def test_enqueue_is_idempotent_per_conversation(queue: HandoffQueue) -> None:
    first = await queue.enqueue(request("c1", 0.3))
    again = await queue.enqueue(request("c1", 0.9, 4))  # retried action, new message
    assert not again.created
    assert again.ticket == first.ticket
    assert [t.id for t in await queue.waiting()] == ["c1"]
    enqueued = [e for e in await queue.events() if e.type is EventType.ENQUEUED]
    assert len(enqueued) == 1


async def test_enqueue_while_assigned_returns_the_assigned_ticket(
    queue: HandoffQueue,
) -> None:
    await online_agent(queue, "a1")
    await queue.enqueue(request("c1"))
    claim = await queue.claim("a1", "c1")
    again = await queue.enqueue(request("c1"))
    assert not again.created
    assert again.ticket.state is TicketState.ASSIGNED
    assert again.ticket.token == claim.token
    assert again.position.position is None


async def test_enqueue_after_resolve_starts_a_new_handoff_and_archives_the_old(
    queue: HandoffQueue,
) -> None:
    await online_agent(queue, "a1")
    await queue.enqueue(request("c1"))
    claim = await queue.claim("a1", "c1")
    await queue.resolve("a1", "c1", claim.token, "refund issued")
    await queue.rate("c1", Rating(5, 5))
    second = await queue.enqueue(request("c1", 0.9))
    assert second.created
    assert second.ticket.episode == 2
    assert second.ticket.rating is None and second.ticket.agent_id is None
    [old] = await queue.history("c1")
    assert old.state is TicketState.RESOLVED
    assert old.resolution == "refund issued"
    assert old.rating is not None and old.rating.csat == 5


async def test_unreadable_records_are_left_out_of_lists_not_fatal(
    queue: HandoffQueue, client: aioredis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    """A record written by hand or by another version is skipped with a warning;
    the readable ones are still listed (the dashboard and exports read these)."""
    await online_agent(queue, "a1")
    await queue.enqueue(request("c1"))
    claim = await queue.claim("a1", "c1")
    await queue.resolve("a1", "c1", claim.token)
    await queue.enqueue(request("c1"))  # archives the resolved handoff
    archive = queue.keys.archive("c1")
    await client.rpush(archive, "{not json", json.dumps({"state": "resolved"}))
    await client.hset(queue.keys.ticket("c2"), mapping={"state": "sleeping"})

    [old] = await queue.history("c1")
    assert old.state is TicketState.RESOLVED
    listed = await queue.tickets(["c1", "c2"])
    assert [t.id for t in listed] == ["c1"]
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert sum("c1" in w for w in warned) == 2 and any("c2" in w for w in warned)


@pytest.mark.parametrize(
    "change",
    [
        {"conversation_id": ""},
        {"conversation_id": "has space"},
        {"channel": ""},
        {"emotion": EmotionSnapshot("anger", 2.0, 1)},
        {"emotion": EmotionSnapshot("anger", 0.5, 9)},
        {"flags": frozenset({"bogus"})},
        {"slots": {"x": object()}},
        {"explanation": "x" * 5000},
    ],
)
async def test_enqueue_rejects_bad_input(
    queue: HandoffQueue, change: dict[str, object]
) -> None:
    bad = dataclasses.replace(request("c1"), **change)
    with pytest.raises(InvalidInput):
        await queue.enqueue(bad)
    assert await queue.waiting() == []


async def test_enqueue_says_when_no_agent_is_online(queue: HandoffQueue) -> None:
    result = await queue.enqueue(request("c1"))
    assert result.availability is Availability.NO_AGENT_ONLINE
    assert result.offer_follow_up
    assert result.position.expected_wait is None
    await online_agent(queue, "a1")
    result = await queue.enqueue(request("c2"))
    assert result.availability is Availability.OPEN
    assert not result.offer_follow_up
    assert result.position.agents_online == 1


async def test_enqueue_says_when_outside_business_hours(
    client: aioredis.Redis, prefix: str, clock: Clock
) -> None:
    closed = BusinessHours(timezone="UTC", days={})  # never open
    queue = make_queue(client, prefix, clock, hours=closed)
    await online_agent(queue, "a1")
    result = await queue.enqueue(request("c1"))
    assert result.availability is Availability.CLOSED
    assert result.offer_follow_up
    assert result.next_open is None
    assert result.created  # still queued, an agent sees it later


async def test_closed_until_says_when_the_team_is_back(
    client: aioredis.Redis, prefix: str, clock: Clock
) -> None:
    assert make_queue(client, prefix, clock).closed_until() is None  # always open
    never = BusinessHours(timezone="UTC", days={})
    assert make_queue(client, prefix, clock, hours=never).closed_until() == ""
    clock.now = dt.datetime(2025, 6, 13, 21, tzinfo=dt.UTC).timestamp()  # a Friday
    mondays = BusinessHours(timezone="UTC", days={0: (dt.time(9), dt.time(17))})
    queue = make_queue(client, prefix, clock, hours=mondays)
    assert queue.closed_until() == "on Monday at 09:00"


async def test_follow_up_request_is_stored_and_listed(queue: HandoffQueue) -> None:
    await queue.enqueue(request("c1"))
    wish = FollowUp(ContactMethod.CALLBACK, "+49 30 1234", "after 5pm")
    await queue.request_follow_up("c1", wish)
    [ticket] = await queue.follow_ups()
    assert ticket.follow_up is not None
    assert ticket.follow_up.method is ContactMethod.CALLBACK
    assert ticket.follow_up.contact == "+49 30 1234"
    assert ticket.follow_up.preferred_time == "after 5pm"
    with pytest.raises(UnknownTicket):
        await queue.request_follow_up("nope", wish)
    with pytest.raises(InvalidInput):
        await queue.request_follow_up("c1", FollowUp(ContactMethod.EMAIL, ""))


async def test_resolve_takes_the_follow_up_off_the_list(queue: HandoffQueue) -> None:
    await online_agent(queue, "a1")
    await queue.enqueue(request("c1"))
    await queue.request_follow_up("c1", FollowUp(ContactMethod.EMAIL, "a@b.org"))
    claim = await queue.claim("a1", "c1")
    await queue.resolve("a1", "c1", claim.token)
    assert await queue.follow_ups() == []
    with pytest.raises(InvalidState):
        await queue.request_follow_up("c1", FollowUp(ContactMethod.EMAIL, "a@b.org"))


# -- priority, rescoring, aging, position -----------------------------------------


async def test_queue_orders_by_emotion_and_flags(queue: HandoffQueue) -> None:
    await queue.enqueue(request("calm", 0.1, 0))
    await queue.enqueue(request("angry", 0.9, 4))
    await queue.enqueue(request("distress", 0.3, 1, frozenset({UrgencyFlag.DISTRESS})))
    await queue.enqueue(request("mid", 0.5, 2))
    order = [t.id for t in await queue.waiting()]
    assert order == ["distress", "angry", "mid", "calm"]
    assert [t.id for t in await queue.waiting(limit=2)] == ["distress", "angry"]


async def test_rescore_moves_an_angrier_customer_ahead(
    queue: HandoffQueue, clock: Clock
) -> None:
    await queue.enqueue(request("a", 0.5, 2))
    await queue.enqueue(request("b", 0.4, 1))
    assert (await queue.position("b")).position == 2
    clock.advance(5)
    ticket = await queue.rescore("b", EmotionSnapshot("anger", 0.95, 4))
    assert ticket.priority == pytest.approx(40 * 0.95 + 40)
    assert [s.intensity for s in ticket.timeline] == [0.4, 0.95]
    assert ticket.emotion.at == clock.now
    assert (await queue.position("b")).position == 1
    events = [e for e in await queue.events() if e.type is EventType.RESCORED]
    assert events[0].data["after"] > events[0].data["before"]


async def test_rescore_keeps_flags_and_calmer_lowers(queue: HandoffQueue) -> None:
    await queue.enqueue(request("a", 0.9, 3, frozenset({UrgencyFlag.LEGAL_THREAT})))
    ticket = await queue.rescore("a", EmotionSnapshot("neutral", 0.1, 0), ["vip"])
    assert ticket.flags == {UrgencyFlag.LEGAL_THREAT, UrgencyFlag.VIP}
    assert ticket.priority == pytest.approx(40 * 0.1 + 40 + 30)


async def test_rescore_refusals(queue: HandoffQueue) -> None:
    with pytest.raises(UnknownTicket):
        await queue.rescore("nope", EmotionSnapshot("anger", 0.5, 1))
    await queue.enqueue(request("a"))
    with pytest.raises(InvalidInput):
        await queue.rescore("a", EmotionSnapshot("anger", 0.5, 1), ["bogus"])
    with pytest.raises(InvalidInput):
        await queue.rescore("a", EmotionSnapshot("anger", -0.1, 1))
    await online_agent(queue, "x")
    claim = await queue.claim("x", "a")
    ticket = await queue.rescore("a", EmotionSnapshot("anger", 0.7, 3))  # agent sees it
    assert ticket.state is TicketState.ASSIGNED and ticket.emotion.frustration == 3
    await queue.resolve("x", "a", claim.token)
    with pytest.raises(InvalidState):
        await queue.rescore("a", EmotionSnapshot("anger", 0.5, 1))


async def test_aging_lets_a_calm_customer_overtake_later_angry_ones(
    queue: HandoffQueue, clock: Clock
) -> None:
    await queue.enqueue(request("calm", 0.0, 0))
    clock.advance(60)
    await queue.enqueue(request("angry-early", 1.0, 4))
    assert [t.id for t in await queue.waiting()] == ["angry-early", "calm"]
    # 80 points of difference at 4 points a minute: after 20 more minutes calm leads
    clock.advance(21 * 60)
    await queue.enqueue(request("angry-late", 1.0, 4))
    order = [t.id for t in await queue.waiting()]
    assert order.index("calm") < order.index("angry-late")
    calm = (await queue.waiting())[order.index("calm")]
    assert calm.priority_at(clock.now, CONFIG.aging_per_minute) > 80


async def test_position_and_expected_wait_from_handling_times(
    queue: HandoffQueue, clock: Clock
) -> None:
    with pytest.raises(UnknownTicket):
        await queue.position("nope")
    await online_agent(queue, "a1", capacity=1)
    for name, minutes in (("h1", 1), ("h2", 10), ("h3", 2)):  # median: 120 s
        await queue.enqueue(request(name))
        claim = await queue.claim("a1", name)
        for _ in range(minutes * 3):
            clock.advance(20)
            await queue.heartbeat("a1")
        await queue.resolve("a1", name, claim.token)
    for name in ("w1", "w2", "w3"):
        await queue.enqueue(request(name))
    before_any = await queue.position("w3")
    assert before_any.state is TicketState.QUEUED
    first = await queue.position("w1")
    assert first.position == 1 and first.waiting == 3 and first.agents_online == 1
    assert first.expected_wait == 0.0  # the agent's slot is free
    third = await queue.position("w3")
    assert third.expected_wait == pytest.approx(2 * 120)
    await queue.claim("a1", "w1")
    assert (await queue.position("w1")).position is None
    assert (await queue.position("w2")).expected_wait == pytest.approx(120)


async def test_the_line_gives_everyone_the_place_position_gives_them(
    queue: HandoffQueue, clock: Clock
) -> None:
    assert (await queue.line()).ids == ()
    await online_agent(queue, "a1", capacity=2)
    for i, intensity in enumerate((0.1, 0.9, 0.5, 0.3, 0.7)):
        await queue.enqueue(request(f"w{i}", intensity))
        clock.advance(1)
    await queue.claim("a1", "w1")  # holds one of two slots: the wait moves
    line = await queue.line()
    assert line.ids == ("w4", "w2", "w3", "w0") and len(line) == 4
    assert "w2" in line and "w1" not in line and line.place("w1") is None
    for ticket_id in line.ids:
        assert line.place(ticket_id) == (await queue.position(ticket_id)).place
    assert line.place("w4") == Place(1, 0.0, 1)  # the free slot takes the first
    # Versioned by the newest event: a read before a change is older than one after.
    before = (await queue.position("w0")).version
    assert before == line.version
    await queue.enqueue(request("w5", 1.0))
    after = await queue.line()
    assert stream_id_after(after.version, line.version)
    assert after.place("w0") == Place(5, after.place("w0").expected_wait, 1)
    assert (await queue.position("w0")).version == after.version


async def test_timed_out_lists_long_waiters(queue: HandoffQueue, clock: Clock) -> None:
    await queue.enqueue(request("old"))
    clock.advance(CONFIG.queue_timeout - 10)
    await queue.enqueue(request("new"))
    assert await queue.timed_out() == []
    clock.advance(20)
    assert [t.id for t in await queue.timed_out()] == ["old"]
    assert [t.id for t in await queue.timed_out(clock.now + 10_000)] == ["old", "new"]


# -- agents, presence, claims -----------------------------------------------------


async def test_register_and_presence(queue: HandoffQueue, clock: Clock) -> None:
    await queue.register_agent(Agent("a1", "Ann", 2, frozenset({"billing"})))
    view = await queue.agent("a1")
    assert view.status is Presence.OFFLINE and view.free == 0
    assert view.agent == Agent("a1", "Ann", 2, frozenset({"billing"}))
    await queue.set_presence("a1", Presence.ONLINE)
    assert (await queue.agent("a1")).status is Presence.ONLINE
    clock.advance(CONFIG.presence_ttl + 1)  # no heartbeat: offline
    assert (await queue.agent("a1")).status is Presence.OFFLINE
    beat = await queue.heartbeat("a1")
    assert beat.status is Presence.ONLINE
    assert (await queue.agent("a1")).status is Presence.ONLINE
    await queue.set_presence("a1", "away")
    assert (await queue.agent("a1")).status is Presence.AWAY
    assert [v.agent.id for v in await queue.agents()] == ["a1"]
    with pytest.raises(UnknownAgent):
        await queue.agent("nobody")
    with pytest.raises(UnknownAgent):
        await queue.set_presence("nobody", Presence.ONLINE)
    with pytest.raises(UnknownAgent):
        await queue.heartbeat("nobody")
    with pytest.raises(InvalidInput):
        await queue.set_presence("a1", "sleeping")
    with pytest.raises(InvalidInput):
        await queue.register_agent(Agent("a:1"))
    with pytest.raises(InvalidInput):
        await queue.register_agent(Agent("a2", capacity=-1))


async def test_a_skill_counts_only_while_an_agent_with_it_is_at_work(
    queue: HandoffQueue, clock: Clock
) -> None:
    assert not await queue.skill_online("lang:de")
    await queue.register_agent(Agent("a1", skills=frozenset({"billing", "lang:de"})))
    assert not await queue.skill_online("lang:de")  # registered, not signed in
    await queue.set_presence("a1", Presence.ONLINE)
    assert await queue.skill_online("lang:de")
    assert not await queue.skill_online("lang:es")
    assert not await queue.skill_online("lang")
    await queue.set_presence("a1", Presence.AWAY)
    assert await queue.skill_online("lang:de")  # on a short break: still at work
    # no heartbeat for longer than the presence TTL: offline, the skill is not held
    clock.advance(CONFIG.presence_ttl + 1)
    assert not await queue.skill_online("lang:de")


async def test_claim_next_takes_the_best_and_claim_takes_the_named(
    queue: HandoffQueue, clock: Clock
) -> None:
    await online_agent(queue, "a1")
    await queue.enqueue(request("low", 0.1))
    await queue.enqueue(request("high", 0.9, 3))
    claim = await queue.claim_next("a1")
    assert claim is not None and claim.ticket.id == "high"
    assert claim.ticket.state is TicketState.ASSIGNED
    assert claim.ticket.agent_id == "a1"
    assert claim.ticket.token == claim.token
    assert claim.ticket.assigned_at == clock.now
    assert claim.lease_expires_at == clock.now + CONFIG.lease
    other = await queue.claim("a1", "low")
    assert other.token > claim.token  # fencing tokens only grow
    assert await queue.claim_next("a1") is None  # queue empty
    assert (await queue.agent("a1")).chats == ("high", "low")


async def test_claim_refusals_leave_everything_unchanged(queue: HandoffQueue) -> None:
    await queue.enqueue(request("c1"))
    await queue.enqueue(request("c2"))
    with pytest.raises(UnknownAgent):
        await queue.claim("nobody", "c1")
    with pytest.raises(UnknownAgent):
        await queue.claim_next("nobody")
    await queue.register_agent(Agent("a1", capacity=1))
    with pytest.raises(AgentUnavailable) as offline:
        await queue.claim("a1", "c1")
    assert offline.value.status == "offline"
    await queue.set_presence("a1", Presence.AWAY)
    with pytest.raises(AgentUnavailable):
        await queue.claim_next("a1")
    await queue.set_presence("a1", Presence.ONLINE)
    with pytest.raises(UnknownTicket):
        await queue.claim("a1", "nope")
    await queue.claim("a1", "c1")
    with pytest.raises(AtCapacity):
        await queue.claim("a1", "c2")
    await online_agent(queue, "a2")
    with pytest.raises(NotQueued) as taken:
        await queue.claim("a2", "c1")
    assert taken.value.state == "assigned"
    assert [t.id for t in await queue.waiting()] == ["c2"]
    assert (await queue.ticket("c1")).agent_id == "a1"


async def test_claim_of_a_chat_just_resolved_is_refused(queue: HandoffQueue) -> None:
    await online_agent(queue, "a1")
    await online_agent(queue, "a2")
    await queue.enqueue(request("c1"))
    claim = await queue.claim("a1", "c1")
    await queue.resolve("a1", "c1", claim.token)
    with pytest.raises(NotQueued) as refused:
        await queue.claim("a2", "c1")
    assert refused.value.state == "resolved"
    ticket = await queue.ticket("c1")
    assert ticket.state is TicketState.RESOLVED and ticket.agent_id == "a1"


async def test_skills_route_chats(queue: HandoffQueue) -> None:
    await online_agent(queue, "general")
    await online_agent(queue, "biller", skills=frozenset({"billing"}))
    await queue.enqueue(request("needs-billing", 0.9, 4, skill="billing"))
    await queue.enqueue(request("anyone", 0.1))
    with pytest.raises(SkillMismatch):
        await queue.claim("general", "needs-billing")
    claim = await queue.claim_next("general")
    assert claim is not None and claim.ticket.id == "anyone"
    assert await queue.claim_next("general") is None
    claim = await queue.claim_next("biller")
    assert claim is not None and claim.ticket.id == "needs-billing"


async def test_deescalation_specialist_gets_the_most_intense_chat(
    queue: HandoffQueue, clock: Clock
) -> None:
    await online_agent(queue, "spec", skills=frozenset({"deescalation"}))
    await online_agent(queue, "plain")
    # a VIP with mild emotion ranks first; the specialist still gets the angriest
    await queue.enqueue(request("vip", 0.5, 2, frozenset({UrgencyFlag.VIP})))
    await queue.enqueue(request("furious", 0.95, 3))
    await queue.enqueue(request("calm", 0.1, 0))
    assert [t.id for t in await queue.waiting()][0] == "vip"
    claim = await queue.claim_next("spec")
    assert claim is not None and claim.ticket.id == "furious"
    claim = await queue.claim_next("plain")
    assert claim is not None and claim.ticket.id == "vip"


async def test_emotional_load_spreads_intense_chats_and_suggests_a_break(
    queue: HandoffQueue, clock: Clock
) -> None:
    await online_agent(queue, "a1", capacity=10)
    for i in range(3):
        await queue.enqueue(request(f"hot{i}", 0.9, 4))
        claim = await queue.claim_next("a1")
        assert claim is not None and claim.ticket.id == f"hot{i}"
        assert claim.break_suggested is (i == 2)
        await queue.resolve("a1", f"hot{i}", claim.token)
    view = await queue.agent("a1")
    assert view.recent_intense == 3 and view.intense_run == 3
    assert view.break_suggested
    # three intense chats within the window: a calmer one first when there is one
    await queue.enqueue(request("hot3", 0.9, 4))
    await queue.enqueue(request("calm", 0.2, 1))
    claim = await queue.claim_next("a1")
    assert claim is not None and claim.ticket.id == "calm"
    assert (await queue.agent("a1")).intense_run == 0
    # a colleague without that load gets the intense one
    await online_agent(queue, "a2")
    claim = await queue.claim_next("a2")
    assert claim is not None and claim.ticket.id == "hot3"
    # only intense chats left: the loaded agent still gets one (no one waits longer)
    await queue.enqueue(request("hot4", 0.9, 4))
    claim = await queue.claim_next("a1")
    assert claim is not None and claim.ticket.id == "hot4"
    # a break (away) resets the run; the window makes the load decay
    await queue.set_presence("a1", Presence.AWAY)
    assert not (await queue.agent("a1")).break_suggested
    clock.advance(CONFIG.load_window + 1)
    await queue.set_presence("a1", Presence.ONLINE)
    assert (await queue.agent("a1")).recent_intense == 0


async def test_resolve_suggests_a_break_after_a_run(queue: HandoffQueue) -> None:
    await online_agent(queue, "a1", capacity=10)
    tokens = {}
    for i in range(3):
        await queue.enqueue(request(f"hot{i}", 0.95, 4))
        tokens[f"hot{i}"] = (await queue.claim("a1", f"hot{i}")).token
    done = await queue.resolve("a1", "hot2", tokens["hot2"])
    assert done.break_suggested and done.break_minutes == CONFIG.break_minutes


async def test_auto_assign_hands_chats_to_opted_in_agents(
    client: aioredis.Redis, prefix: str, clock: Clock
) -> None:
    queue = make_queue(client, prefix, clock, auto_assign=True)
    await queue.register_agent(Agent("auto", capacity=2, auto_assign=True))
    await queue.register_agent(Agent("manual", capacity=2))
    for name in ("auto", "manual"):
        await queue.set_presence(name, Presence.ONLINE)
    for i in range(3):
        await queue.enqueue(request(f"c{i}", 0.1 * i))
    # not before the customer has been told where they stand
    assert await queue.auto_assign() == []
    clock.advance(queue.config.auto_assign_after)
    claims = await queue.auto_assign()
    assert sorted(c.ticket.id for c in claims) == ["c1", "c2"]
    assert {c.ticket.agent_id for c in claims} == {"auto"}
    assert [t.id for t in await queue.waiting()] == ["c0"]
    off = make_queue(client, prefix, clock)  # auto_assign off in the config
    assert await off.auto_assign() == []


async def test_auto_assign_takes_settled_chats_before_fresh_more_urgent_ones(
    client: aioredis.Redis, prefix: str, clock: Clock
) -> None:
    queue = make_queue(client, prefix, clock, auto_assign=True, auto_assign_after=3.0)
    await queue.register_agent(Agent("auto", capacity=1, auto_assign=True))
    await queue.set_presence("auto", Presence.ONLINE)
    await queue.enqueue(request("calm", 0.1))
    clock.advance(2.0)
    await queue.enqueue(request("upset", 0.9, 4))
    clock.advance(1.5)
    [claim] = await queue.auto_assign()
    assert claim.ticket.id == "calm"  # "upset" has waited 1.5 s only
    # a person choosing by hand is not held back
    await online_agent(queue, "a2")
    by_hand = await queue.claim_next("a2")
    assert by_hand is not None and by_hand.ticket.id == "upset"


# -- fencing, heartbeat, leases, reaper -------------------------------------------


async def test_fencing_token_rejects_stale_holders(queue: HandoffQueue) -> None:
    await online_agent(queue, "a1")
    await online_agent(queue, "a2")
    await queue.enqueue(request("c1"))
    old = await queue.claim("a1", "c1")
    await queue.check_token("c1", old.token)
    assert await queue.reply_allowed("c1", old.token, "a1")
    assert not await queue.reply_allowed("c1", old.token, "a2")
    await queue.release("a1", "c1", old.token, "wrong department")
    new = await queue.claim("a2", "c1")
    assert new.token > old.token
    assert not await queue.reply_allowed("c1", old.token)
    with pytest.raises(StaleToken):
        await queue.check_token("c1", old.token)
    for action in (
        queue.release("a1", "c1", old.token),
        queue.resolve("a1", "c1", old.token),
        queue.transfer("a1", "c1", old.token, to_skill="billing"),
    ):
        with pytest.raises(StaleToken):
            await action
    with pytest.raises(StaleToken):  # right token, wrong agent
        await queue.resolve("a1", "c1", new.token)
    ticket = await queue.ticket("c1")
    assert ticket.agent_id == "a2" and ticket.token == new.token
    assert ticket.state is TicketState.ASSIGNED
    with pytest.raises(InvalidInput):
        await queue.check_token("c1", 0)
    with pytest.raises(UnknownTicket):
        await queue.check_token("nope", 5)
    assert not await queue.reply_allowed("nope", 5)


async def test_heartbeat_renews_leases_and_reaper_returns_vanished_chats(
    queue: HandoffQueue, clock: Clock
) -> None:
    await online_agent(queue, "a1")
    await queue.enqueue(request("c1", 0.9, 4))
    await queue.enqueue(request("c2"))
    c1 = await queue.claim("a1", "c1")
    await queue.claim("a1", "c2")
    clock.advance(CONFIG.lease - 1)
    beat = await queue.heartbeat("a1")
    assert sorted(beat.renewed) == ["c1", "c2"] and beat.lost == ()
    clock.advance(CONFIG.lease - 1)
    assert await queue.reap() == []  # renewed: still held
    await queue.check_token("c1", c1.token)
    clock.advance(2)  # agent vanished: no heartbeat
    with pytest.raises(StaleToken, match="lease expired"):
        await queue.check_token("c1", c1.token)
    with pytest.raises(StaleToken):
        await queue.resolve("a1", "c1", c1.token)
    late = await queue.heartbeat("a1")  # too late: the lease is not renewed
    assert sorted(late.lost) == ["c1", "c2"] and late.renewed == ()
    reaped = await queue.reap()
    assert sorted(r.ticket_id for r in reaped) == ["c1", "c2"]
    assert all(r.agent_id == "a1" and r.reoffers == 1 for r in reaped)
    ticket = await queue.ticket("c1")
    assert ticket.state is TicketState.QUEUED and ticket.agent_id is None
    assert ticket.queued_at == ticket.created_at  # keeps its place in line
    assert (await queue.agent("a1")).chats == ()
    assert [t.id for t in await queue.waiting()] == ["c1", "c2"]
    assert await queue.reap() == []
    types = [e.type for e in await queue.events()]
    assert types.count(EventType.REAPED) == 2


async def test_reoffered_too_often_is_flagged_for_supervisors(
    queue: HandoffQueue, clock: Clock
) -> None:
    await queue.enqueue(request("c1"))
    for round_ in range(1, CONFIG.max_reoffers + 1):
        await online_agent(queue, f"a{round_}")
        await queue.claim(f"a{round_}", "c1")
        clock.advance(CONFIG.lease + 1)
        [reaped] = await queue.reap()
        assert reaped.reoffers == round_
        assert reaped.flagged is (round_ >= CONFIG.max_reoffers)
    [flagged] = await queue.flagged()
    assert (
        flagged.id == "c1" and flagged.flagged and flagged.state is TicketState.QUEUED
    )
    assert any(e.type is EventType.FLAGGED for e in await queue.events())


async def test_going_offline_returns_chats_at_the_next_reap(
    queue: HandoffQueue,
) -> None:
    await online_agent(queue, "a1")
    await queue.enqueue(request("c1"))
    claim = await queue.claim("a1", "c1")
    await queue.set_presence("a1", Presence.OFFLINE)
    assert not await queue.reply_allowed("c1", claim.token)
    beat = await queue.heartbeat("a1")  # offline stays offline
    assert beat.status is Presence.OFFLINE and beat.renewed == ()
    [reaped] = await queue.reap()
    assert reaped.ticket_id == "c1"
    assert (await queue.ticket("c1")).state is TicketState.QUEUED


# -- release, transfer, notes, resolve, rate --------------------------------------


async def test_release_requeues_in_place_and_avoids_the_same_agent(
    queue: HandoffQueue, clock: Clock
) -> None:
    await online_agent(queue, "a1")
    await queue.enqueue(request("c1", 0.5, 2))
    clock.advance(30)
    await queue.enqueue(request("c2", 0.5, 2))
    claim = await queue.claim("a1", "c1")
    ticket = await queue.release("a1", "c1", claim.token, "needs a colleague")
    assert ticket.state is TicketState.QUEUED and ticket.reoffers == 1
    assert ticket.last_agent == "a1"
    assert [t.id for t in await queue.waiting()] == ["c1", "c2"]
    again = await queue.claim_next("a1")  # prefers a chat it did not just give back
    assert again is not None and again.ticket.id == "c2"
    again = await queue.claim_next("a1")  # ...but takes it when nothing else waits
    assert again is not None and again.ticket.id == "c1"
    with pytest.raises(UnknownAgent):
        await queue.release("ghost", "c1", again.token)
    with pytest.raises(UnknownTicket):
        await queue.release("a1", "nope", again.token)


async def test_transfer_to_an_agent_issues_a_new_token(queue: HandoffQueue) -> None:
    await online_agent(queue, "a1")
    await online_agent(queue, "a2", skills=frozenset({"billing"}))
    await queue.register_agent(Agent("a3"))  # offline
    await queue.enqueue(request("c1"))
    claim = await queue.claim("a1", "c1")
    with pytest.raises(InvalidInput):
        await queue.transfer("a1", "c1", claim.token)
    with pytest.raises(InvalidInput):
        await queue.transfer("a1", "c1", claim.token, to_agent="a1")
    with pytest.raises(UnknownAgent):
        await queue.transfer("a1", "c1", claim.token, to_agent="ghost")
    with pytest.raises(AgentUnavailable) as away:
        await queue.transfer("a1", "c1", claim.token, to_agent="a3")
    assert away.value.agent_id == "a3"
    with pytest.raises(SkillMismatch):
        await queue.transfer("a1", "c1", claim.token, to_agent="a2", to_skill="x")
    ticket = await queue.transfer(
        "a1", "c1", claim.token, to_agent="a2", note="billing question"
    )
    assert ticket.agent_id == "a2" and ticket.token > claim.token
    assert ticket.transfers == 1 and ticket.state is TicketState.ASSIGNED
    assert ticket.notes[-1].text == "billing question"
    assert not await queue.reply_allowed("c1", claim.token)
    assert await queue.reply_allowed("c1", ticket.token, "a2")
    assert (await queue.agent("a1")).chats == ()
    assert (await queue.agent("a2")).chats == ("c1",)
    event = [e for e in await queue.events() if e.type is EventType.TRANSFERRED][0]
    assert event.agent_id == "a2" and event.data["from"] == "a1"


async def test_transfer_to_a_skill_requeues_for_that_skill(queue: HandoffQueue) -> None:
    await online_agent(queue, "a1")
    await online_agent(queue, "a2", skills=frozenset({"billing"}))
    await queue.enqueue(request("c1"))
    claim = await queue.claim("a1", "c1")
    ticket = await queue.transfer("a1", "c1", claim.token, to_skill="billing")
    assert ticket.state is TicketState.QUEUED and ticket.skill == "billing"
    assert ticket.reoffers == 0  # a transfer is not a re-offer
    assert await queue.claim_next("a1") is None
    claim = await queue.claim_next("a2")
    assert claim is not None and claim.ticket.id == "c1"


async def test_transfer_to_a_full_agent_is_refused(queue: HandoffQueue) -> None:
    await online_agent(queue, "a1")
    await online_agent(queue, "a2", capacity=1)
    await queue.enqueue(request("c1"))
    await queue.enqueue(request("c2"))
    claim = await queue.claim("a1", "c1")
    await queue.claim("a2", "c2")
    with pytest.raises(AtCapacity) as full:
        await queue.transfer("a1", "c1", claim.token, to_agent="a2")
    assert full.value.agent_id == "a2"
    assert (await queue.ticket("c1")).agent_id == "a1"


async def test_private_notes(queue: HandoffQueue) -> None:
    await online_agent(queue, "a1")
    await queue.enqueue(request("c1"))
    assert await queue.add_note("a1", "c1", "customer is a teacher") == 1
    assert await queue.add_note("a1", "c1", "promised a refund") == 2
    notes = (await queue.ticket("c1")).notes
    assert [n.text for n in notes] == ["customer is a teacher", "promised a refund"]
    assert notes[0].agent_id == "a1"
    note_events = [e for e in await queue.events() if e.type is EventType.NOTE]
    assert "teacher" not in str(note_events)  # private: not in the stream
    with pytest.raises(UnknownTicket):
        await queue.add_note("a1", "nope", "x")
    with pytest.raises(UnknownAgent):
        await queue.add_note("ghost", "c1", "x")
    with pytest.raises(InvalidInput):
        await queue.add_note("a1", "c1", "")


async def test_resolve_and_double_resolve(queue: HandoffQueue, clock: Clock) -> None:
    await online_agent(queue, "a1")
    await queue.enqueue(request("c1"))
    claim = await queue.claim("a1", "c1")
    clock.advance(10)
    done = await queue.resolve("a1", "c1", claim.token, "explained the delay")
    assert done.ticket.state is TicketState.RESOLVED
    assert done.ticket.resolved_at == clock.now
    assert done.ticket.resolution == "explained the delay"
    assert not done.break_suggested
    assert (await queue.agent("a1")).chats == ()
    with pytest.raises(AlreadyResolved):
        await queue.resolve("a1", "c1", claim.token)
    with pytest.raises(AlreadyResolved):
        await queue.release("a1", "c1", claim.token)
    with pytest.raises(UnknownTicket):
        await queue.resolve("a1", "nope", claim.token)
    assert not await queue.reply_allowed("c1", claim.token)
    ttl = await queue.redis.ttl(queue.keys.ticket("c1"))
    assert ttl > 0  # resolved tickets expire after the retention time


async def test_rating(queue: HandoffQueue) -> None:
    await online_agent(queue, "a1")
    with pytest.raises(UnknownTicket):
        await queue.rate("nope", Rating(5, 5))
    await queue.enqueue(request("c1"))
    with pytest.raises(NotResolved):
        await queue.rate("c1", Rating(5, 5))
    claim = await queue.claim("a1", "c1")
    await queue.resolve("a1", "c1", claim.token)
    with pytest.raises(InvalidInput):
        await queue.rate("c1", Rating(6, 5))
    await queue.rate("c1", Rating(4, 5, effort=2, recommend=9, comment="kind"))
    rating = (await queue.ticket("c1")).rating
    assert rating is not None
    assert (rating.csat, rating.understood, rating.effort, rating.recommend) == (
        4,
        5,
        2,
        9,
    )
    with pytest.raises(AlreadyRated):
        await queue.rate("c1", Rating(1, 1))
    [event] = [e for e in await queue.events() if e.type is EventType.RATED]
    assert event.data == {"csat": 4, "understood": 5}


# -- events, reconcile ------------------------------------------------------------


async def test_event_stream_records_every_change_in_order(
    queue: HandoffQueue,
) -> None:
    await online_agent(queue, "a1")
    await queue.enqueue(request("c1"))
    await queue.rescore("c1", EmotionSnapshot("anger", 0.9, 3))
    claim = await queue.claim_next("a1")
    assert claim is not None
    await queue.release("a1", "c1", claim.token)
    claim = await queue.claim("a1", "c1")
    await queue.resolve("a1", "c1", claim.token)
    await queue.rate("c1", Rating(5, 5))
    events = await queue.events()
    ticket_events = [e for e in events if e.ticket_id == "c1"]
    assert [e.type for e in ticket_events] == [
        EventType.ENQUEUED,
        EventType.RESCORED,
        EventType.CLAIMED,
        EventType.RELEASED,
        EventType.CLAIMED,
        EventType.RESOLVED,
        EventType.RATED,
    ]
    assert ticket_events[4].token == claim.token
    tail = await queue.events(after=ticket_events[4].id)
    assert [e.type for e in tail] == [EventType.RESOLVED, EventType.RATED]
    assert await queue.events(after=events[-1].id, block_ms=10) == []
    info = await queue.redis.xinfo_stream(queue.keys.events)
    assert info["length"] == len(events)


async def test_reconcile_rebuilds_lost_indexes(
    queue: HandoffQueue, clock: Clock
) -> None:
    await online_agent(queue, "a1")
    for i, intensity in enumerate((0.1, 0.9, 0.5, 0.3)):
        await queue.enqueue(request(f"c{i}", intensity))
        clock.advance(1)
    claim = await queue.claim("a1", "c1")
    done = await queue.claim("a1", "c3")
    await queue.resolve("a1", "c3", done.token)
    before = [t.id for t in await queue.waiting()]
    k = queue.keys
    lease_before = await queue.redis.zscore(k.leases, "c1")
    await queue.redis.delete(k.queue, k.queued_at, k.leases, k.agent_chats("a1"))
    await queue.redis.zadd(k.queue, {"c3": 0, "ghost": 1})  # wrong and dangling
    report = await queue.reconcile()
    assert (report.tickets, report.queued, report.assigned) == (4, 2, 1)
    assert report.added == 4  # c0, c2 queued; c1 lease and chat
    assert report.removed == 2  # c3 (resolved), ghost (no ticket)
    assert [t.id for t in await queue.waiting()] == before == ["c2", "c0"]
    assert await queue.redis.zscore(k.leases, "c1") is not None
    assert lease_before is not None
    assert (await queue.agent("a1")).chats == ("c1",)
    await queue.check_token("c1", claim.token)
    again = await queue.reconcile()
    assert (again.added, again.removed) == (0, 0)
    assert [t.id for t in await queue.timed_out(clock.now + 10_000)] == ["c0", "c2"]


async def test_bytes_clients_work_too(shared_url: str, prefix: str) -> None:
    raw = aioredis.Redis.from_url(shared_url)  # decode_responses=False
    queue = HandoffQueue(raw, prefix=prefix, config=CONFIG)
    try:
        await online_agent(queue, "a1")
        await queue.enqueue(request("c1"))
        claim = await queue.claim_next("a1")
        assert claim is not None and claim.ticket.id == "c1"
        assert [v.agent.id for v in await queue.agents()] == ["a1"]
        assert (await queue.events())[-1].type is EventType.CLAIMED
    finally:
        keys = [k async for k in raw.scan_iter(match=Keys(prefix).all_pattern)]
        await raw.delete(*keys)
        await raw.aclose()
