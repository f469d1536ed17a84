-- uses: jobs
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
local event = eventsTo(events, KEYS[7])
local drop = redis.call('HGET', state, 'shutdown') == 'immediate'

local moved, counted = 0, 0
-- Newest first, so that the oldest ends up at the head (the right end).
for i = #ARGV - 1, 3, -2 do
  local id = ARGV[i]
  if leaveActive(active, stalled, prefix, id, ARGV[i + 1]) then
    if drop then
      counted = counted + dropJob(prefix, id, event, 'active')
    else
      redis.call('RPUSH', wait, id)
      event('waiting', id, 'prev', 'active')
    end
    moved = moved + 1
  end
end

if moved > 0 and not drop then
  redis.call('ZADD', marker, 0, '0')
end
finishCounted(state, ARGV[2], counted)
return moved
