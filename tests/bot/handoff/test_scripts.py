"""The scripts' KEYS declarations: each script's keys are bound to Lua locals by one
generated prologue, in the declared order, and its source reads only the repeated
keys by index (no Redis needed; the queue tests run them)."""

from __future__ import annotations

import re

import pytest

from bot.handoff import scripts as S
from bot.handoff.keys import Keys
from bot.handoff.scripts import Ids, Script

KEYS = Keys("es")


@pytest.mark.parametrize("script", S.ALL, ids=lambda s: s.name)
def test_a_script_reads_its_declared_keys_by_name_only(script: Script) -> None:
    # KEYS[1..n] are bound to locals by the prologue; the source reads by index
    # only the repeated keys after them (by computed indexes too)
    read = [int(n) for n in re.findall(r"KEYS\[(\d+)\]", script.lua)]
    assert [n for n in read if n <= len(script.keys)] == []
    assert max(read, default=0) <= len(script.keys) + len(script.each)
    if not script.each:
        assert "KEYS[" not in script.lua
    bound = [int(n) for n in re.findall(r"KEYS\[(\d+)\]", script.prologue)]
    assert bound == list(range(1, len(script.keys) + 1))


def test_the_prologue_binds_the_keys_to_the_names_the_scripts_use() -> None:
    assert S.RESOLVE.prologue == (
        "local tkey, akey, leases, chats, stats, followups, flagged, stream, held =\n"
        "  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], "
        "KEYS[9]\nHELD = held\n"
    )
    assert (
        S.NOTE.prologue == "local tkey, akey, stream =\n  KEYS[1], KEYS[2], KEYS[3]\n"
    )
    assert S.NOTE.text.endswith(S.NOTE.prologue + S.NOTE.lua)


def test_every_script_has_its_own_name() -> None:
    assert len({s.name for s in S.ALL}) == len(S.ALL) == 19


def test_the_keys_of_a_release_in_the_lua_order() -> None:
    assert S.RELEASE.key_list(KEYS, Ids("web-1", "a1")) == [
        "{es}:ticket:web-1",
        "{es}:agent:a1",
        "{es}:queue",
        "{es}:queued_at",
        "{es}:leases",
        "{es}:agent:a1:chats",
        "{es}:flagged",
        "{es}:events",
        "{es}:held",
    ]


def test_a_transfer_to_an_agent_appends_the_targets_keys() -> None:
    alone = S.TRANSFER.key_list(KEYS, Ids("web-1", "a1"))
    to_b2 = S.TRANSFER.key_list(KEYS, Ids("web-1", "a1"), [Ids(agent="b2")])
    assert to_b2 == [
        *alone,
        "{es}:agent:b2",
        "{es}:agent:b2:chats",
        "{es}:agent:b2:intense",
    ]
    assert len(alone) == 9


def test_a_reap_takes_a_ticket_and_its_holders_chats_per_item() -> None:
    keys = S.REAP.key_list(KEYS, Ids(), [Ids("c1", "a1"), Ids("c2", "-")])
    assert keys[6:] == [
        "{es}:ticket:c1",
        "{es}:agent:a1:chats",
        "{es}:ticket:c2",
        "{es}:agent:-:chats",
    ]


def test_a_claim_takes_the_candidates_after_its_own_keys() -> None:
    keys = S.CLAIM.key_list(KEYS, Ids(agent="a1"), [Ids("c1"), Ids("c2")])
    assert keys[5:] == [
        "{es}:agent:a1",
        "{es}:agent:a1:chats",
        "{es}:agent:a1:intense",
        "{es}:held",
        "{es}:ticket:c1",
        "{es}:ticket:c2",
    ]


def test_a_script_naming_an_unknown_key_is_refused_when_declared() -> None:
    with pytest.raises(ValueError, match="tickets"):
        Script("bad", keys=("tickets",), lua="return 1")
    with pytest.raises(ValueError, match="no repeated keys"):
        S.NOTE.key_list(KEYS, Ids("c1", "a1"), [Ids("c2")])
