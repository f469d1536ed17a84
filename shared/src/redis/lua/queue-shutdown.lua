-- uses: queue-guard
--[[
  Shuts a queue down (Python 3.13's Queue.shutdown): puts fail from now on,
  gets fail once the items are gone. The items of an open unbounded queue go
  under the guard (see queue-put.lua), so plain pushes to the main key fail
  from now on. Leaves a token behind the last item, so getters blocked on the
  list wake when they reach it, and one in the room list, so blocked putters
  wake and fail.

  KEYS[1]  the main key (see queue-put.lua): the items of an open unbounded
           queue, else a string
  KEYS[2]  the guarded list (see queue-put.lua)
  KEYS[3]  the meta hash (see queue-put.lua)
  KEYS[4]  the room list
  ARGV[1]  '1' to drop the items now (immediate), '0' to let them be got
  ARGV[2]  the shutdown token

  Returns  1 the first time, 0 when the queue was already shut down
]]
local main, items, meta, room, token = KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[2]
local first = redis.call('HSETNX', meta, 'shutdown', '1')
local kind = redis.call('TYPE', main)['ok']
if kind == 'list' then moveUnderGuard(main, items) end
if kind ~= 'string' then redis.call('SET', main, 'shut down') end
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
