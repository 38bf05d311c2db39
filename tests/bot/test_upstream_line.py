"""The gateway's line in front of an upstream (bot/upstream_line.py): a few requests
in flight, the rest in order; a waiting request gives up only when the upstream
stopped answering, or after the longest wait."""

from __future__ import annotations

import asyncio

import pytest

from bot.upstream_line import Stalled, UpstreamLine
from tests.polling import until


async def hold(
    line: UpstreamLine, name: str, log: list[str], done: asyncio.Event
) -> None:
    """Take a turn, note it, keep it until ``done``."""
    async with line.turn():
        log.append(name)
        await done.wait()


async def test_turns_come_in_order_and_only_a_few_at_once() -> None:
    line = UpstreamLine(2, stall_s=60, max_wait_s=60)
    log: list[str] = []
    gates = {n: asyncio.Event() for n in "abcde"}
    tasks = [asyncio.create_task(hold(line, n, log, gates[n])) for n in "abcde"]
    await until(lambda: line.waiting == 3, 5)
    assert log == ["a", "b"] and line.in_flight == 2
    gates["b"].set()  # the slot b leaves goes to the first in line
    await until(lambda: log == ["a", "b", "c"], 5)
    gates["a"].set()
    await until(lambda: log == ["a", "b", "c", "d"], 5)
    for gate in gates.values():
        gate.set()
    await asyncio.gather(*tasks)
    assert line.in_flight == 0 and line.waiting == 0


async def test_a_waiting_request_gives_up_when_nothing_is_answered() -> None:
    line = UpstreamLine(1, stall_s=0.2, max_wait_s=60)
    stuck = asyncio.Event()
    first = asyncio.create_task(hold(line, "a", [], stuck))
    await until(lambda: line.in_flight == 1, 5)
    with pytest.raises(Stalled):
        async with line.turn():
            pytest.fail("got a turn while the first request never ended")
    assert line.gave_up == 1 and line.waiting == 0
    stuck.set()
    await first
    # the slot was not lost: the next request gets it at once
    async with line.turn():
        assert line.in_flight == 1
    assert line.in_flight == 0


async def test_a_request_waits_longer_than_the_stall_while_others_are_answered() -> (
    None
):
    """The wait for a turn is not the upstream's work: while answers keep coming,
    the last in line waits well beyond ``stall_s`` and still gets its turn."""
    line = UpstreamLine(1, stall_s=1.0, max_wait_s=60)
    log: list[str] = []
    gates = [asyncio.Event() for _ in range(6)]
    tasks = [
        asyncio.create_task(hold(line, str(i), log, gate))
        for i, gate in enumerate(gates)
    ]
    await until(lambda: line.waiting == 5, 5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for i, gate in enumerate(gates):
        await until(lambda i=i: len(log) == i + 1, 5)
        # each answer comes 0.3 s after its turn began (a slow upstream that
        # keeps answering): less than the stall, more than it in all
        answer_at = loop.time() + 0.3
        await until(lambda t=answer_at: loop.time() >= t, 5)
        gate.set()
    await asyncio.gather(*tasks)
    assert log == [str(i) for i in range(6)]
    assert line.gave_up == 0
    assert line.longest_wait_s > 1.0  # the last waited longer than the stall
    assert loop.time() - started > 1.0


async def test_the_longest_wait_holds_even_while_answers_come() -> None:
    line = UpstreamLine(1, stall_s=60, max_wait_s=0.2)
    stuck = asyncio.Event()
    first = asyncio.create_task(hold(line, "a", [], stuck))
    await until(lambda: line.in_flight == 1, 5)
    with pytest.raises(Stalled):
        async with line.turn():
            pytest.fail("waited beyond max_wait_s")
    stuck.set()
    await first


async def test_a_cancelled_waiter_leaves_the_line_and_keeps_no_slot() -> None:
    line = UpstreamLine(1, stall_s=60, max_wait_s=60)
    release = asyncio.Event()
    first = asyncio.create_task(hold(line, "a", [], release))
    await until(lambda: line.in_flight == 1, 5)
    waiter = asyncio.create_task(hold(line, "b", [], asyncio.Event()))
    await until(lambda: line.waiting == 1, 5)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert line.waiting == 0
    release.set()
    await first
    assert line.in_flight == 0


async def test_a_failed_request_passes_its_slot_on() -> None:
    line = UpstreamLine(1, stall_s=60, max_wait_s=60)
    release = asyncio.Event()
    first = asyncio.create_task(hold(line, "a", [], release))
    await until(lambda: line.in_flight == 1, 5)

    async def failing() -> None:
        async with line.turn():
            raise ConnectionError("refused")

    second = asyncio.create_task(failing())
    log: list[str] = []
    third = asyncio.create_task(hold(line, "c", log, release))
    await until(lambda: line.waiting == 2, 5)
    release.set()
    await first
    with pytest.raises(ConnectionError):
        await second
    await third
    assert log == ["c"] and line.in_flight == 0 and line.waiting == 0


def test_a_line_needs_a_slot() -> None:
    with pytest.raises(ValueError, match="at least one slot"):
        UpstreamLine(0, stall_s=1, max_wait_s=1)
