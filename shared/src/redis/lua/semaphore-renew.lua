--[[
  Extends the lease of one permit, if it is still held.

  KEYS[1]  the holders: a sorted set of permit tokens by lease end (ms)
  ARGV[1]  the permit's token
  ARGV[2]  the lease in ms

  Returns  1 when extended, 0 when the permit's lease had run out
]]
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local leaseEnd = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not leaseEnd or tonumber(leaseEnd) < nowMs then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
redis.call('ZADD', KEYS[1], 'XX', nowMs + tonumber(ARGV[2]), ARGV[1])
return 1
