"""The agents' scripts: register, presence, heartbeat.

Conventions of every script: bot/handoff/scripts/__init__.py.
"""

from __future__ import annotations

from bot.handoff.scripts.base import Script

# ARGV: C, now, agent id
# Renews presence and the leases that have not expired (an expired one is lost).
HEARTBEAT = Script(
    "heartbeat",
    keys=("agent", "agent_chats", "leases", "online"),
    lua=r"""
local agent = ARGV[3]
local a = redis.call('HMGET', akey, 'capacity', 'status', 'seen_until')
if not a[1] then return {'unknown_agent'} end
if a[2] == 'offline' then return {'ok', 'offline', a[3] or '0', {}, {}} end
local seen_until = NOW + C.ttl
redis.call('HSET', akey, 'seen_until', seen_until)
if a[2] == 'online' then redis.call('ZADD', online, seen_until, agent) end
local renewed, lost = {}, {}
for _, id in ipairs(redis.call('SMEMBERS', chats)) do
  local lease = tonumber(redis.call('ZSCORE', leases, id))
  if lease and lease >= NOW then
    redis.call('ZADD', leases, NOW + C.lease, id)
    renewed[#renewed + 1] = id
  else
    lost[#lost + 1] = id
  end
end
return {'ok', a[2], seen_until, renewed, lost}
""",
)

# ARGV: C, now, agent id, name, capacity, skills (comma list), auto_assign (0/1)
REGISTER = Script(
    "register",
    keys=("agent", "agents", "capacity", "events"),
    lua=r"""
local agent = ARGV[3]
local new = redis.call('EXISTS', akey) == 0
redis.call('HSET', akey, 'id', agent, 'name', ARGV[4], 'capacity', ARGV[5],
  'skills', ARGV[6], 'auto_assign', ARGV[7])
if new then
  redis.call('HSET', akey, 'status', 'offline', 'seen_until', 0, 'intense_run', 0)
end
redis.call('SADD', agents, agent)
redis.call('HSET', capacity, agent, ARGV[5])
emit(stream, 'agent', '', agent, '', '', {new = new, capacity = tonumber(ARGV[5])})
return {'ok', new and 1 or 0}
""",
)

# ARGV: C, now, agent id, status
# away resets the run of intense chats (a break); offline lets the agent's leases
# expire now, so the next reap returns their chats to the queue.
PRESENCE = Script(
    "presence",
    keys=("agent", "online", "leases", "agent_chats", "events"),
    lua=r"""
local agent, status = ARGV[3], ARGV[4]
if redis.call('EXISTS', akey) == 0 then return {'unknown_agent'} end
local seen_until = NOW + C.ttl
if status == 'online' then
  redis.call('ZADD', online, seen_until, agent)
elseif status == 'away' then
  redis.call('ZREM', online, agent)
  redis.call('HSET', akey, 'intense_run', 0)
else
  seen_until = NOW
  redis.call('ZREM', online, agent)
  for _, id in ipairs(redis.call('SMEMBERS', chats)) do
    redis.call('ZADD', leases, 'XX', NOW - 1, id)
  end
end
redis.call('HSET', akey, 'status', status, 'seen_until', seen_until)
emit(stream, 'presence', '', agent, '', status, nil)
return {'ok', seen_until}
""",
)
