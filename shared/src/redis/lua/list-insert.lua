--[[
  Inserts an item before an index, Python's list.insert(i, x): an index past
  either end clamps to that end, so it never fails.

  KEYS[1]  the list's key
  ARGV[1]  the index; negative counts from the end
  ARGV[2]  the JSON of the item
  ARGV[3]  a placeholder that is never valid JSON, so it matches no item

  Returns  the list's new length
]]
local length = redis.call('LLEN', KEYS[1])
local index = tonumber(ARGV[1])
if index < 0 then index = math.max(index + length, 0) end
if index >= length then
  return redis.call('RPUSH', KEYS[1], ARGV[2])
end
if index == 0 then
  return redis.call('LPUSH', KEYS[1], ARGV[2])
end
-- Redis inserts only beside a value: mark the slot, insert before the mark,
-- then put the displaced item back where the mark now is.
local displaced = redis.call('LINDEX', KEYS[1], index)
redis.call('LSET', KEYS[1], index, ARGV[3])
redis.call('LINSERT', KEYS[1], 'BEFORE', ARGV[3], ARGV[2])
redis.call('LSET', KEYS[1], index + 1, displaced)
return length + 1
