"""The scripts' KEYS declarations: each names exactly the keys its Lua reads, in the
order the Lua reads them (no Redis needed; the queue tests run them)."""

from __future__ import annotations

import re

import pytest

from bot.handoff import scripts as S
from bot.handoff.keys import Keys
from bot.handoff.scripts import Ids, Script

KEYS = Keys("es")


@pytest.mark.parametrize("script", S.ALL, ids=lambda s: s.name)
def test_a_script_declares_as_many_keys_as_its_lua_reads(script: Script) -> None:
    read = [int(n) for n in re.findall(r"KEYS\[(\d+)\]", script.lua)]
    declared = list(range(1, len(script.keys) + 1))
    if script.each:
        # then the repeated keys (read by computed indexes too)
        assert set(declared) <= set(read)
        assert max(read) <= len(script.keys) + len(script.each)
    else:
        assert sorted(set(read)) == declared


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
