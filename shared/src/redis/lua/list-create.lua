--[[
  Creates a list with its initial items unless it already exists, so the first
  handle to touch a shared array decides its contents, as in Python.

  KEYS[1]  the list's key
  ARGV[1]  the list's length
  ARGV[2..] the JSON of each initial item; a single one fills the whole length
           (an array of zeros need not cross the network a zero at a time)

  Returns  1 if it created the list, 0 if the list was already there (or the
           length is 0: Redis keeps no empty lists).
]]
local length = tonumber(ARGV[1])
if length == 0 or redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local fill = #ARGV == 2
-- Pushed in batches: unpack() of more than a few thousand values overflows Lua's stack.
local BATCH = 1000
for first = 1, length, BATCH do
  local batch = {}
  for i = first, math.min(first + BATCH - 1, length) do
    batch[#batch + 1] = fill and ARGV[2] or ARGV[i + 1]
  end
  redis.call('RPUSH', KEYS[1], unpack(batch))
end
return 1
