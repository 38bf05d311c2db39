"""Burnout care for supervisors: each agent's intense chats over the shift (8 h) on
the dashboard, counted at the intensity a chat had when the agent took it, with a
fake clock on a queue of its own."""

from __future__ import annotations

from bot.console.metrics import SHIFT_S, collect, summarize
from bot.handoff import Agent, EmotionSnapshot, HandoffQueue, Presence
from bot.handoff.keys import Keys
from tests.bot.console.test_dashboard import (  # noqa: F401 (fixture)
    Clock,
    handoff,
    private,
)


async def take(
    queue: HandoffQueue, clock: Clock, cid: str, intensity: float, calmed: bool = False
) -> None:
    """Amy takes a chat of this intensity and resolves it."""
    await queue.set_presence("amy", Presence.ONLINE)
    await handoff(queue, clock, cid, start=intensity)
    claim = await queue.claim("amy", cid)
    if calmed:  # the customer calmed down with her help: still intense when taken
        clock.now += 10
        await queue.heartbeat("amy")
        await queue.rescore(cid, EmotionSnapshot("neutral", 0.05, 0, clock.now))
    await queue.resolve("amy", cid, claim.token)


async def test_the_intense_chats_of_a_shift_are_counted_per_agent(
    private: tuple[HandoffQueue, Clock],  # noqa: F811
) -> None:
    queue, clock = private
    await queue.register_agent(Agent("amy", "Amy", capacity=3))
    start = clock.now
    await take(queue, clock, "yesterday", 0.95)  # more than a shift ago
    clock.now = start + 7 * 3600
    await take(queue, clock, "mid", 0.9)
    clock.now = start + 7.25 * 3600
    await take(queue, clock, "calm", 0.2)
    clock.now = start + 8 * 3600
    await take(queue, clock, "hot", 0.9, calmed=True)
    clock.now = start + 8.5 * 3600
    assert clock.now - SHIFT_S > start  # "yesterday" is outside the shift

    data = await collect(queue.redis, Keys(queue.keys.prefix), queue, now=clock.now)
    amy = summarize(data)["agents"][0]
    assert amy["intense_shift"] == 2  # mid and hot, not calm or yesterday
    assert amy["taken_recent"] == 1 and amy["taken_intensity"] == 0.9  # hot
    assert amy["resolved"] == 4
