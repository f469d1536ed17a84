--[[
  Wakes up to n waiters of a condition, oldest first. notify(n) skips (and
  forgets) waiters past their deadline, which are gone or list themselves
  again; notifyAll wakes every listed waiter.

  KEYS[1]  the waiters: a sorted set of waiter ids, by arrival
  KEYS[2]  the waiters' deadlines: a hash waiter id -> ms
  ARGV[1]  how many to wake; -1 for all
  ARGV[2]  the prefix of the waiters' wake-up lists (the waiter id completes the key)

  Returns  how many waiters were woken
]]
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local limit = tonumber(ARGV[1])
local woken = 0
while limit < 0 or woken < limit do
  local popped = redis.call('ZPOPMIN', KEYS[1])
  local id = popped[1]
  if not id then break end
  local deadline = tonumber(redis.call('HGET', KEYS[2], id))
  redis.call('HDEL', KEYS[2], id)
  if deadline and (limit < 0 or deadline >= nowMs) then
    local list = ARGV[2] .. id
    redis.call('RPUSH', list, 'notified')
    redis.call('PEXPIRE', list, math.max(deadline - nowMs, 0) + 60000)
    woken = woken + 1
  end
end
return woken
