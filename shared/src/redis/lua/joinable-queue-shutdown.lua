-- uses: jobs
--[[
  Shuts a joinable queue down (Python 3.13 `shutdown`): puts are refused from
  now on, and getters fail once the queue is drained. Immediate: the waiting
  items are dropped at once and counted as done, so join() returns once the
  items already handed out are acknowledged. Blocked getters are woken through
  the marker, blocked putters and joiners through the channel.

  KEYS[1]  the queue's state hash: shutdown, unfinished
  KEYS[2]  BullMQ wait list
  KEYS[3]  BullMQ events stream
  KEYS[4]  BullMQ marker
  KEYS[5]  BullMQ meta hash (opts.maxLenEvents caps the events stream; 0 or none: no events)
  ARGV[1]  job key prefix, '<prefix>:<queue>:'
  ARGV[2]  'immediate' or 'graceful'
  ARGV[3]  the queue's signal channel

  Returns  the number of items dropped
  Signals  'shutdown' on the channel; 'join' when nothing is left unfinished
]]
local state, wait, events, marker = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local prefix = ARGV[1]
local event = eventsTo(events, KEYS[5])

if redis.call('HGET', state, 'shutdown') ~= 'immediate' then
  redis.call('HSET', state, 'shutdown', ARGV[2])
end

local dropped = 0
if ARGV[2] == 'immediate' then
  local counted = 0
  for _, id in ipairs(redis.call('LRANGE', wait, 0, -1)) do
    counted = counted + dropJob(prefix, id, event, 'waiting')
    dropped = dropped + 1
  end
  redis.call('DEL', wait)
  if counted > 0 then
    redis.call('HINCRBY', state, 'unfinished', -counted)
  end
end

redis.call('ZADD', marker, 0, '0')
redis.call('PUBLISH', ARGV[3], 'shutdown')
if tonumber(redis.call('HGET', state, 'unfinished') or '0') <= 0 then
  redis.call('PUBLISH', ARGV[3], 'join')
end
return dropped
