--[[
  The wait protocol of the synchronization scripts. A waiter blocks on a
  wake-up list of its own (the prefix the caller gives, then the waiter id);
  a waker pushes a word on it, which expires WAKE_LIST_TTL_MS after the
  waiter stops listening, so a list nobody pops does not stay.

  Waiters are listed in a sorted set: either a fair queue (lock, semaphore,
  condition), by arrival (µs), with a hash of deadlines (ms after which a
  waiter no longer listens); or a set of waiters woken all at once (event,
  barrier).
]]

-- The server's time, as TIME gives it, and the same in ms.
local function clock()
  local time = redis.call('TIME')
  return time, tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- Pushes `word` on a wake-up list that its waiter still listens to for `listeningMs`.
local function wake(list, word, listeningMs)
  redis.call('RPUSH', list, word)
  redis.call('PEXPIRE', list, listeningMs + WAKE_LIST_TTL_MS)
end

-- Wakes every waiter of `waiters` but `except` (may be nil) with `word`, and
-- forgets them all. Returns how many were listed.
local function wakeAll(waiters, prefix, word, except)
  local ids = redis.call('ZRANGE', waiters, 0, -1)
  for _, id in ipairs(ids) do
    if id ~= except then wake(prefix .. id, word, 0) end
  end
  redis.call('DEL', waiters)
  return #ids
end

-- A waiter of a fair queue, as a script's keys and arguments name it:
-- { queue, deadlines, list (its wake-up list), id, arrival (from an earlier
-- round, or '' on the first), lingerMs (how long it stays listed after its
-- block ends) }.

-- Lists the waiter, or renews its listing, for a block of `block` ms from
-- now; a waiter keeps its place from round to round. Returns its arrival.
local function enqueue(waiter, block)
  local time, nowMs = clock()
  local arrival = waiter.arrival
  if arrival == '' then arrival = time[1] .. string.format('%06d', tonumber(time[2])) end
  redis.call('ZADD', waiter.queue, 'NX', arrival, waiter.id)
  redis.call('HSET', waiter.deadlines, waiter.id, nowMs + block + waiter.lingerMs)
  return arrival
end

-- Takes the waiter off the queue, with what its wake-up list holds. Only a
-- waiter that waited before (it has an arrival) may be queued.
local function dequeue(waiter)
  if waiter.arrival == '' then return end
  redis.call('ZREM', waiter.queue, waiter.id)
  redis.call('HDEL', waiter.deadlines, waiter.id)
  redis.call('DEL', waiter.list)
end

-- The answer to a waiter that did not get what it asked for: {0, 0, ''} when
-- it will not wait (`block` < 0: it leaves the queue), else it is listed and
-- told {0, block, arrival}: block up to `block` ms, then ask again.
local function queueUp(waiter, block)
  if block < 0 then
    dequeue(waiter)
    return {0, 0, ''}
  end
  return {0, block, enqueue(waiter, block)}
end

-- Wakes up to `limit` waiters of a fair queue (-1: all), oldest first, with
-- `word`. Unless all are woken, a waiter past its deadline is dropped, not
-- counted: it checks again by itself (or is gone). Returns how many were woken.
local function wakeOldest(queue, deadlines, prefix, word, limit, nowMs)
  local woken = 0
  while limit < 0 or woken < limit do
    local id = redis.call('ZPOPMIN', queue)[1]
    if not id then break end
    local deadline = tonumber(redis.call('HGET', deadlines, id))
    redis.call('HDEL', deadlines, id)
    if deadline and (limit < 0 or deadline >= nowMs) then
      wake(prefix .. id, word, math.max(deadline - nowMs, 0))
      woken = woken + 1
    end
  end
  return woken
end

