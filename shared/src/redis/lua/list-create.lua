--[[
  Creates a list with its initial items unless it already exists, so the first
  handle to touch a shared array decides its contents, as in Python.

  KEYS[1]  the list's key
  ARGV     the JSON of each initial item

  Returns  1 if it created the list, 0 if the list was already there (or ARGV
           is empty: Redis keeps no empty lists).
]]
if #ARGV == 0 or redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('RPUSH', KEYS[1], unpack(ARGV))
return 1
