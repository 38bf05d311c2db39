"""Every Lua script of the handoff queue: each state transition is one atomic script.

Conventions of every script:

* ``ARGV[1]`` is the queue's configuration as JSON (weights, timings, caps) and
  ``ARGV[2]`` the current time in milliseconds; the rest is per script.
* Every key a script touches is in ``KEYS``, all with the queue's hash tag
  ``{prefix}``, so the scripts run on Redis Cluster (``fenced`` writes touch one
  conversation's keys only: bot/handoff/keys.py). Keys that depend on data (a ticket,
  an agent) are read by the caller first and re-validated here.
* A script checks everything before it writes anything, then returns ``{"ok", ...}``;
  a refusal returns ``{code, detail}`` and changes nothing (``queue.py`` turns the
  codes into typed errors).
* Every change appends to the event stream (``XADD ... MAXLEN ~``) in the same script.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

# Helpers shared by all scripts (prepended to each one).
_COMMON = r"""
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
"""

# KEYS: ticket, archive, queue, queued_at, events, online, capacity, held, stats
# ARGV: C, now, id, fields (JSON object of string values)
# Returns {'ok' | 'dup', rank, waiting, ticket, estimate}.
ENQUEUE = r"""
local tkey, archive, queue, queued_at, stream, online, capacity, held, stats =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local id = ARGV[3]
redis.call('ZREMRANGEBYSCORE', online, '-inf', '(' .. NOW)
local state = redis.call('HGET', tkey, 'state')
if state == 'queued' or state == 'assigned' then
  return {'dup', redis.call('ZRANK', queue, id) or -1, redis.call('ZCARD', queue),
    ticket_json(tkey), estimate(online, capacity, held, stats)}
end
local episode = 1
if state then
  -- an earlier, finished handoff of this conversation: archive it, start anew
  episode = (tonumber(redis.call('HGET', tkey, 'episode')) or 1) + 1
  redis.call('LPUSH', archive, ticket_json(tkey))
  redis.call('LTRIM', archive, 0, C.archive_max - 1)
  redis.call('EXPIRE', archive, C.archive_ttl)
  redis.call('DEL', tkey)
end
local f = cjson.decode(ARGV[4])
local args = {}
for k, v in pairs(f) do
  args[#args + 1] = k
  args[#args + 1] = v
end
redis.call('HSET', tkey, unpack(args))
local base = priority(f.intensity, f.frustration, f.flags)
redis.call('HSET', tkey, 'state', 'queued', 'episode', episode, 'priority',
  tostring(base),
  'created_at', NOW, 'queued_at', NOW)
queue_ticket(tkey, id, queue, queued_at)
local rank = redis.call('ZRANK', queue, id)
emit(stream, 'enqueued', id, '', '', 'queued',
  {priority = base, position = rank + 1, episode = episode})
return {'ok', rank, redis.call('ZCARD', queue), ticket_json(tkey),
  estimate(online, capacity, held, stats)}
"""

# KEYS: ticket, queue, online, capacity, held, stats
# ARGV: C, now, id
# Returns {state ('' if none), rank (-1 if not queued), waiting, estimate}.
ESTIMATE = r"""
local tkey, queue, online, capacity, held, stats =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local state = redis.call('HGET', tkey, 'state') or ''
local rank = -1
if state == 'queued' then rank = redis.call('ZRANK', queue, ARGV[3]) or -1 end
return {state, rank, redis.call('ZCARD', queue),
  estimate(online, capacity, held, stats)}
"""

# KEYS: ticket, queue, events
# ARGV: C, now, id, snapshot (JSON), flags (comma list, added to the ticket's)
RESCORE = r"""
local tkey, queue, stream = KEYS[1], KEYS[2], KEYS[3]
local id = ARGV[3]
local t = redis.call('HMGET', tkey, 'state', 'flags', 'timeline', 'priority',
  'queued_at')
if not t[1] then return {'unknown_ticket'} end
if t[1] ~= 'queued' and t[1] ~= 'assigned' then return {'state', t[1]} end
local snap = cjson.decode(ARGV[4])
local seen, flags = {}, {}
for flag in string.gmatch((t[2] or '') .. ',' .. ARGV[5], '[^,]+') do
  if not seen[flag] then
    seen[flag] = true
    flags[#flags + 1] = flag
  end
end
table.sort(flags)
local flag_text = table.concat(flags, ',')
local timeline = push_capped(json_list(t[3]), snap, C.timeline_max)
local base = priority(snap.intensity, snap.frustration, flag_text)
redis.call('HSET', tkey, 'label', snap.label, 'intensity', tostring(snap.intensity),
  'frustration', snap.frustration, 'emotion_at', NOW, 'flags', flag_text,
  'timeline', cjson.encode(timeline), 'priority', tostring(base))
local rank = -1
if t[1] == 'queued' then
  redis.call('ZADD', queue, num(order(base, t[5])), id)
  rank = redis.call('ZRANK', queue, id)
end
emit(stream, 'rescored', id, '', '', t[1],
  {before = tonumber(t[4]), after = base, position = rank + 1})
return {'ok', rank, ticket_json(tkey)}
"""

# KEYS: queue, queued_at, leases, events, fence, agent, chats, intense, held,
#       ticket...
# ARGV: C, now, agent id, mode ('one' | 'next'), ticket key prefix
# (a ticket's id is its key without the prefix).
# 'one' claims the single ticket given; 'next' chooses among the candidates given
# (the caller's read of the best waiting ones, re-validated here): a loaded agent gets
# the first calm one, a specialist the most intense one, anyone else the first one.
CLAIM = r"""
local queue, queued_at, leases, stream, fence, akey, chats, intense =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
HELD = KEYS[9]
local agent, mode, cut = ARGV[3], ARGV[4], #ARGV[5] + 1
local ready = agent_ready(akey, chats)
if ready[1] ~= 'ok' then return ready end
local skills = ready[2]
local chosen, chosen_key
if mode == 'one' then
  local tkey = KEYS[10]
  local t = redis.call('HMGET', tkey, 'state', 'skill')
  if not t[1] then return {'unknown_ticket'} end
  if t[1] ~= 'queued' then return {'not_queued', t[1]} end
  if not has_skill(skills, t[2]) then return {'skill', t[2]} end
  chosen_key = tkey
else
  redis.call('ZREMRANGEBYSCORE', intense, '-inf', '(' .. (NOW - C.window))
  local loaded = redis.call('ZCARD', intense) >= C.max_recent
  local specialist = C.spec ~= '' and has_skill(skills, C.spec)
  local stale = false
  local first, calm, hot, hot_i, fallback
  for i = 10, #KEYS do
    local tkey = KEYS[i]
    local t = redis.call('HMGET', tkey, 'state', 'skill', 'intensity', 'frustration',
      'last_agent')
    if t[1] ~= 'queued' then
      stale = true
    elseif has_skill(skills, t[2]) then
      if t[5] == agent then
        fallback = fallback or i
      else
        local intensity = tonumber(t[3]) or 0
        local is_intense = intensity >= C.ii or (tonumber(t[4]) or 0) >= C.if_
        first = first or i
        if not is_intense then calm = calm or i end
        if hot == nil or intensity > hot_i then hot, hot_i = i, intensity end
      end
    end
  end
  local pick
  if loaded and calm then pick = calm
  elseif specialist and hot then pick = hot
  else pick = first or fallback end
  if not pick then
    if stale then return {'retry'} end
    return {'none'}
  end
  chosen_key = KEYS[pick]
end
chosen = string.sub(chosen_key, cut)
redis.call('ZREM', queue, chosen)
redis.call('ZREM', queued_at, chosen)
local token, lease_until, run = assign(chosen_key, chosen, agent, fence, leases,
  akey, chats, intense)
emit(stream, 'claimed', chosen, agent, token, 'assigned', {mode = mode})
return {'ok', token, lease_until, run, ticket_json(chosen_key)}
"""

# KEYS: agent, chats, leases, online
# ARGV: C, now, agent id
# Renews presence and the leases that have not expired (an expired one is lost).
HEARTBEAT = r"""
local akey, chats, leases, online = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
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
"""

# KEYS: agent, agents, capacity, events
# ARGV: C, now, agent id, name, capacity, skills (comma list), auto_assign (0/1)
REGISTER = r"""
local akey, agents, capacity, stream = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
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
"""

# KEYS: agent, online, leases, chats, events
# ARGV: C, now, agent id, status
# away resets the run of intense chats (a break); offline lets the agent's leases
# expire now, so the next reap returns their chats to the queue.
PRESENCE = r"""
local akey, online, leases, chats, stream = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
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
"""

# KEYS: ticket, agent, queue, queued_at, leases, chats, flagged, events, held
# ARGV: C, now, id, agent id, token, reason
RELEASE = r"""
local tkey, akey, queue, queued_at, leases, chats, flagged, stream =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
HELD = KEYS[9]
local id, agent, token = ARGV[3], ARGV[4], ARGV[5]
if redis.call('EXISTS', akey) == 0 then return {'unknown_agent'} end
local refused = check_claim(tkey, leases, id, agent, token)
if refused then return refused end
local reoffers, flag = requeue(tkey, id, agent, queue, queued_at, leases, chats,
  flagged, stream, 'released', ARGV[6])
return {'ok', ticket_json(tkey)}
"""

# KEYS: ticket, agent, queue, queued_at, leases, chats, events, fence, held
#       [, to agent, to chats, to intense]
# ARGV: C, now, id, agent id, token, to agent ('' = none), to skill ('' = none)
TRANSFER = r"""
local tkey, akey, queue, queued_at, leases, chats, stream, fence =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
HELD = KEYS[9]
local id, agent, token, to_agent, to_skill = ARGV[3], ARGV[4], ARGV[5], ARGV[6],
  ARGV[7]
if redis.call('EXISTS', akey) == 0 then return {'unknown_agent'} end
local refused = check_claim(tkey, leases, id, agent, token)
if refused then return refused end
local skill = to_skill
if skill == '' then skill = redis.call('HGET', tkey, 'skill') end
if to_agent ~= '' then
  if to_agent == agent then return {'same_agent'} end
  local to_akey, to_chats, to_intense = KEYS[10], KEYS[11], KEYS[12]
  local ready = agent_ready(to_akey, to_chats)
  if ready[1] == 'unknown_agent' then return {'unknown_target'} end
  if ready[1] ~= 'ok' then return ready end
  if not has_skill(ready[2], skill) then return {'skill', skill} end
  unhold(chats, agent, id)
  redis.call('HSET', tkey, 'skill', skill, 'last_agent', agent)
  redis.call('HINCRBY', tkey, 'transfers', 1)
  local new_token, lease_until, run = assign(tkey, id, to_agent, fence, leases,
    to_akey, to_chats, to_intense)
  emit(stream, 'transferred', id, to_agent, new_token, 'assigned',
    {from = agent, skill = skill})
  return {'ok', new_token, lease_until, run, ticket_json(tkey)}
end
redis.call('HSET', tkey, 'state', 'queued', 'agent', '', 'assigned_at', '',
  'last_agent', agent, 'skill', skill)
redis.call('HINCRBY', tkey, 'transfers', 1)
redis.call('ZREM', leases, id)
unhold(chats, agent, id)
queue_ticket(tkey, id, queue, queued_at)
emit(stream, 'transferred', id, agent, token, 'queued', {skill = skill})
return {'ok', 0, 0, 0, ticket_json(tkey)}
"""

# KEYS: ticket, agent, events
# ARGV: C, now, id, agent id, text
NOTE = r"""
local tkey, akey, stream = KEYS[1], KEYS[2], KEYS[3]
local id, agent = ARGV[3], ARGV[4]
if redis.call('EXISTS', akey) == 0 then return {'unknown_agent'} end
local notes = redis.call('HGET', tkey, 'notes')
if not notes then return {'unknown_ticket'} end
local list = push_capped(json_list(notes),
  {agent_id = agent, text = ARGV[5], at = NOW / 1000}, C.notes_max)
redis.call('HSET', tkey, 'notes', cjson.encode(list))
emit(stream, 'note', id, agent, '', redis.call('HGET', tkey, 'state'), nil)
return {'ok', #list}
"""

# KEYS: ticket, agent, leases, chats, stats, followups, flagged, events, held
# ARGV: C, now, id, agent id, token, resolution
RESOLVE = r"""
local tkey, akey, leases, chats, stats, followups, flagged, stream =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
HELD = KEYS[9]
local id, agent, token = ARGV[3], ARGV[4], ARGV[5]
if redis.call('EXISTS', akey) == 0 then return {'unknown_agent'} end
local refused = check_claim(tkey, leases, id, agent, token)
if refused then return refused end
local assigned_at = tonumber(redis.call('HGET', tkey, 'assigned_at')) or NOW
redis.call('HSET', tkey, 'state', 'resolved', 'resolved_at', NOW, 'resolution',
  ARGV[6])
redis.call('ZREM', leases, id)
unhold(chats, agent, id)
redis.call('ZREM', followups, id)
redis.call('SREM', flagged, id)
redis.call('LPUSH', stats, num((NOW - assigned_at) / 1000))
redis.call('LTRIM', stats, 0, C.stats_max - 1)
redis.call('EXPIRE', tkey, C.resolved_ttl)
emit(stream, 'resolved', id, agent, token, 'resolved', nil)
return {'ok', tonumber(redis.call('HGET', akey, 'intense_run')) or 0,
  ticket_json(tkey)}
"""

# KEYS: ticket, events
# ARGV: C, now, id, rating (JSON)
RATE = r"""
local tkey, stream = KEYS[1], KEYS[2]
local id = ARGV[3]
local t = redis.call('HMGET', tkey, 'state', 'rating')
if not t[1] then return {'unknown_ticket'} end
if t[1] ~= 'resolved' then return {'not_resolved', t[1]} end
if t[2] and t[2] ~= '' then return {'rated'} end
redis.call('HSET', tkey, 'rating', ARGV[4])
local r = cjson.decode(ARGV[4])
emit(stream, 'rated', id, '', '', 'resolved',
  {csat = r.csat, understood = r.understood})
return {'ok'}
"""

# KEYS: ticket, followups, events
# ARGV: C, now, id, follow-up (JSON)
FOLLOW_UP = r"""
local tkey, followups, stream = KEYS[1], KEYS[2], KEYS[3]
local id = ARGV[3]
local state = redis.call('HGET', tkey, 'state')
if not state then return {'unknown_ticket'} end
if state ~= 'queued' and state ~= 'assigned' then return {'state', state} end
redis.call('HSET', tkey, 'follow_up', ARGV[4])
redis.call('ZADD', followups, NOW, id)
emit(stream, 'follow_up', id, '', '', state, {method = cjson.decode(ARGV[4]).method})
return {'ok'}
"""

# KEYS: ticket, leases
# ARGV: C, now, id, agent id ('' = any), token
CHECK = r"""
local tkey, leases = KEYS[1], KEYS[2]
local id, agent, token = ARGV[3], ARGV[4], ARGV[5]
if agent == '' then agent = redis.call('HGET', tkey, 'agent') end
local refused = check_claim(tkey, leases, id, agent, token)
if refused then return refused end
return {'ok'}
"""

# KEYS: leases, queue, queued_at, flagged, events, held, then per ticket: ticket,
#       chats
# ARGV: C, now, then per ticket: id, agent id (as the caller read them)
REAP = r"""
local leases, queue, queued_at, flagged, stream =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
HELD = KEYS[6]
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
"""

# KEYS: queue, queued_at, leases, flagged, events, held, then per ticket: ticket,
#       chats
# ARGV: C, now, then per ticket: id, agent id (as the caller read them)
# Puts each ticket in the index its state says (and nowhere else).
RECONCILE_TICKETS = r"""
local queue, queued_at, leases, flagged, stream =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
HELD = KEYS[6]
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
"""

# KEYS: queue, queued_at, leases, flagged, events, then ticket keys
# ARGV: C, now, then ticket ids (members found in the indexes)
# Drops index entries whose ticket is gone or in another state.
RECONCILE_INDEX = r"""
local queue, queued_at, leases, flagged, stream =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
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
"""

# KEYS: chats, events, held, then ticket keys
# ARGV: C, now, agent id, then ticket ids held in the agent's set
# Drops chats the agent does not hold; sets the agent's held count to the set size.
RECONCILE_CHATS = r"""
local chats, stream, held = KEYS[1], KEYS[2], KEYS[3]
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
"""

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


SOURCES: dict[str, str] = {
    "enqueue": ENQUEUE,
    "estimate": ESTIMATE,
    "rescore": RESCORE,
    "claim": CLAIM,
    "heartbeat": HEARTBEAT,
    "register": REGISTER,
    "presence": PRESENCE,
    "release": RELEASE,
    "transfer": TRANSFER,
    "note": NOTE,
    "resolve": RESOLVE,
    "rate": RATE,
    "follow_up": FOLLOW_UP,
    "check": CHECK,
    "reap": REAP,
    "reconcile_tickets": RECONCILE_TICKETS,
    "reconcile_index": RECONCILE_INDEX,
    "reconcile_chats": RECONCILE_CHATS,
}


class Scripts:
    """The scripts registered once on a client (``register_script``: EVALSHA, and
    SCRIPT LOAD when the server does not know one)."""

    def __init__(self, client: Any) -> None:
        self._scripts = {
            name: client.register_script(_COMMON + body)
            for name, body in SOURCES.items()
        }

    def __getitem__(self, name: str) -> Any:
        return self._scripts[name]
