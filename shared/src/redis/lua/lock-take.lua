--[[
  The first try of an acquire by a handle that holds nothing: takes the lock
  if it is free, touching neither the waiters nor the clock. A caller that finds it held and will wait goes on with
  lock-acquire, which queues it in the same step as its check.

  KEYS[1]  the hold: the string 'token|count', expiring with the holder's lease
  KEYS[2]  the fencing counter, raised by every new hold
  ARGV[1]  the owner: the handle's id
  ARGV[2]  the lease in ms
  ARGV[3]  how many levels to take

  Returns  the fence of the new hold, whose token is 'owner:fence'; 0 when
           another holds it (a number, not a table: the cheapest reply to
           build and to read). A refused try writes nothing, the fence
           included: a try given up leaves Redis as it found it.
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. fence .. '|' .. ARGV[3], 'PX', ARGV[2])
return fence
