--[[
  The number of items in a queue, and its recorded bound.

  KEYS[1]  the items
  KEYS[2]  the meta hash (see queue-put.lua)
  ARGV[1]  the shutdown token, which is not an item

  Returns  { items, recorded maxsize or 0 }
]]
local size = redis.call('LLEN', KEYS[1])
if size > 0 and redis.call('LINDEX', KEYS[1], -1) == ARGV[1] then size = size - 1 end
if size > 0 and redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then size = size - 1 end
return { size, tonumber(redis.call('HGET', KEYS[2], 'maxsize') or '0') }
