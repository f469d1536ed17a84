-- uses: waiters
--[[
  Wakes up to n waiters of a condition, oldest first. notify(n) skips (and
  forgets) waiters past their deadline, which are gone or list themselves
  again; notifyAll wakes every listed waiter.

  KEYS[1]  the waiters: a sorted set of waiter ids, by arrival
  KEYS[2]  the waiters' deadlines: a hash waiter id -> ms
  ARGV[1]  how many to wake; -1 for all
  ARGV[2]  the prefix of the waiters' wake-up lists (the waiter id completes the key)

  Returns  how many waiters were woken
]]
local _, nowMs = clock()
return wakeOldest(KEYS[1], KEYS[2], ARGV[2], 'notified', tonumber(ARGV[1]), nowMs)
