"""The customer side's scripts: queue a chat, estimate the wait, re-score, rate,
ask for a follow-up.

Conventions of every script: bot/handoff/scripts/__init__.py.
"""

from __future__ import annotations

from bot.handoff.scripts.base import Script

# ARGV: C, now, id, fields (JSON object of string values)
# Returns {'ok' | 'dup', rank, waiting, ticket, estimate}.
ENQUEUE = Script(
    "enqueue",
    keys=(
        "ticket",
        "archive",
        "queue",
        "queued_at",
        "events",
        "online",
        "capacity",
        "held",
        "stats_handle",
    ),
    lua=r"""
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
""",
)

# ARGV: C, now, id
# Returns {state ('' if none), rank (-1 if not queued), waiting, estimate, version}.
ESTIMATE = Script(
    "estimate",
    keys=("ticket", "queue", "online", "capacity", "held", "stats_handle", "events"),
    lua=r"""
local state = redis.call('HGET', tkey, 'state') or ''
local rank = -1
if state == 'queued' then rank = redis.call('ZRANK', queue, ARGV[3]) or -1 end
return {state, rank, redis.call('ZCARD', queue),
  estimate(online, capacity, held, stats), newest(stream)}
""",
)

# ARGV: C, now
# Returns {version, the waiting chats best first, estimate}: the whole line in one
# step, for the gateway's hub to hand every waiting customer their place.
LINE = Script(
    "line",
    keys=("queue", "online", "capacity", "held", "stats_handle", "events"),
    lua=r"""
return {newest(stream), redis.call('ZRANGE', queue, 0, -1),
  estimate(online, capacity, held, stats)}
""",
)

# ARGV: C, now, id, snapshot (JSON), flags (comma list, added to the ticket's)
RESCORE = Script(
    "rescore",
    keys=("ticket", "queue", "events"),
    lua=r"""
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
""",
)

# ARGV: C, now, id, rating (JSON)
RATE = Script(
    "rate",
    keys=("ticket", "events"),
    lua=r"""
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
""",
)

# ARGV: C, now, id, follow-up (JSON)
FOLLOW_UP = Script(
    "follow_up",
    keys=("ticket", "followups", "events"),
    lua=r"""
local id = ARGV[3]
local state = redis.call('HGET', tkey, 'state')
if not state then return {'unknown_ticket'} end
if state ~= 'queued' and state ~= 'assigned' then return {'state', state} end
redis.call('HSET', tkey, 'follow_up', ARGV[4])
redis.call('ZADD', followups, NOW, id)
emit(stream, 'follow_up', id, '', '', state, {method = cjson.decode(ARGV[4]).method})
return {'ok'}
""",
)
