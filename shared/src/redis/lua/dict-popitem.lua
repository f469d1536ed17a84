--[[
  Removes and returns one pair of a dict, Python's dict.popitem(): the last
  one in HSCAN's order, which for a hash small enough to keep its insertion
  order (Redis's listpack encoding) is the last inserted, as in Python.

  KEYS[1]  the dict's hash

  Returns  {field, JSON text of its value}
  Errors   KEY_ERROR  the dict is empty
]]
local cursor = '0'
repeat
  local page = redis.call('HSCAN', KEYS[1], cursor, 'COUNT', 100)
  cursor = page[1]
  local flat = page[2]
  if #flat > 0 then
    local field = flat[#flat - 1]
    redis.call('HDEL', KEYS[1], field)
    return { field, flat[#flat] }
  end
until cursor == '0'
return redis.error_reply('KEY_ERROR popitem(): dictionary is empty')
