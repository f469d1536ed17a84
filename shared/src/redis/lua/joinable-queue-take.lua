-- uses: jobs
--[[
  Takes up to ARGV[5] items for one consumer, the way BullMQ moves a job to
  active: each id goes from wait to active, its lock is set to the consumer's
  token for the lease, and 'active' is written to the events stream. Several
  items per round trip is what lets a consumer keep up with a batched put.

  KEYS[1]  the queue's state hash: shutdown, maxsize
  KEYS[2]  BullMQ wait list
  KEYS[3]  BullMQ active list
  KEYS[4]  BullMQ events stream
  KEYS[5]  BullMQ marker
  KEYS[6]  BullMQ meta hash (opts.maxLenEvents caps the events stream; 0: no events)
  ARGV[1]  job key prefix, '<prefix>:<queue>:'
  ARGV[2]  now, in ms
  ARGV[3]  lease, in ms
  ARGV[4]  lock token of this take
  ARGV[5]  the most items to take
  ARGV[6]  the queue's signal channel
  ARGV[7]  the caller's keepEvents; recorded as opts.maxLenEvents unless the
           meta hash has it already: a consumer may come before any put, and
           BullMQ's own classes, opening the queue later, would record BullMQ's
           default of 10,000.

  Returns  { shutdown, id1, data1, counted1, id2, ... }: shutdown is '',
           'graceful' or 'immediate' (after an immediate shutdown nothing is
           taken); counted is '1' when a put counted the job as unfinished (its
           field `rpc`), which the ack needs, else ''.
  Signals  'room' on the channel when a bounded queue that was full got room.
]]
local state, wait, active, events, marker = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
redis.call('HSETNX', KEYS[6], 'opts.maxLenEvents', ARGV[7])
local event = eventsTo(events, KEYS[6])

local flags = redis.call('HMGET', state, 'shutdown', 'maxsize')
local shutdown = flags[1] or ''
local result = { shutdown }
local waiting = redis.call('LLEN', wait)
local count = math.min(tonumber(ARGV[5]), waiting)
if shutdown == 'immediate' then
  count = 0
end

if count > 0 then
  -- Oldest first; pushed on active's left one after the other, as BullMQ's
  -- move to active leaves them.
  local ids = redis.call('RPOP', wait, count)
  for from = 1, count, 1000 do
    redis.call('LPUSH', active, unpack(ids, from, math.min(from + 999, count)))
  end
  for _, id in ipairs(ids) do
    local jobKey = ARGV[1] .. id
    local job = redis.call('HMGET', jobKey, 'data', 'ats', 'rpc')
    if job[1] then
      redis.call('SET', jobKey .. ':lock', ARGV[4], 'PX', ARGV[3])
      -- Text, not a Lua number, for a first attempt: Redis formats numbers with printf.
      local started = job[2] and tostring(tonumber(job[2]) + 1) or '1'
      redis.call('HSET', jobKey, 'processedOn', ARGV[2], 'ats', started)
      event('active', id, 'prev', 'waiting')
      result[#result + 1] = id
      result[#result + 1] = job[1]
      result[#result + 1] = job[3] and '1' or ''
    else
      -- The job was removed by other means (a BullMQ tool): nothing to deliver.
      redis.call('LREM', active, -1, id)
    end
  end
end

-- Wake the next blocked getter while items remain, and pass a shutdown on
-- from getter to getter.
if waiting > count or shutdown ~= '' then
  redis.call('ZADD', marker, 0, '0')
end
local maxsize = tonumber(flags[2] or '0')
if maxsize > 0 and count > 0 and waiting >= maxsize then
  redis.call('PUBLISH', ARGV[6], 'room')
end
return result
