-- uses: waiters
--[[
  Lists a waiter of a condition, or renews its listing before its next block.
  A waiter lists itself while it still holds the condition's lock, and a
  notifier must hold that lock: so no notify can fall between the two.

  KEYS[1]  the waiters: a sorted set of waiter ids, by arrival (µs)
  KEYS[2]  the waiters' deadlines: a hash waiter id -> ms after which it no longer listens
  KEYS[3]  this waiter's wake-up list
  ARGV[1]  the waiter id
  ARGV[2]  the waiter's arrival from an earlier round, or '' on the first
  ARGV[3]  how long the waiter will block next, in ms
  ARGV[4]  how long a waiter stays listed after its block ends, in ms

  Returns  {1, ''}        notified between two blocks (the wake-up is taken)
           {0, arrival}   listed: block, then call again or leave
]]
local waiter = {
  queue = KEYS[1], deadlines = KEYS[2], list = KEYS[3], id = ARGV[1], arrival = ARGV[2],
  lingerMs = tonumber(ARGV[4]),
}
if waiter.arrival ~= '' and not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  if redis.call('LPOP', KEYS[3]) then
    redis.call('DEL', KEYS[3])
    return {1, ''}
  end
end
return {0, enqueue(waiter, tonumber(ARGV[3]))}
