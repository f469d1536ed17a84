--[[
  The job helpers of the joinable-queue scripts. Jobs are BullMQ's, plus the
  field `rpc` ("counted by redproc") on each job a put counted as unfinished:
  only those count down when they finish, so no item is counted twice.
]]

-- A function adding an event about a job to the BullMQ events stream, capped
-- at the meta hash's opts.maxLenEvents (0 or none: no events).
local function eventsTo(events, meta)
  local maxEvents = tonumber(redis.call('HGET', meta, 'opts.maxLenEvents') or '0')
  return function(name, id, ...)
    if maxEvents > 0 then
      redis.call('XADD', events, 'MAXLEN', '~', maxEvents, '*', 'event', name, 'jobId', id, ...)
    end
  end
end

-- Takes a job out of active when `token` holds its lock (at `lock`), or when
-- the lock lapsed while the job is still in active. Returns whether it was
-- there to take, and whether its lock is still there to delete.
local function leftActive(active, lock, id, token)
  local owner = redis.call('GET', lock)
  if (owner and owner ~= token) or redis.call('LREM', active, -1, id) == 0 then
    return false, false
  end
  return true, owner ~= false
end

-- Takes a job out of active for good, as leftActive does; its lock and
-- stalled mark go with it. Returns whether it was there to take.
local function leaveActive(active, stalled, prefix, id, token)
  local lock = prefix .. id .. ':lock'
  local left, locked = leftActive(active, lock, id, token)
  if not left then
    return false
  end
  if locked then
    redis.call('DEL', lock)
  end
  redis.call('SREM', stalled, id)
  return true
end

-- Whether a put counted the job as unfinished.
local function isCounted(jobKey)
  return redis.call('HEXISTS', jobKey, 'rpc') == 1
end

local function deleteJob(jobKey)
  redis.call('DEL', jobKey, jobKey .. ':logs')
end

-- Drops a job that will not run, as removed from `prev` ('waiting', 'active').
-- Returns 1 when a put counted it unfinished, else 0.
local function dropJob(prefix, id, event, prev)
  local jobKey = prefix .. id
  local counted = isCounted(jobKey) and 1 or 0
  deleteJob(jobKey)
  event('removed', id, 'prev', prev)
  return counted
end

-- Counts `counted` jobs as finished, each once, in the state hash; when none
-- is left unfinished, join() hears it on the channel. Returns the count left.
local function finishCounted(state, channel, counted)
  if counted <= 0 then
    return tonumber(redis.call('HGET', state, 'unfinished') or '0')
  end
  local left = redis.call('HINCRBY', state, 'unfinished', -counted)
  if left <= 0 then
    redis.call('PUBLISH', channel, 'join')
  end
  return left
end

