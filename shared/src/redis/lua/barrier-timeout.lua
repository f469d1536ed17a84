-- uses: waiters
--[[
  A waiter's timeout ran out: unless its generation passed (or broke) in the
  meantime, it breaks the barrier, as in Python, and releases the others
  with 'broken'.

  KEYS[1]  the barrier: a hash { parties, count, generation, broken }
  KEYS[2]  the waiters of this generation: a sorted set of waiter ids
  KEYS[3]  this waiter's wake-up list
  ARGV[1]  the waiter id
  ARGV[2]  the prefix of the waiters' wake-up lists (the waiter id completes the key)

  Returns  'pass' or 'broken'  the outcome that reached this waiter meanwhile
           'timeout'           this waiter broke the barrier
]]
local outcome = redis.call('LPOP', KEYS[3])
if outcome then
  redis.call('DEL', KEYS[3])
  return outcome
end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  return 'broken'
end
redis.call('HSET', KEYS[1], 'broken', 1, 'count', 0)
wakeAll(KEYS[2], ARGV[2], 'broken', ARGV[1])
return 'timeout'
