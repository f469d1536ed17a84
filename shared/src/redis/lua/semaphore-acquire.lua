-- uses: waiters
--[[
  Takes a permit when one is free, under a lease; otherwise queues the caller
  as a waiter in the same step as the check, so a release that comes after
  the check always finds the waiter to wake. Permits whose lease ran out
  (their holder died) are free again.

  KEYS[1]  the semaphore: a hash { initial, extra } (extra: releases beyond acquires)
  KEYS[2]  the holders: a sorted set of permit tokens by lease end (ms)
  KEYS[3]  the waiters: a sorted set of waiter ids, by arrival (µs)
  KEYS[4]  the waiters' deadlines: a hash waiter id -> ms after which it no longer listens
  KEYS[5]  this waiter's wake-up list
  ARGV[1]  the initial value, used if the semaphore does not exist yet
  ARGV[2]  the token of the permit to take
  ARGV[3]  the lease in ms
  ARGV[4]  the waiter id
  ARGV[5]  the longest the caller will block before it checks again, in ms;
           -1 when it will not wait (any queue entry of this waiter is removed)
  ARGV[6]  the waiter's arrival from an earlier round, or '' on the first
  ARGV[7]  how long a waiter stays listed after its block ends, in ms

  Returns  {1, value}             taken; the value left
           {0, block, arrival}    none free: block up to `block` ms, then call again
                                  (`block` ends when the first holder's lease would run out)
]]
local _, nowMs = clock()

local waiter = {
  queue = KEYS[3], deadlines = KEYS[4], list = KEYS[5], id = ARGV[4], arrival = ARGV[6],
  lingerMs = tonumber(ARGV[7]),
}

if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'initial', ARGV[1], 'extra', 0)
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. nowMs)
local state = redis.call('HMGET', KEYS[1], 'initial', 'extra')
local value = tonumber(state[1]) + tonumber(state[2]) - redis.call('ZCARD', KEYS[2])
if value > 0 then
  redis.call('ZADD', KEYS[2], nowMs + tonumber(ARGV[3]), ARGV[2])
  dequeue(waiter)
  return {1, value - 1}
end

-- None free: a block ends when the first holder's lease would run out.
local block = tonumber(ARGV[5])
local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if block >= 0 and first[2] then block = math.min(block, tonumber(first[2]) - nowMs + 1) end
return queueUp(waiter, block)
