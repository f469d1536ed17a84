-- uses: jobs
--[[
  Finishes jobs consumers ran, each with its outcome, the way BullMQ's
  `moveToFinished` does: the result (`returnvalue`) or the error
  (`failedReason`, `stacktrace`) goes into the job hash; a failed job with
  attempts left goes back to wait, or to delayed for its backoff; otherwise
  the job leaves active for completed or failed (kept as its removeOnComplete
  / removeOnFail say, else as the consumer's default says) and counts as done
  for join(), as an ack does. The totals and run-time counters of the state
  hash are written once per call, whatever the number of jobs. Only the holder of the job's lock may finish it (or anyone
  while the lock has lapsed and the job is still in active), so a consumer
  whose lease was lost changes nothing: the job is someone else's now.

  KEYS[1]  the queue's state hash: unfinished; the lifetime totals 'completed' and
           'failed'; 'ms<=B', the finished runs that took at most B ms, and 'ms',
           the time all runs took
  KEYS[2]  BullMQ active list
  KEYS[3]  BullMQ stalled set
  KEYS[4]  BullMQ wait list
  KEYS[5]  BullMQ delayed sorted set
  KEYS[6]  BullMQ completed sorted set
  KEYS[7]  BullMQ failed sorted set
  KEYS[8]  BullMQ events stream
  KEYS[9]  BullMQ marker
  KEYS[10] BullMQ meta hash (opts.maxLenEvents caps the events stream; 0 or none: no events)
  ARGV[1]  job key prefix, '<prefix>:<queue>:'
  ARGV[2]  now, in ms
  ARGV[3]  the queue's signal channel ('join' when the unfinished count reaches 0)
  ARGV[4]  the queue's finished channel (the job id, when someone waits for the job)
  ARGV[5]  the upper bounds of the run-time buckets, in ms, ascending, comma-separated
  ARGV[6..] seven per job: its id; its lock token; 'completed' or 'failed';
           completed: the result as JSON, failed: the error message; failed:
           the error code (UNKNOWN_TASK, REMOTE_TASK_FAILED …); failed: the
           stack trace ('' when none); the finished jobs kept when the job's
           options do not say (0: removed at once)

  Returns  for each job in order: 'completed', 'failed', 'retrying' (back in
           wait or delayed), or 'lost' (not held under this token: nothing
           changed for it)
]]
local state, active, stalled, wait, delayed = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local completed, failed, events, marker = KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local prefix, now = ARGV[1], tonumber(ARGV[2])
local event = eventsTo(events, KEYS[10])
local bounds = {}
for bound in string.gmatch(ARGV[5], '[^,]+') do
  bounds[#bounds + 1] = bound
end

-- What the finished jobs add to the state hash: field -> increment.
local tally, counted = {}, 0
local function add(field, by)
  tally[field] = (tally[field] or 0) + by
end

-- Finishes one job; returns where it went. `message` is the result as JSON
-- for a completed job, the error message for a failed one.
local function finish(id, token, outcome, message, code, stack, keepByDefault)
  local jobKey = prefix .. id
  local lock = jobKey .. ':lock'

  local left, locked = leftActive(active, lock, id, token)
  if not left then
    return 'lost'
  end
  redis.call('SREM', stalled, id)

  -- What the job says of itself, in one read; attemptsMade is written with the
  -- other fields below (not at all when the job is removed now).
  local job = redis.call('HMGET', jobKey, 'opts', 'atm', 'rpw', 'rpc', 'processedOn')
  local ok, opts = pcall(cjson.decode, job[1] or '{}')
  if not ok or type(opts) ~= 'table' then
    opts = {}
  end
  local made = (tonumber(job[2]) or 0) + 1

  if outcome == 'failed' then
    local traces = {}
    if stack ~= '' then
      local okTraces, old = pcall(cjson.decode, redis.call('HGET', jobKey, 'stacktrace') or '[]')
      if okTraces and type(old) == 'table' then
        traces = old
      end
      traces[#traces + 1] = stack
      while #traces > 10 do
        table.remove(traces, 1)
      end
    end
    redis.call('HSET', jobKey, 'failedReason', message, 'rpcode', code,
      'stacktrace', #traces > 0 and cjson.encode(traces) or '[]', 'atm', made)

    local attempts = tonumber(opts.attempts) or 1
    if made < attempts then
      if locked then
        redis.call('DEL', lock)
      end
      local backoff = opts.backoff
      local delay = 0
      if type(backoff) == 'number' then
        delay = backoff
      elseif type(backoff) == 'table' then
        delay = tonumber(backoff.delay) or 0
        if backoff.type == 'exponential' then
          delay = math.floor(2 ^ (made - 1) * delay + 0.5)
        end
      end
      if delay > 0 then
        redis.call('ZADD', delayed, (now + delay) * 4096 + (tonumber(id) or 0) % 4096, id)
        redis.call('HSET', jobKey, 'delay', delay)
        event('delayed', id, 'delay', now + delay, 'prev', 'active')
      else
        redis.call('LPUSH', wait, id)
        redis.call('ZADD', marker, 0, '0')
        event('waiting', id, 'prev', 'active')
      end
      return 'retrying'
    end
  end

  -- Final: kept or removed as the job's options (or the consumer's default) say.
  local set, keep = completed, opts.removeOnComplete
  if outcome == 'failed' then
    set = failed
    if opts.removeOnFail ~= nil then
      keep = opts.removeOnFail
    end
  end
  local removeNow, maxCount, maxAgeMs = false, nil, nil
  if keep == true then
    removeNow = true
  elseif type(keep) == 'number' then
    maxCount = keep
  elseif type(keep) == 'table' then
    maxCount = tonumber(keep.count)
    if keep.age then
      maxAgeMs = tonumber(keep.age) * 1000
    end
  elseif keep == nil then
    maxCount = tonumber(keepByDefault)
  end
  if maxCount == 0 then
    removeNow = true
  end

  if outcome == 'completed' then
    event('completed', id, 'returnvalue', message, 'prev', 'active')
  else
    event('failed', id, 'failedReason', message, 'prev', 'active')
  end
  if job[3] then
    redis.call('PUBLISH', ARGV[4], id)
  end
  add(outcome, 1)
  local ran = now - (tonumber(job[5]) or now)
  local bucket = 'inf'
  for _, bound in ipairs(bounds) do
    if ran <= tonumber(bound) then
      bucket = bound
      break
    end
  end
  add('ms<=' .. bucket, 1)
  add('ms', ran)
  if removeNow then
    redis.call('DEL', jobKey, jobKey .. ':logs', lock)
  else
    if locked then
      redis.call('DEL', lock)
    end
    if outcome == 'completed' then
      redis.call('HSET', jobKey, 'returnvalue', message, 'finishedOn', now, 'atm', made)
    else
      redis.call('HSET', jobKey, 'finishedOn', now)
    end
    redis.call('ZADD', set, now, id)
    -- Trim old jobs of the set, a bounded number per call so the script stays short.
    local old = {}
    if maxAgeMs then
      old = redis.call('ZRANGEBYSCORE', set, '-inf', now - maxAgeMs, 'LIMIT', 0, 1000)
    end
    if maxCount then
      local extra = redis.call('ZCARD', set) - #old - maxCount
      if extra > 0 then
        for _, oldId in ipairs(redis.call('ZRANGE', set, #old, #old + math.min(extra, 1000) - 1)) do
          old[#old + 1] = oldId
        end
      end
    end
    for _, oldId in ipairs(old) do
      deleteJob(prefix .. oldId)
    end
    if #old > 0 then
      redis.call('ZREM', set, unpack(old))
    end
  end

  if job[4] then
    counted = counted + 1
  end
  return outcome
end

local outcomes = {}
for i = 6, #ARGV, 7 do
  outcomes[#outcomes + 1] = finish(unpack(ARGV, i, i + 6))
end
-- Totals and run times outlive the jobs, which retention removes: rates and
-- durations stay readable whatever the queue keeps.
for field, by in pairs(tally) do
  redis.call('HINCRBY', state, field, by)
end
finishCounted(state, ARGV[3], counted)
return outcomes
