--[[
  Closes one end of a pipe, for every process that opened it. Its unread
  messages are dropped; the other end reads what was sent to it, then EOF.
  Once both ends are closed the pipe is over and its keys are deleted, so the
  name may serve a new pipe.

  KEYS[1]  the pipe's meta hash (see pipe-send.lua)
  KEYS[2]  this end's inbox
  KEYS[3]  the other end's inbox
  ARGV[1]  this end: '0' or '1'
  ARGV[2]  '1' when the handle sees the pipe as duplex, else '0'
  ARGV[3]  the EOF token, left behind the last message of the other end
  ARGV[4]  the closed token, which wakes this end's other receivers

  Returns  1 when this call closed the end, 0 when it was closed already
]]
local meta, mine, theirs, this = KEYS[1], KEYS[2], KEYS[3], ARGV[1]
local other = this == '0' and '1' or '0'
if redis.call('HEXISTS', meta, 'closed' .. this) == 1 then return 0 end
if redis.call('HEXISTS', meta, 'closed' .. other) == 1 then
  redis.call('DEL', meta, mine, theirs)
  return 1
end
local duplex = redis.call('HGET', meta, 'duplex') or ARGV[2]
redis.call('HSET', meta, 'duplex', duplex, 'closed' .. this, '1')
redis.call('DEL', mine)
-- Receivers of this end, in other processes, wake and learn it is closed.
if duplex == '1' or this == '0' then redis.call('RPUSH', mine, ARGV[4]) end
-- The other end can read what is left, then EOF (in a one-way pipe only end 0 reads).
if duplex == '1' or other == '0' then redis.call('RPUSH', theirs, ARGV[3]) end
return 1
