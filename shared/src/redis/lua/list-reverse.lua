--[[
  Reverses a list in place, Python's list.reverse().

  KEYS[1]  the list's key

  Returns  the list's length
]]
local texts = redis.call('LRANGE', KEYS[1], 0, -1)
if #texts < 2 then return #texts end
redis.call('DEL', KEYS[1])
-- LPUSH of items in their order leaves them reversed; in batches, as
-- unpack() of more than a few thousand values overflows Lua's stack.
local BATCH = 1000
for first = 1, #texts, BATCH do
  redis.call('LPUSH', KEYS[1], unpack(texts, first, math.min(first + BATCH - 1, #texts)))
end
return #texts
