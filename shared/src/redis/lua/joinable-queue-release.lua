--[[
  Gives back items a consumer took but will not finish: the ones it fetched
  ahead and never handed out, and, when it closes, the ones it was handed and
  did not acknowledge. They go back to the head of wait in their order, to be
  taken next; after an immediate shutdown they are dropped and counted as
  done instead, as shutdown(immediate) does with every queued item. Only jobs
  still held under the given token (or whose lock lapsed in active) move.

  KEYS[1]  the queue's state hash: shutdown, unfinished
  KEYS[2]  BullMQ wait list
  KEYS[3]  BullMQ active list
  KEYS[4]  BullMQ stalled set
  KEYS[5]  BullMQ events stream
  KEYS[6]  BullMQ marker
  KEYS[7]  BullMQ meta hash (opts.maxLenEvents caps the events stream; 0 or none: no events)
  ARGV[1]  job key prefix, '<prefix>:<queue>:'
  ARGV[2]  the queue's signal channel
  ARGV[3]  job id, ARGV[4] its lock token, and so on, oldest first

  Returns  the number of jobs given back or dropped
  Signals  'join' on the channel when dropping brings the unfinished count to 0
]]
local state, wait, active, stalled, events, marker = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local prefix = ARGV[1]
local maxEvents = tonumber(redis.call('HGET', KEYS[7], 'opts.maxLenEvents') or '0')
local drop = redis.call('HGET', state, 'shutdown') == 'immediate'

local moved, counted = 0, 0
-- Newest first, so that the oldest ends up at the head (the right end).
for i = #ARGV - 1, 3, -2 do
  local id, token = ARGV[i], ARGV[i + 1]
  local jobKey = prefix .. id
  local owner = redis.call('GET', jobKey .. ':lock')
  if (not owner or owner == token) and redis.call('LREM', active, -1, id) > 0 then
    if owner then
      redis.call('DEL', jobKey .. ':lock')
    end
    redis.call('SREM', stalled, id)
    if drop then
      if redis.call('HEXISTS', jobKey, 'rpc') == 1 then
        counted = counted + 1
      end
      redis.call('DEL', jobKey, jobKey .. ':logs')
      if maxEvents > 0 then
        redis.call('XADD', events, 'MAXLEN', '~', maxEvents, '*', 'event', 'removed',
          'jobId', id, 'prev', 'active')
      end
    else
      redis.call('RPUSH', wait, id)
      if maxEvents > 0 then
        redis.call('XADD', events, 'MAXLEN', '~', maxEvents, '*', 'event', 'waiting',
          'jobId', id, 'prev', 'active')
      end
    end
    moved = moved + 1
  end
end

if moved > 0 and not drop then
  redis.call('ZADD', marker, 0, '0')
end
if counted > 0 and redis.call('HINCRBY', state, 'unfinished', -counted) <= 0 then
  redis.call('PUBLISH', ARGV[2], 'join')
end
return moved
