-- uses: numbers
--[[
  Adds a number to a shared value, atomically.

  KEYS[1]  the value's key
  ARGV[1]  the amount to add (decimal text of a finite double)
  ARGV[2]  the JSON of the handle's initial value, used while the key is absent

  Returns  the new value as the shortest decimal text that reads back as the
           same double, so 0.1 + 0.2 gives what JavaScript gives.
  Errors   TYPE_ERROR   the value is not a number
           VALUE_ERROR  the sum is not finite
]]
local current = redis.call('GET', KEYS[1]) or ARGV[2]
local ok, number = pcall(cjson.decode, current)
if not ok or type(number) ~= 'number' then
  return redis.error_reply('TYPE_ERROR the value holds ' .. current .. ', which is not a number')
end
local sum = number + tonumber(ARGV[1])
if not isFinite(sum) then
  return redis.error_reply('VALUE_ERROR adding ' .. ARGV[1] .. ' to ' .. current .. ' is not a finite number')
end
local text = shortestDecimal(sum)
redis.call('SET', KEYS[1], text)
return text
