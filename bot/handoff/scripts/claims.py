"""The claims' scripts: claim, check a claim, release, transfer, note, resolve.

Conventions of every script: bot/handoff/scripts/__init__.py.
"""

from __future__ import annotations

from bot.handoff.scripts.base import Script

# ARGV: C, now, agent id, mode ('one' | 'next'), ticket key prefix
# (a ticket's id is its key without the prefix).
# 'one' claims the single ticket given; 'next' chooses among the candidates given
# (the caller's read of the best waiting ones, re-validated here): a loaded agent gets
# the first calm one, a specialist the most intense one, anyone else the first one.
CLAIM = Script(
    "claim",
    keys=(
        "queue",
        "queued_at",
        "leases",
        "events",
        "fence",
        "agent",
        "agent_chats",
        "agent_intense",
        "held",
    ),
    each=("ticket",),
    lua=r"""
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
""",
)

# ARGV: C, now, id, agent id ('' = any), token
CHECK = Script(
    "check",
    keys=("ticket", "leases"),
    lua=r"""
local id, agent, token = ARGV[3], ARGV[4], ARGV[5]
if agent == '' then agent = redis.call('HGET', tkey, 'agent') end
local refused = check_claim(tkey, leases, id, agent, token)
if refused then return refused end
return {'ok'}
""",
)

# What release, transfer and resolve run first: ARGV[3..5] are the ticket's id, the
# agent's id and the claim's token, and only the claim's holder goes on (one check, so
# the three cannot come to differ in who may end or hand on a claim).
_HOLDER_FIRST = r"""
local id, agent, token = ARGV[3], ARGV[4], ARGV[5]
local refused = check_holder(akey, tkey, leases, id, agent, token)
if refused then return refused end
"""

# ARGV: C, now, id, agent id, token, reason
RELEASE = Script(
    "release",
    keys=(
        "ticket",
        "agent",
        "queue",
        "queued_at",
        "leases",
        "agent_chats",
        "flagged",
        "events",
        "held",
    ),
    lua=_HOLDER_FIRST
    + r"""
local reoffers, flag = requeue(tkey, id, agent, queue, queued_at, leases, chats,
  flagged, stream, 'released', ARGV[6])
return {'ok', ticket_json(tkey)}
""",
)

# ARGV: C, now, id, agent id, token, to agent ('' = none), to skill ('' = none)
TRANSFER = Script(
    "transfer",
    keys=(
        "ticket",
        "agent",
        "queue",
        "queued_at",
        "leases",
        "agent_chats",
        "events",
        "fence",
        "held",
    ),
    each=("agent", "agent_chats", "agent_intense"),
    lua=_HOLDER_FIRST
    + r"""
local to_agent, to_skill = ARGV[6], ARGV[7]
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
""",
)

# ARGV: C, now, id, agent id, text
NOTE = Script(
    "note",
    keys=("ticket", "agent", "events"),
    lua=r"""
local id, agent = ARGV[3], ARGV[4]
if redis.call('EXISTS', akey) == 0 then return {'unknown_agent'} end
local notes = redis.call('HGET', tkey, 'notes')
if not notes then return {'unknown_ticket'} end
local list = push_capped(json_list(notes),
  {agent_id = agent, text = ARGV[5], at = NOW / 1000}, C.notes_max)
redis.call('HSET', tkey, 'notes', cjson.encode(list))
emit(stream, 'note', id, agent, '', redis.call('HGET', tkey, 'state'), nil)
return {'ok', #list}
""",
)

# ARGV: C, now, id, agent id, token, resolution
RESOLVE = Script(
    "resolve",
    keys=(
        "ticket",
        "agent",
        "leases",
        "agent_chats",
        "stats_handle",
        "followups",
        "flagged",
        "events",
        "held",
    ),
    lua=_HOLDER_FIRST
    + r"""
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
""",
)
