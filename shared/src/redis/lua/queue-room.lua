--[[
  After items left a bounded queue: wakes as many blocked putters as there
  are free slots, by leaving an entry per slot in the room list they block on.
  Run after each blocking pop from the guarded list; for a queue nobody waits
  to put into, it reads the meta hash and returns.

  KEYS[1]  the guarded list (see queue-put.lua)
  KEYS[2]  the meta hash (see queue-put.lua)
  KEYS[3]  the room list

  Returns  how many entries it added to the room list
]]
local items, meta, room = KEYS[1], KEYS[2], KEYS[3]
local state = redis.call('HMGET', meta, 'waiting', 'maxsize', 'shutdown')
local waiting = tonumber(state[1] or '0')
if waiting <= 0 or state[3] then return 0 end
local free = tonumber(state[2]) - redis.call('LLEN', items)
local wanted = math.min(free, waiting) - redis.call('LLEN', room)
for _ = 1, wanted do redis.call('RPUSH', room, '1') end
return math.max(wanted, 0)
