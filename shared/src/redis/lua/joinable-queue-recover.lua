-- uses: jobs
--[[
  Recovers the items of consumers that died: a take sets a job's lock in the
  same step as it moves the job to active, and the holder renews it while it
  lives, so a job in active without a lock has lapsed. Each such job goes
  back to the head of wait, oldest first, as BullMQ's stalled-job check puts
  a stalled job back: its stalled counter `stc` goes up, and 'waiting' and
  'stalled' are written to the events stream when it is enabled. A job whose
  hash is gone (removed with a BullMQ tool) only leaves active. After an
  immediate shutdown no getter will ever take it again: it is dropped and
  counted as done instead, as the shutdown dropped the waiting ones.

  Every consumer runs this each period; a guard key that lives one period
  makes all but the first run of a period return at once, as BullMQ's
  'stalled-check' key does. The run also sets the marker whenever wait holds
  items, so a getter that died between popping the marker and taking leaves
  no blocked getter without its wake-up.

  KEYS[1]  BullMQ active list
  KEYS[2]  BullMQ wait list (taken from the right)
  KEYS[3]  BullMQ stalled-check key: the guard
  KEYS[4]  BullMQ events stream
  KEYS[5]  BullMQ marker (wakes blocked getters)
  KEYS[6]  BullMQ meta hash (opts.maxLenEvents caps the events stream; 0 or none: no events)
  KEYS[7]  the queue's state hash: shutdown, unfinished
  ARGV[1]  job key prefix, '<prefix>:<queue>:'
  ARGV[2]  now, in ms
  ARGV[3]  the period, in ms: how long the guard lives
  ARGV[4]  the queue's signal channel

  Returns  the ids of the jobs put back (or dropped), newest first (the last
           is taken first); nil when another run of this period came first
           (nothing was touched)
  Signals  'join' when dropping left nothing unfinished
  Errors   VALUE_ERROR  the period is not a positive whole number of ms
]]
local active, wait, guard, events, marker, state = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[7]
local prefix = ARGV[1]
local period = tonumber(ARGV[3])
if not period or period < 1 or period % 1 ~= 0 then
  return redis.error_reply('VALUE_ERROR the period must be a positive whole number of ms, not ' .. ARGV[3])
end
if not redis.call('SET', guard, ARGV[2], 'PX', period, 'NX') then
  return false
end
local event = eventsTo(events, KEYS[6])
local dropping = redis.call('HGET', state, 'shutdown') == 'immediate'

-- Active holds the newest take on the left: walking from there and pushing
-- each job on the right leaves the oldest at the head of wait.
local recovered = {}
local dropped = 0
for _, id in ipairs(redis.call('LRANGE', active, 0, -1)) do
  local jobKey = prefix .. id
  if redis.call('EXISTS', jobKey .. ':lock') == 0 and redis.call('LREM', active, -1, id) > 0 then
    if redis.call('EXISTS', jobKey) == 1 then
      if dropping then
        dropped = dropped + dropJob(prefix, id, event, 'active')
      else
        redis.call('HINCRBY', jobKey, 'stc', 1)
        redis.call('RPUSH', wait, id)
        event('waiting', id, 'prev', 'active')
        event('stalled', id)
      end
      recovered[#recovered + 1] = id
    end
  end
end
if dropped > 0 then
  finishCounted(state, ARGV[4], dropped)
end

if redis.call('LLEN', wait) > 0 then
  redis.call('ZADD', marker, 0, '0')
end
return recovered
