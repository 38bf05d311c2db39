"""The Script record: a Lua script's source with the names of its KEYS, in order.

A script declares which keys it takes (``keys``, then ``each`` once per item the
caller gives), named as the key handle names them (bot/handoff/keys.py); the runner
(bot/handoff/runner.py) builds the KEYS list from those names, so no call site spells
a positional key list. Every script runs with the helpers of ``COMMON`` before it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from bot.handoff.keys import KEY_NAMES, QueueKeys

# Helpers shared by all scripts (prepended to each one).
COMMON = r"""
-- The configuration is decoded on first use only (refusals mostly never need it).
local C = setmetatable({}, {__index = function(t, k)
  local all = cjson.decode(ARGV[1])
  setmetatable(t, nil)
  for key, value in pairs(all) do rawset(t, key, value) end
  return all[k]
end})
local NOW = tonumber(ARGV[2])
-- The hash agent -> chats held; scripts that move chats set it from their KEYS.
local HELD

-- A chat into / out of an agent's set, keeping HELD equal to the set's size.
local function hold(chats, agent, id)
  if redis.call('SADD', chats, id) == 1 then redis.call('HINCRBY', HELD, agent, 1) end
end

local function unhold(chats, agent, id)
  if redis.call('SREM', chats, id) == 1 then
    redis.call('HINCRBY', HELD, agent, -1)
  end
end

-- {agents online, their capacity, free slots, median handling time ('' if none)}
local function estimate(online, capacity, held, stats)
  local ids = redis.call('ZRANGEBYSCORE', online, NOW, '+inf')
  local cap, free = 0, 0
  for start = 1, #ids, 1000 do
    local part = {unpack(ids, start, math.min(#ids, start + 999))}
    local caps = redis.call('HMGET', capacity, unpack(part))
    local helds = redis.call('HMGET', held, unpack(part))
    for i = 1, #part do
      local c = tonumber(caps[i]) or 0
      cap = cap + c
      free = free + math.max(0, c - (tonumber(helds[i]) or 0))
    end
  end
  local xs = {}
  for i, v in ipairs(redis.call('LRANGE', stats, 0, -1)) do xs[i] = tonumber(v) end
  table.sort(xs)
  local n, median = #xs, ''
  if n % 2 == 1 then
    median = tostring(xs[(n + 1) / 2])
  elseif n > 0 then
    median = tostring((xs[n / 2] + xs[n / 2 + 1]) / 2)
  end
  return {#ids, cap, free, median}
end

-- The id of the newest event: the version of the queue a read saw ('0-0': none).
local function newest(stream)
  local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
  if last[1] then return last[1][1] end
  return '0-0'
end

local function num(x) return string.format('%.17g', x) end

local function emit(stream, kind, ticket, agent, token, state, data)
  redis.call('XADD', stream, 'MAXLEN', '~', C.maxlen, '*',
    'type', kind, 'ticket', ticket or '', 'agent', agent or '',
    'token', tostring(token or ''), 'state', state or '', 'at', tostring(NOW),
    'data', data and cjson.encode(data) or '{}')
end

local function priority(intensity, frustration, flags)
  local p = C.w.intensity * (tonumber(intensity) or 0)
    + C.w.frustration * (tonumber(frustration) or 0) / 4
  for flag in string.gmatch(flags or '', '[^,]+') do
    p = p + (C.w.flags[flag] or 0)
  end
  return p
end

-- Lower sorts first: base priority plus aging for every minute since queued_at.
local function order(base, queued_at)
  return (tonumber(queued_at) / 60000) * C.aging - tonumber(base)
end

-- A ticket hash as one JSON object (one reply element instead of 70 to parse).
local function ticket_json(tkey)
  local flat = redis.call('HGETALL', tkey)
  local doc = {}
  for i = 1, #flat, 2 do doc[flat[i]] = flat[i + 1] end
  return cjson.encode(doc)
end

local function has_skill(skills, skill)
  if skill == nil or skill == false or skill == '' then return true end
  for s in string.gmatch(skills or '', '[^,]+') do
    if s == skill then return true end
  end
  return false
end

local function json_list(text)
  if not text or text == '' then return {} end
  local ok, value = pcall(cjson.decode, text)
  if not ok or type(value) ~= 'table' then return {} end
  return value
end

local function push_capped(list, item, cap)
  list[#list + 1] = item
  while #list > cap do table.remove(list, 1) end
  return list
end

local function queue_ticket(tkey, id, queue, queued_at)
  local t = redis.call('HMGET', tkey, 'priority', 'queued_at')
  redis.call('ZADD', queue, num(order(t[1], t[2])), id)
  redis.call('ZADD', queued_at, t[2], id)
end

-- Back to the queue (release, reap, offline): keeps the original queued_at, so the
-- customer keeps their place; counts a re-offer and flags the ticket after N.
local function requeue(tkey, id, agent, queue, queued_at, leases, chats, flagged,
                       stream, kind, reason)
  local reoffers = redis.call('HINCRBY', tkey, 'reoffers', 1)
  redis.call('HSET', tkey, 'state', 'queued', 'agent', '', 'assigned_at', '',
    'last_agent', agent)
  redis.call('ZREM', leases, id)
  unhold(chats, agent, id)
  queue_ticket(tkey, id, queue, queued_at)
  local flag = reoffers >= C.max_reoffers
  emit(stream, kind, id, agent, redis.call('HGET', tkey, 'token'), 'queued',
    {reoffers = reoffers, reason = reason})
  if flag and redis.call('HGET', tkey, 'flagged') ~= '1' then
    redis.call('HSET', tkey, 'flagged', '1')
    redis.call('SADD', flagged, id)
    emit(stream, 'flagged', id, agent, '', 'queued', {reoffers = reoffers})
  end
  return reoffers, flag
end

-- 'ok' or a refusal: the agent exists, is online (heartbeat fresh) and has room.
local function agent_ready(akey, chats)
  local a = redis.call('HMGET', akey, 'capacity', 'status', 'seen_until', 'skills')
  if not a[1] then return {'unknown_agent'} end
  local status = a[2]
  if (tonumber(a[3]) or 0) < NOW then status = 'offline' end
  if status ~= 'online' then return {'agent_unavailable', status} end
  if redis.call('SCARD', chats) >= tonumber(a[1]) then
    return {'at_capacity', a[1]}
  end
  return {'ok', a[4] or ''}
end

-- Give a ticket to an agent: new fencing token, lease, load accounting.
local function assign(tkey, id, agent, fence, leases, akey, chats, intense)
  local token = redis.call('INCR', fence)
  local lease_until = NOW + C.lease
  redis.call('HSET', tkey, 'state', 'assigned', 'agent', agent, 'token', token,
    'assigned_at', NOW)
  redis.call('ZADD', leases, lease_until, id)
  hold(chats, agent, id)
  local t = redis.call('HMGET', tkey, 'intensity', 'frustration')
  local run = 0
  redis.call('ZREMRANGEBYSCORE', intense, '-inf', '(' .. (NOW - C.window))
  if (tonumber(t[1]) or 0) >= C.ii or (tonumber(t[2]) or 0) >= C.if_ then
    redis.call('ZADD', intense, NOW, id .. '#' .. token)
    redis.call('PEXPIRE', intense, C.window)
    run = redis.call('HINCRBY', akey, 'intense_run', 1)
  else
    redis.call('HSET', akey, 'intense_run', 0)
  end
  return token, lease_until, run
end

-- nil when (agent, token) hold the ticket now, else a refusal.
local function check_claim(tkey, leases, id, agent, token)
  local t = redis.call('HMGET', tkey, 'state', 'agent', 'token')
  if not t[1] then return {'unknown_ticket'} end
  if t[1] == 'resolved' then return {'resolved', t[1]} end
  if t[1] ~= 'assigned' or t[3] ~= token then
    return {'stale', 'not the current claim'}
  end
  if t[2] ~= agent then return {'stale', 'held by another agent'} end
  local lease = tonumber(redis.call('ZSCORE', leases, id))
  if not lease or lease < NOW then return {'stale', 'lease expired'} end
  return nil
end

-- nil when agent ``akey`` exists and (agent, token) hold the ticket now, else a
-- refusal: what release, transfer and resolve check first.
local function check_holder(akey, tkey, leases, id, agent, token)
  if redis.call('EXISTS', akey) == 0 then return {'unknown_agent'} end
  return check_claim(tkey, leases, id, agent, token)
end
"""


class Ids(NamedTuple):
    """The ids a script's per-ticket and per-agent keys are built from."""

    ticket: str = ""
    agent: str = ""


# The Lua local each declared key is bound to (``Script.prologue``); the others are
# called by their key names (``queue``, ``leases``, ``held``...).
LUA_NAMES = {
    "ticket": "tkey",
    "agent": "akey",
    "agent_chats": "chats",
    "agent_intense": "intense",
    "events": "stream",
    "stats_handle": "stats",
}


@dataclass(frozen=True)
class Script:
    """One Lua script: its name, the names of its KEYS and its source.

    ``keys`` are KEYS[1..n], bound to Lua locals before ``lua`` runs (``prologue``:
    ``ticket`` is ``tkey``, ``events`` is ``stream``, and so on, ``LUA_NAMES``), so
    the source never reads them by position; ``each`` follow once per item the
    caller passes (the candidates of a claim, the tickets of a reap, a transfer's
    target agent) and are read by index.
    """

    name: str
    keys: tuple[str, ...]
    lua: str
    each: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [n for n in (*self.keys, *self.each) if n not in KEY_NAMES]
        if unknown:
            raise ValueError(f"script {self.name}: unknown KEYS names {unknown}")

    @property
    def prologue(self) -> str:
        """The Lua that binds ``keys`` to their locals (and ``held`` to the helpers'
        ``HELD``)."""
        names = [LUA_NAMES.get(name, name) for name in self.keys]
        slots = [f"KEYS[{i}]" for i in range(1, len(names) + 1)]
        lines = [f"local {', '.join(names)} =\n  {', '.join(slots)}\n"]
        if "held" in self.keys:
            lines.append("HELD = held\n")
        return "".join(lines)

    @property
    def text(self) -> str:
        """What Redis runs: the shared helpers, the keys bound, then this script."""
        return COMMON + self.prologue + self.lua

    def key_list(
        self, keys: QueueKeys, ids: Ids, each: Iterable[Ids] = ()
    ) -> list[str]:
        """KEYS for one call: ``keys`` built from ``ids``, then ``each`` per item."""
        found = [keys.key(name, ids.ticket, ids.agent) for name in self.keys]
        for item in each:
            if not self.each:
                raise ValueError(f"script {self.name} takes no repeated keys")
            found += [keys.key(name, item.ticket, item.agent) for name in self.each]
        return found


# A fenced write (``fenced``): KEYS[1] is the conversation's hash, whose
# ``claim_ended`` is the highest fencing token whose claim ended (set by the note
# that tells the customer: bot/transcript.py); the write's own KEYS and ARGV follow.
# ARGV: token, then the write's ARGV.
# Returns {'ok', the write's reply}, or {'ended'} with nothing written.
_FENCED = r"""
local ended = tonumber(redis.call('HGET', KEYS[1], 'claim_ended') or '0') or 0
if ended >= tonumber(ARGV[1]) then return {'ended'} end
return {'ok', fenced_write({unpack(KEYS, 2)}, {unpack(ARGV, 2)})}
"""

# Runs a script made by ``fenced``: (registered script, the conversation's hash
# followed by the write's KEYS, the write's ARGV) -> the write's reply; raises the
# queue's refusal when the claim no longer holds.
FencedRun = Callable[[Any, list[str], list[Any]], Awaitable[Any]]


def fenced(body: str) -> str:
    """A script that runs ``body`` only while an agent's claim holds.

    The claim lives in the ``{prefix}`` slot (ticket, leases) and the conversation's
    keys in the conversation's own slot (bot/handoff/keys.py), so no one script can
    see both on a Redis Cluster. ``HandoffQueue.fence`` checks the claim first (the
    token is the ticket's current claim, of that agent, its lease not expired), then
    runs this script in the conversation's slot, which writes only while no note
    has ended that claim: whatever ends a claim (resolve, release, transfer, reap)
    appends its note with ``ends_claim``, atomically raising ``claim_ended``. So a
    reply is never stored after the note that ended its claim; one already checked
    when the claim ended lands before that note. ``body`` sees its own ``KEYS`` and
    ``ARGV``.
    """
    return "local function fenced_write(KEYS, ARGV)\n" + body + "\nend\n" + _FENCED
