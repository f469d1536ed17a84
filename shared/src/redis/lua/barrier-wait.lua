-- uses: waiters
--[[
  One party arrives at a barrier. The last of `parties` to arrive starts the
  next generation and releases the others; the rest are listed as waiters.

  KEYS[1]  the barrier: a hash { parties, count, generation, broken }
  KEYS[2]  the waiters of this generation: a sorted set of waiter ids by deadline (ms)
  ARGV[1]  the number of parties
  ARGV[2]  the waiter id
  ARGV[3]  how long the caller will wait, in ms; -1 for as long as it takes
  ARGV[4]  the prefix of the waiters' wake-up lists (the waiter id completes the key)

  Returns  {index, 1}  the last to arrive: every waiter of the generation is released
           {index, 0}  listed: wait for 'pass' or 'broken' on the wake-up list
  Errors   VALUE_ERROR     the barrier exists with another number of parties
           BROKEN_BARRIER  the barrier is broken (aborted, or a wait timed out) and not reset
]]
local parties = redis.call('HGET', KEYS[1], 'parties')
if not parties then
  redis.call('HSET', KEYS[1], 'parties', ARGV[1], 'count', 0, 'generation', 0, 'broken', 0)
elseif parties ~= ARGV[1] then
  return redis.error_reply('VALUE_ERROR the barrier has ' .. parties .. ' parties, not ' .. ARGV[1])
end
if redis.call('HGET', KEYS[1], 'broken') == '1' then
  return redis.error_reply('BROKEN_BARRIER the barrier is broken: reset() it before waiting again')
end
local index = redis.call('HINCRBY', KEYS[1], 'count', 1) - 1
if index + 1 >= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'count', 0)
  redis.call('HINCRBY', KEYS[1], 'generation', 1)
  wakeAll(KEYS[2], ARGV[4], 'pass')
  return {index, 1}
end
local deadline = '+inf'
if tonumber(ARGV[3]) >= 0 then
  local _, nowMs = clock()
  deadline = nowMs + tonumber(ARGV[3])
end
redis.call('ZADD', KEYS[2], deadline, ARGV[2])
return {index, 0}
