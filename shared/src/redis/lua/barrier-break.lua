-- uses: waiters
--[[
  abort() or reset() a barrier: every waiter is released with 'broken'.
  abort leaves the barrier broken; reset makes it whole and empty again.

  KEYS[1]  the barrier: a hash { parties, count, generation, broken }
  KEYS[2]  the waiters of this generation: a sorted set of waiter ids
  ARGV[1]  the number of parties, used if the barrier does not exist yet
  ARGV[2]  'abort' or 'reset'
  ARGV[3]  the prefix of the waiters' wake-up lists (the waiter id completes the key)

  Returns  how many waiters were released
]]
redis.call('HSETNX', KEYS[1], 'parties', ARGV[1])
redis.call('HSETNX', KEYS[1], 'generation', 0)
if ARGV[2] == 'abort' then
  redis.call('HSET', KEYS[1], 'broken', 1, 'count', 0)
else
  redis.call('HSET', KEYS[1], 'broken', 0, 'count', 0)
  redis.call('HINCRBY', KEYS[1], 'generation', 1)
end
return wakeAll(KEYS[2], ARGV[3], 'broken')
