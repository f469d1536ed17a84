--[[
  Takes a lock, or re-enters an rlock its owner holds. Otherwise it queues the
  caller as a waiter in the same step as the check, so a release that comes
  after the check always finds the waiter to wake.

  KEYS[1]  the hold: the string 'token|count', expiring with the holder's lease
  KEYS[2]  the fencing counter, raised by every new hold
  KEYS[3]  the waiters: a sorted set of waiter ids, by arrival (µs)
  KEYS[4]  the waiters' deadlines: a hash waiter id -> ms after which it no longer listens
  KEYS[5]  this waiter's wake-up list
           (KEYS[3..5] may be left out by a first try: ARGV[7] = -1 and ARGV[8] = '')
  ARGV[1]  the owner: the handle's id
  ARGV[2]  the token of the owner's current hold, or '' when it holds none
  ARGV[3]  1 for an rlock (its owner may re-enter), 0 for a lock
  ARGV[4]  the lease in ms
  ARGV[5]  how many levels to take: 1, or an rlock's count restored after a condition wait
  ARGV[6]  the waiter id
  ARGV[7]  the longest the caller will block before it checks again, in ms;
           -1 when it will not wait (any queue entry of this waiter is removed)
  ARGV[8]  the waiter's arrival from an earlier round, or '' on the first
  ARGV[9]  how long a waiter stays listed after its block ends, in ms

  Returns  {1, token, count}      taken: the hold's token (owner:fence) and level
           {0, block, arrival}    held by another: block up to `block` ms, then call again
                                  (`block` ends when the holder's lease would run out)
]]
-- Only a caller that waited before (it has an arrival) may be queued.
local function leaveQueue()
  if ARGV[8] == '' then return end
  redis.call('ZREM', KEYS[3], ARGV[6])
  redis.call('HDEL', KEYS[4], ARGV[6])
  redis.call('DEL', KEYS[5])
end

local hold = redis.call('GET', KEYS[1])
if not hold then
  local token = ARGV[1] .. ':' .. redis.call('INCR', KEYS[2])
  redis.call('SET', KEYS[1], token .. '|' .. ARGV[5], 'PX', ARGV[4])
  leaveQueue()
  return {1, token, tonumber(ARGV[5])}
end
local owner, count = string.match(hold, '^(.*)|(%d+)$')
if ARGV[3] == '1' and owner == ARGV[2] then
  count = tonumber(count) + tonumber(ARGV[5])
  redis.call('SET', KEYS[1], owner .. '|' .. count, 'PX', ARGV[4])
  return {1, owner, count}
end

local block = tonumber(ARGV[7])
if block < 0 then
  leaveQueue()
  return {0, 0, ''}
end
local lease = redis.call('PTTL', KEYS[1])
if lease >= 0 and lease + 1 < block then block = lease + 1 end
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local arrival = ARGV[8]
if arrival == '' then arrival = time[1] .. string.format('%06d', tonumber(time[2])) end
redis.call('ZADD', KEYS[3], 'NX', arrival, ARGV[6])
redis.call('HSET', KEYS[4], ARGV[6], nowMs + block + tonumber(ARGV[9]))
return {0, block, arrival}
