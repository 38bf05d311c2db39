"""The housekeeping scripts: reap expired leases, rebuild the indexes.

Conventions of every script: bot/handoff/scripts/__init__.py.
"""

from __future__ import annotations

from bot.handoff.scripts.base import Script

# ARGV: C, now, then per ticket: id, agent id (as the caller read them)
REAP = Script(
    "reap",
    keys=("leases", "queue", "queued_at", "flagged", "events", "held"),
    each=("ticket", "agent_chats"),
    lua=r"""
local out = {}
for i = 3, #ARGV, 2 do
  local id, agent = ARGV[i], ARGV[i + 1]
  local n = (i - 3) / 2
  local tkey, chats = KEYS[7 + 2 * n], KEYS[8 + 2 * n]
  local lease = tonumber(redis.call('ZSCORE', leases, id))
  if lease and lease < NOW then
    local t = redis.call('HMGET', tkey, 'state', 'agent', 'token')
    if t[1] ~= 'assigned' then
      redis.call('ZREM', leases, id)
    elseif t[2] == agent then
      local reoffers, flag = requeue(tkey, id, agent, queue, queued_at, leases,
        chats, flagged, stream, 'reaped', 'lease expired')
      out[#out + 1] = {id, agent, reoffers, flag and 1 or 0, t[3] or '0'}
    end
  end
end
return {'ok', out}
""",
)

# ARGV: C, now, then per ticket: id, agent id (as the caller read them)
# Puts each ticket in the index its state says (and nowhere else).
RECONCILE_TICKETS = Script(
    "reconcile_tickets",
    keys=("queue", "queued_at", "leases", "flagged", "events", "held"),
    each=("ticket", "agent_chats"),
    lua=r"""
local queued, assigned, added, removed = 0, 0, 0, 0
for i = 3, #ARGV, 2 do
  local id, agent = ARGV[i], ARGV[i + 1]
  local n = (i - 3) / 2
  local tkey, chats = KEYS[7 + 2 * n], KEYS[8 + 2 * n]
  local t = redis.call('HMGET', tkey, 'state', 'agent', 'priority', 'queued_at',
    'flagged')
  if t[1] == 'queued' then
    queued = queued + 1
    if not redis.call('ZSCORE', queue, id) then added = added + 1 end
    queue_ticket(tkey, id, queue, queued_at)
    removed = removed + redis.call('ZREM', leases, id)
  elseif t[1] == 'assigned' then
    assigned = assigned + 1
    removed = removed + redis.call('ZREM', queue, id)
    redis.call('ZREM', queued_at, id)
    if not redis.call('ZSCORE', leases, id) then
      redis.call('ZADD', leases, NOW + C.lease, id)
      added = added + 1
    end
    if t[2] == agent and redis.call('SISMEMBER', chats, id) == 0 then
      hold(chats, agent, id)
      added = added + 1
    end
  elseif t[1] then
    removed = removed + redis.call('ZREM', queue, id) + redis.call('ZREM', leases, id)
    redis.call('ZREM', queued_at, id)
  end
  if t[5] == '1' and (t[1] == 'queued' or t[1] == 'assigned') then
    redis.call('SADD', flagged, id)
  end
end
if added + removed > 0 then
  emit(stream, 'reconciled', '', '', '', '', {added = added, removed = removed})
end
return {'ok', queued, assigned, added, removed}
""",
)

# ARGV: C, now, then ticket ids (members found in the indexes)
# Drops index entries whose ticket is gone or in another state.
RECONCILE_INDEX = Script(
    "reconcile_index",
    keys=("queue", "queued_at", "leases", "flagged", "events"),
    each=("ticket",),
    lua=r"""
local removed = 0
for i = 3, #ARGV do
  local id, tkey = ARGV[i], KEYS[i + 3]
  local state = redis.call('HGET', tkey, 'state')
  if state ~= 'queued' then
    removed = removed + redis.call('ZREM', queue, id)
    redis.call('ZREM', queued_at, id)
  end
  if state ~= 'assigned' then removed = removed + redis.call('ZREM', leases, id) end
  if state ~= 'queued' and state ~= 'assigned' then
    redis.call('SREM', flagged, id)
  end
end
if removed > 0 then
  emit(stream, 'reconciled', '', '', '', '', {removed = removed})
end
return {'ok', removed}
""",
)

# ARGV: C, now, agent id, then ticket ids held in the agent's set
# Drops chats the agent does not hold; sets the agent's held count to the set size.
RECONCILE_CHATS = Script(
    "reconcile_chats",
    keys=("agent_chats", "events", "held"),
    each=("ticket",),
    lua=r"""
local agent = ARGV[3]
local removed = 0
for i = 4, #ARGV do
  local id, tkey = ARGV[i], KEYS[i]
  local t = redis.call('HMGET', tkey, 'state', 'agent')
  if t[1] ~= 'assigned' or t[2] ~= agent then
    removed = removed + redis.call('SREM', chats, id)
  end
end
redis.call('HSET', held, agent, redis.call('SCARD', chats))
if removed > 0 then
  emit(stream, 'reconciled', '', agent, '', '', {removed = removed})
end
return {'ok', removed}
""",
)
