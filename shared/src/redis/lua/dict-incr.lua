-- uses: numbers
--[[
  Adds a number to a dict's value, atomically: a field absent counts as 0,
  as with HINCRBYFLOAT, and the arithmetic is value.add's.

  KEYS[1]  the dict's hash
  ARGV[1]  the field
  ARGV[2]  the amount to add (decimal text of a finite double)

  Returns  the new value as the shortest decimal text that reads back as the
           same double, so 0.1 + 0.2 gives what JavaScript gives.
  Errors   TYPE_ERROR   the field holds something that is not a number
           VALUE_ERROR  the sum is not finite
]]
local current = redis.call('HGET', KEYS[1], ARGV[1]) or '0'
local ok, number = pcall(cjson.decode, current)
if not ok or type(number) ~= 'number' then
  local shown = #current <= 40 and current or (string.sub(current, 1, 40) .. '…')
  return redis.error_reply('TYPE_ERROR key ' .. cjson.encode(ARGV[1]) .. ' holds ' .. shown ..
    ', which is not a number')
end
local sum = number + tonumber(ARGV[2])
if not isFinite(sum) then
  return redis.error_reply('VALUE_ERROR adding ' .. ARGV[2] .. ' to ' .. current ..
    ' at key ' .. cjson.encode(ARGV[1]) .. ' is not a finite number')
end
local text = shortestDecimal(sum)
redis.call('HSET', KEYS[1], ARGV[1], text)
return text
