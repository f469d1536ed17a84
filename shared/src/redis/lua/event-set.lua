-- uses: waiters
--[[
  Sets an event's flag and wakes every listed waiter.

  KEYS[1]  the flag: '1' while set
  KEYS[2]  the waiters: a sorted set of waiter ids by deadline (ms)
  ARGV[1]  the prefix of the waiters' wake-up lists (the waiter id completes the key)

  Returns  how many waiters were woken
]]
redis.call('SET', KEYS[1], '1')
return wakeAll(KEYS[2], ARGV[1], 'set')
