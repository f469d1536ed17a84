--[[
  The value of a semaphore: its initial value, plus releases, minus permits
  held under a live lease. Writes nothing.

  KEYS[1]  the semaphore: a hash { initial, extra }
  KEYS[2]  the holders: a sorted set of permit tokens by lease end (ms)
  ARGV[1]  the initial value, used if the semaphore does not exist yet

  Returns  the value
]]
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'initial', 'extra')
local initial = tonumber(state[1] or ARGV[1])
local extra = tonumber(state[2] or 0)
return initial + extra - redis.call('ZCOUNT', KEYS[2], nowMs, '+inf')
