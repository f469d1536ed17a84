--[[
  Removes and returns the item at an index, Python's list.pop(i).

  KEYS[1]  the list's key
  ARGV[1]  the index; negative counts from the end
  ARGV[2]  a placeholder that is never valid JSON, so it matches no item

  Returns  the JSON of the removed item
  Errors   INDEX_ERROR  the list is empty, or the index is out of range
]]
local length = redis.call('LLEN', KEYS[1])
if length == 0 then
  return redis.error_reply('INDEX_ERROR pop from empty list')
end
local index = tonumber(ARGV[1])
if index < 0 then index = index + length end
if index < 0 or index >= length then
  return redis.error_reply('INDEX_ERROR pop index out of range')
end
local item = redis.call('LINDEX', KEYS[1], index)
redis.call('LSET', KEYS[1], index, ARGV[2])
redis.call('LREM', KEYS[1], 1, ARGV[2])
return item
