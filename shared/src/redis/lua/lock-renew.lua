--[[
  Extends a holder's lease, if the hold is still its own.

  KEYS[1]  the hold: the string 'token|count'
  ARGV[1]  the holder's token
  ARGV[2]  the lease in ms

  Returns  1 when extended, 0 when the hold is no longer this token's
]]
local owner = string.match(redis.call('GET', KEYS[1]) or '', '^(.*)|%d+$')
if owner ~= ARGV[1] then
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
