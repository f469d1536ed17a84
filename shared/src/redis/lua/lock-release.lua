-- uses: waiters
--[[
  Releases one level of a hold (every level for a condition wait); when none
  is left, frees the lock and wakes the oldest waiter still listening.

  KEYS[1]  the hold: the string 'token|count'
  KEYS[2]  the waiters: a sorted set of waiter ids, by arrival
  KEYS[3]  the waiters' deadlines: a hash waiter id -> ms
  ARGV[1]  the token of the hold being released
  ARGV[2]  1 to release every level, 0 to release one
  ARGV[3]  the prefix of the waiters' wake-up lists (the waiter id completes the key)

  Returns  how many levels it released (a number: the cheapest reply)
  Errors   NOT_OWNER  the hold is not this token's: its lease ran out (and another may hold it)
]]
local owner, count = string.match(redis.call('GET', KEYS[1]) or '', '^(.*)|(%d+)$')
if owner ~= ARGV[1] then
  return redis.error_reply('NOT_OWNER release() of a lock this handle no longer holds: its lease ran out before it was released')
end
count = tonumber(count)
local released = 1
if ARGV[2] == '1' then released = count end
if count > released then
  redis.call('SET', KEYS[1], owner .. '|' .. (count - released), 'KEEPTTL')
  return released
end
redis.call('DEL', KEYS[1])

-- Wake the oldest waiter still listening; most releases find none queued.
if redis.call('EXISTS', KEYS[2]) == 1 then
  local _, nowMs = clock()
  wakeOldest(KEYS[2], KEYS[3], ARGV[3], 'released', 1, nowMs)
end
return released
