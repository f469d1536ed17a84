--[[
  The number of items in a queue, and its recorded bound.

  KEYS[1]  the main key (see queue-put.lua): the items of an open unbounded
           queue, else a string
  KEYS[2]  the guarded list (see queue-put.lua)
  KEYS[3]  the meta hash (see queue-put.lua)
  ARGV[1]  the shutdown token, which is not an item

  Returns  { items, recorded maxsize or 0 }
]]
local main, items, meta = KEYS[1], KEYS[2], KEYS[3]
local size = redis.call('LLEN', items)
if size > 0 and redis.call('LINDEX', items, -1) == ARGV[1] then size = size - 1 end
if size > 0 and redis.call('LINDEX', items, 0) == ARGV[1] then size = size - 1 end
if redis.call('TYPE', main)['ok'] == 'list' then size = size + redis.call('LLEN', main) end
return { size, tonumber(redis.call('HGET', meta, 'maxsize') or '0') }
