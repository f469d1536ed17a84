-- uses: waiters
--[[
  Checks an event's flag and, when it is clear, lists the caller as a waiter
  in the same step, so a set() that comes after the check always wakes it.

  KEYS[1]  the flag: '1' while set
  KEYS[2]  the waiters: a sorted set of waiter ids by deadline (ms; +inf for none)
  ARGV[1]  the waiter id
  ARGV[2]  how long the caller will wait, in ms; -1 for as long as it takes;
           0 to check without listing
  ARGV[3]  how long a waiter stays listed after its wait ends, in ms

  Returns  1 when the flag is set, 0 when the caller is listed (or did not wait)
]]
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 1
end
local timeout = tonumber(ARGV[2])
if timeout == 0 then
  return 0
end
local _, nowMs = clock()
-- Waiters past their deadline are gone (or left by themselves).
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. nowMs)
local deadline = '+inf'
if timeout > 0 then deadline = nowMs + timeout + tonumber(ARGV[3]) end
redis.call('ZADD', KEYS[2], deadline, ARGV[1])
return 0
