--[[
  Puts back at the head of a list what a blocking pop took but could not hand
  out: items whose waiters left, and the token that says "nothing more will
  come" (a queue's shutdown, a pipe's EOF), which every later pop must see.

  KEYS[1]  the list the pop took them from
  KEYS[2]  the hash holding the flag that keeps the token alive
  KEYS[3]  where they go instead when KEYS[1] is no longer a list: a queue's
           items moved to its guarded list meanwhile (see queue-put.lua)
  ARGV[1]  the token that was taken, or '' when none was
  ARGV[2]  the token's flag field: without it the token is stale (the object
           was deleted since) and stays away
  ARGV[3..]  the items, last first (LPUSH puts the first of them at the head)

  Returns  how many entries were put back
]]
local list = KEYS[1]
if redis.call('TYPE', list)['ok'] == 'string' then list = KEYS[3] end
local count = 0
local token = ARGV[1]
if token ~= '' and redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then
  -- One token at most, and it sits at one end of the list.
  if redis.call('LINDEX', list, 0) ~= token and redis.call('LINDEX', list, -1) ~= token then
    redis.call('LPUSH', list, token)
    count = 1
  end
end
for i = 3, #ARGV do
  redis.call('LPUSH', list, ARGV[i])
  count = count + 1
end
return count
