-- uses: jobs
--[[
  Puts items on a joinable queue as BullMQ jobs, and counts them as unfinished
  in the same step, so join() never sees an item that is not counted. Each job
  hash is what BullMQ's own `add` writes, plus the field `rpc` ("counted by
  redproc") so that acks only uncount items that a put counted.

  KEYS[1]  the queue's state hash: unfinished, maxsize, shutdown
  KEYS[2]  BullMQ wait list (new ids are pushed on the left, taken from the right)
  KEYS[3]  BullMQ meta hash: opts.maxLenEvents caps the events stream (0: none)
  KEYS[4]  BullMQ id counter
  KEYS[5]  BullMQ events stream
  KEYS[6]  BullMQ marker (wakes blocked getters)
  ARGV[1]  job key prefix, '<prefix>:<queue>:'
  ARGV[2]  now, in ms
  ARGV[3]  the caller's maxsize; the first put decides the queue's (0 = unbounded)
  ARGV[4]  the caller's keepEvents; recorded as opts.maxLenEvents unless the
           meta hash has it already (from an earlier put, or a BullMQ Queue)
  ARGV[5]  a JSON item, and so on: ARGV[5..]

  Returns  the number of items put, from the first: all of them, or as many as
           fit below maxsize (0 when the queue is full)
  Errors   SHUTDOWN when the queue was shut down
]]
local state, wait, meta, idKey, events, marker = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]

local flags = redis.call('HMGET', state, 'shutdown', 'maxsize')
if flags[1] then
  return redis.error_reply('SHUTDOWN put() on a queue that was shut down')
end
local maxsize = tonumber(flags[2])
if not maxsize then
  maxsize = tonumber(ARGV[3])
  redis.call('HSET', state, 'maxsize', maxsize)
end

local count = #ARGV - 4
if maxsize > 0 then
  count = math.max(0, math.min(count, maxsize - redis.call('LLEN', wait)))
end
if count == 0 then
  return 0
end

redis.call('HSETNX', meta, 'opts.maxLenEvents', ARGV[4])
local event = eventsTo(events, meta)

-- The ids BullMQ's INCR per job would give, in one step.
local first = redis.call('INCRBY', idKey, count) - count
-- Fields are given as text: Redis formats a Lua number with printf, per call.
local ids = {}
for i = 1, count do
  local id = tostring(first + i)
  redis.call('HSET', ARGV[1] .. id, 'name', 'item', 'data', ARGV[i + 4], 'opts', '{"attempts":0}',
    'timestamp', ARGV[2], 'delay', '0', 'priority', '0', 'rpc', '1')
  event('waiting', id)
  ids[i] = id
end
redis.call('LPUSH', wait, unpack(ids))
redis.call('HINCRBY', state, 'unfinished', count)
redis.call('ZADD', marker, 0, '0')
return count
