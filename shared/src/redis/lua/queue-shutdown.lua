--[[
  Shuts a queue down (Python 3.13's Queue.shutdown): puts fail from now on,
  gets fail once the items are gone. Leaves a token behind the last item, so
  getters blocked on the list wake when they reach it, and one in the room
  list, so blocked putters wake and fail.

  KEYS[1]  the items
  KEYS[2]  the meta hash (see queue-put.lua)
  KEYS[3]  the room list
  ARGV[1]  '1' to drop the items now (immediate), '0' to let them be got
  ARGV[2]  the shutdown token

  Returns  1 the first time, 0 when the queue was already shut down
]]
local items, meta, room, token = KEYS[1], KEYS[2], KEYS[3], ARGV[2]
local first = redis.call('HSETNX', meta, 'shutdown', '1')
if ARGV[1] == '1' then
  redis.call('DEL', items)
  redis.call('RPUSH', items, token)
elseif first == 1 then
  redis.call('RPUSH', items, token)
end
if first == 1 then
  redis.call('DEL', room)
  redis.call('RPUSH', room, token)
end
return first
