--[[
  Releases one level of a hold (every level for a condition wait); when none
  is left, frees the lock and wakes the oldest waiter still listening.

  KEYS[1]  the hold: the string 'token|count'
  KEYS[2]  the waiters: a sorted set of waiter ids, by arrival
  KEYS[3]  the waiters' deadlines: a hash waiter id -> ms
  ARGV[1]  the token of the hold being released
  ARGV[2]  1 to release every level, 0 to release one
  ARGV[3]  the prefix of the waiters' wake-up lists (the waiter id completes the key)

  Returns  {levels still held, levels released}
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
  return {count - released, released}
end
redis.call('DEL', KEYS[1])

-- Wake the oldest waiter still listening; one past its deadline is dropped,
-- as it checks again by itself (or is gone).
local nowMs
while true do
  local popped = redis.call('ZPOPMIN', KEYS[2])
  local id = popped[1]
  if not id then break end
  if not nowMs then
    local time = redis.call('TIME')
    nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  end
  local deadline = tonumber(redis.call('HGET', KEYS[3], id))
  redis.call('HDEL', KEYS[3], id)
  if deadline and deadline >= nowMs then
    local list = ARGV[3] .. id
    redis.call('RPUSH', list, 'released')
    redis.call('PEXPIRE', list, deadline - nowMs + 60000)
    break
  end
end
return {0, released}
