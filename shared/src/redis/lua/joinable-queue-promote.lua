-- uses: jobs
--[[
  Moves the delayed jobs that are due to the wait list, as BullMQ's
  `promoteDelayedJobs` does, and says when the next one is due.

  KEYS[1]  BullMQ delayed sorted set (score: due ms * 4096 + id counter % 4096)
  KEYS[2]  BullMQ wait list
  KEYS[3]  BullMQ marker (wakes blocked getters)
  KEYS[4]  BullMQ events stream
  KEYS[5]  BullMQ meta hash (opts.maxLenEvents caps the events stream; 0 or none: no events)
  ARGV[1]  job key prefix, '<prefix>:<queue>:'
  ARGV[2]  now, in ms
  ARGV[3]  the most jobs to move in one call

  Returns  the due time in ms of the next delayed job, or -1 when none is left
]]
local delayed, wait, marker, events = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now = tonumber(ARGV[2])
local event = eventsTo(events, KEYS[5])

local due = redis.call('ZRANGEBYSCORE', delayed, 0, (now + 1) * 4096 - 1, 'LIMIT', 0, tonumber(ARGV[3]))
if #due > 0 then
  redis.call('ZREM', delayed, unpack(due))
  for _, id in ipairs(due) do
    redis.call('LPUSH', wait, id)
    redis.call('HSET', ARGV[1] .. id, 'delay', 0)
    event('waiting', id, 'prev', 'delayed')
  end
  redis.call('ZADD', marker, 0, '0')
end

local next = redis.call('ZRANGE', delayed, 0, 0, 'WITHSCORES')
if #next == 0 then
  return -1
end
return math.floor(tonumber(next[2]) / 4096)
