-- uses: jobs
--[[
  Puts jobs on a joinable queue, each with its own options, and returns their
  ids. What BullMQ's `addStandardJob`/`addDelayedJob` write, plus the field
  `rpc` ("counted by redproc") and the unfinished count, as the plain put
  does. A job whose id the caller chose and which exists already is not put
  again: its id comes back with created = 0 (an idempotent resubmission).
  Every check runs before the first write, so a refused batch changes nothing.

  KEYS[1..6]  as for joinable-queue-put.lua: the state hash, and BullMQ's wait
           list, meta hash, id counter, events stream and marker
  KEYS[7]  BullMQ delayed sorted set (score: due ms * 4096 + id counter % 4096)
  ARGV[1]  job key prefix, '<prefix>:<queue>:'
  ARGV[2]  now, in ms
  ARGV[3]  the caller's keepEvents; recorded as opts.maxLenEvents unless set
  ARGV[4]  'put', or 'check' to run the checks only and write nothing (the
           first pass over a batch that takes several calls)
  ARGV[5..] five per job: its id ('' for the next number of the counter), its
           name (the task), its JSON data, its JSON opts, its delay in ms

  Returns  { id1, created1, id2, created2, ... } in order; created is 1 for a
           job put now, 0 for one that existed with the same data; {} after 'check'
  Errors   SHUTDOWN     the queue was shut down
           VALUE_ERROR  a chosen id exists (or comes twice) with other data
           FULL         a bounded queue has no room for every new waiting job
]]
local state, wait, meta, idKey, events, marker, delayed =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local prefix, now = ARGV[1], tonumber(ARGV[2])

local flags = redis.call('HMGET', state, 'shutdown', 'maxsize')
if flags[1] then
  return redis.error_reply('SHUTDOWN put() on a queue that was shut down')
end

-- Checks first: which chosen ids exist, and whether their data is the same.
local seen = {}
local newWaiting = 0
for i = 5, #ARGV, 5 do
  local id, data, delay = ARGV[i], ARGV[i + 2], tonumber(ARGV[i + 4])
  local fresh = true
  if id ~= '' then
    local known = seen[id]
    if not known then
      known = redis.call('HGET', prefix .. id, 'data')
      if known then
        seen[id] = known
        fresh = false
      end
    else
      fresh = false
    end
    if known and known ~= data then
      return redis.error_reply('VALUE_ERROR job id ' .. id .. ' was put before with other data')
    end
    seen[id] = data
  end
  if fresh and delay == 0 then
    newWaiting = newWaiting + 1
  end
end

local maxsize = tonumber(flags[2] or '0')
if maxsize > 0 and newWaiting > 0 and redis.call('LLEN', wait) + newWaiting > maxsize then
  return redis.error_reply('FULL the queue has no room for ' .. newWaiting .. ' more jobs')
end
if ARGV[4] == 'check' then
  return {}
end

redis.call('HSETNX', meta, 'opts.maxLenEvents', ARGV[3])
local event = eventsTo(events, meta)

-- The counter values BullMQ's INCR per job would give, in one step.
local jobs = (#ARGV - 4) / 5
local counter = redis.call('INCRBY', idKey, jobs) - jobs
local result, waiting, created = {}, {}, 0
for i = 5, #ARGV, 5 do
  local id, name, data, opts, delay = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], tonumber(ARGV[i + 4])
  counter = counter + 1
  if id == '' then
    id = tostring(counter)
  end
  local isNew = id == tostring(counter) or redis.call('EXISTS', prefix .. id) == 0
  if isNew then
    redis.call('HSET', prefix .. id, 'name', name, 'data', data, 'opts', opts, 'timestamp', now,
      'delay', delay, 'priority', 0, 'rpc', 1)
    if delay > 0 then
      redis.call('ZADD', delayed, (now + delay) * 4096 + counter % 4096, id)
      event('delayed', id, 'delay', now + delay)
    else
      waiting[#waiting + 1] = id
      event('waiting', id)
    end
    created = created + 1
  end
  result[#result + 1] = id
  result[#result + 1] = isNew and 1 or 0
end

if #waiting > 0 then
  for from = 1, #waiting, 1000 do
    redis.call('LPUSH', wait, unpack(waiting, from, math.min(from + 999, #waiting)))
  end
  redis.call('ZADD', marker, 0, '0')
end
if created > 0 then
  redis.call('HINCRBY', state, 'unfinished', created)
end
return result
