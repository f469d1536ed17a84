-- uses: jobs
--[[
  Acknowledges items (task_done): each job leaves active and is deleted (or
  kept in completed), and the unfinished count goes down by the number of
  counted jobs that really left active. An ack is taken only from the holder
  of the job's lock, or while the lock has lapsed and the job is still in
  active; a late ack of a job that has since been given to another consumer,
  or acked already, changes nothing. So no item is counted twice.

  KEYS[1]  the queue's state hash: unfinished; 'completed', the lifetime total
  KEYS[2]  BullMQ active list
  KEYS[3]  BullMQ stalled set
  KEYS[4]  BullMQ events stream
  KEYS[5]  BullMQ completed sorted set
  KEYS[6]  BullMQ meta hash (opts.maxLenEvents caps the events stream; 0 or none: no events)
  ARGV[1]  job key prefix, '<prefix>:<queue>:'
  ARGV[2]  now, in ms
  ARGV[3]  completed jobs to keep (0 deletes each job at once)
  ARGV[4]  the queue's signal channel
  ARGV[5]  job id, ARGV[6] its lock token, ARGV[7] '1' when a put counted it
           as unfinished (its field `rpc`, which the take read), and so on

  Returns  { acked, unfinished }: the jobs that left active, and the count left
  Signals  'join' on the channel when the unfinished count reaches 0
]]
local state, active, stalled, events, completed = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local prefix, now, keep = ARGV[1], ARGV[2], tonumber(ARGV[3])
local event = eventsTo(events, KEYS[6])

-- BullMQ's own stalled-job check marks jobs in a stalled set; without it
-- there is nothing to unmark.
local marked = redis.call('EXISTS', stalled) == 1

local acked, counted = 0, 0
for i = 5, #ARGV, 3 do
  local id = ARGV[i]
  local jobKey = prefix .. id
  local lock = jobKey .. ':lock'
  local left, locked = leftActive(active, lock, id, ARGV[i + 1])
  if left then
    if marked then
      redis.call('SREM', stalled, id)
    end
    if ARGV[i + 2] == '1' then
      counted = counted + 1
    end
    if keep > 0 then
      if locked then
        redis.call('DEL', lock)
      end
      redis.call('ZADD', completed, now, id)
      redis.call('HSET', jobKey, 'finishedOn', now, 'returnvalue', 'null')
      redis.call('HINCRBY', jobKey, 'atm', 1)
    else
      redis.call('DEL', jobKey, jobKey .. ':logs', lock)
    end
    event('completed', id, 'returnvalue', 'null', 'prev', 'active')
    acked = acked + 1
  end
end

if keep > 0 then
  local old = redis.call('ZREVRANGE', completed, keep, -1)
  for _, id in ipairs(old) do
    deleteJob(prefix .. id)
  end
  if #old > 0 then
    redis.call('ZREMRANGEBYRANK', completed, 0, -(keep + 1))
  end
end

if acked > 0 then
  redis.call('HINCRBY', state, 'completed', acked)
end
return { acked, finishCounted(state, ARGV[4], counted) }
