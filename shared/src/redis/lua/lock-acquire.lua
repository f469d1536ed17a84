-- uses: waiters
--[[
  Takes a lock, or re-enters an rlock its owner holds. Otherwise it queues the
  caller as a waiter in the same step as the check, so a release that comes
  after the check always finds the waiter to wake. (A handle that holds
  nothing tries lock-take first, which leaves the waiters alone.)

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
local waiter = {
  queue = KEYS[3], deadlines = KEYS[4], list = KEYS[5], id = ARGV[6], arrival = ARGV[8],
  lingerMs = tonumber(ARGV[9]),
}

local hold = redis.call('GET', KEYS[1])
if not hold then
  local token = ARGV[1] .. ':' .. redis.call('INCR', KEYS[2])
  redis.call('SET', KEYS[1], token .. '|' .. ARGV[5], 'PX', ARGV[4])
  dequeue(waiter)
  return {1, token, tonumber(ARGV[5])}
end
local owner, count = string.match(hold, '^(.*)|(%d+)$')
if ARGV[3] == '1' and owner == ARGV[2] then
  count = tonumber(count) + tonumber(ARGV[5])
  redis.call('SET', KEYS[1], owner .. '|' .. count, 'PX', ARGV[4])
  dequeue(waiter)
  return {1, owner, count}
end

-- Held by another: a block ends when the holder's lease would run out.
local block = tonumber(ARGV[7])
local lease = redis.call('PTTL', KEYS[1])
if block >= 0 and lease >= 0 and lease + 1 < block then block = lease + 1 end
return queueUp(waiter, block)
