-- uses: waiters
--[[
  Releases permits and wakes as many waiters (the oldest still listening).
  The caller's own permits are given back; the rest, as in Python, raise the
  value although nobody acquired them (a release by another process).

  KEYS[1]  the semaphore: a hash { initial, extra }
  KEYS[2]  the holders: a sorted set of permit tokens by lease end (ms)
  KEYS[3]  the waiters: a sorted set of waiter ids, by arrival
  KEYS[4]  the waiters' deadlines: a hash waiter id -> ms
  ARGV[1]  the initial value, used if the semaphore does not exist yet
  ARGV[2]  1 for a bounded semaphore
  ARGV[3]  the prefix of the waiters' wake-up lists (the waiter id completes the key)
  ARGV[4]  how many permits to release that the caller does not hold
  ARGV[5..] the tokens of the caller's permits to release

  Returns  {1, new value}  released
           {0, value}      a bounded semaphore's value would rise above its initial
                           value with the caller's own permits alone: others gave them
                           back already (release() without acquire()). Those permits are
                           dropped and the value stays as it was; the caller reports
                           SEMAPHORE_OVERFLOW, as Python would on that release.
  Errors   NOT_OWNER           a permit of the caller is no longer held: its lease ran out
           SEMAPHORE_OVERFLOW  a bounded semaphore would rise above its initial value
]]
local _, nowMs = clock()

for i = 5, #ARGV do
  local leaseEnd = redis.call('ZSCORE', KEYS[2], ARGV[i])
  if not leaseEnd or tonumber(leaseEnd) < nowMs then
    return redis.error_reply('NOT_OWNER release() of a permit whose lease ran out before it was released')
  end
end
-- Read without writing: a refused release must leave everything as it was.
local state = redis.call('HMGET', KEYS[1], 'initial', 'extra')
local initial = tonumber(state[1] or ARGV[1])
local live = redis.call('ZCOUNT', KEYS[2], nowMs, '+inf')
local value = initial + tonumber(state[2] or 0) - live
local own = #ARGV - 4
local count = own + tonumber(ARGV[4])

if ARGV[2] == '1' and value + count > initial and (own == 0 or value + own <= initial) then
  return redis.error_reply('SEMAPHORE_OVERFLOW semaphore released too many times: its value ' .. value .. ' may not rise above ' .. initial)
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'initial', ARGV[1], 'extra', 0)
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. nowMs)
if ARGV[2] == '1' and value + count > initial then
  for i = 5, #ARGV do redis.call('ZREM', KEYS[2], ARGV[i]) end
  redis.call('HINCRBY', KEYS[1], 'extra', -own)
  return {0, value}
end
for i = 5, #ARGV do redis.call('ZREM', KEYS[2], ARGV[i]) end
if tonumber(ARGV[4]) > 0 then redis.call('HINCRBY', KEYS[1], 'extra', ARGV[4]) end

-- Wake one waiter per permit.
if count > 0 then wakeOldest(KEYS[3], KEYS[4], ARGV[3], 'released', count, nowMs) end
return {1, value + count}
