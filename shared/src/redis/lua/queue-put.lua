--[[
  Appends items to a queue, as many as its bound leaves room for.

  KEYS[1]  the items (a list; gets pop from the head)
  KEYS[2]  the meta hash: shutdown (set once shut down), maxsize (the bound,
           recorded by the first bounded put), waiting (putters blocked for room)
  KEYS[3]  the room list: one entry per freed slot a blocked putter may take
  ARGV[1]  the handle's maxsize; <= 0 is unbounded unless a bound is recorded
  ARGV[2]  0: the caller will not wait when full; 1: it will wait, so count it
           as waiting; 2: it waited and tries again (it is counted: uncount it)
  ARGV[3..]  the items' JSON, in order

  Returns  how many items were appended, from the first; fewer than given
           means the queue is full (and, with ARGV[2] > 0, the caller counts
           as waiting). With no items it only uncounts a waiting caller.
  Errors   SHUTDOWN  the queue was shut down
]]
local items, meta, room = KEYS[1], KEYS[2], KEYS[3]
local given = #ARGV - 2
if ARGV[2] == '2' and redis.call('HINCRBY', meta, 'waiting', -1) < 0 then
  redis.call('HSET', meta, 'waiting', 0)
end
local state = redis.call('HMGET', meta, 'shutdown', 'maxsize')
if state[1] then
  return redis.error_reply('SHUTDOWN cannot put: the queue was shut down')
end
local maxsize = tonumber(state[2] or ARGV[1])
if maxsize <= 0 then
  if given > 0 then redis.call('RPUSH', items, unpack(ARGV, 3)) end
  return given
end
if not state[2] then redis.call('HSET', meta, 'maxsize', maxsize) end
local free = maxsize - redis.call('LLEN', items)
local count = math.max(math.min(free, given), 0)
if count > 0 then redis.call('RPUSH', items, unpack(ARGV, 3, 2 + count)) end
if count >= free then
  -- Full: entries left in the room list no longer stand for free slots.
  redis.call('DEL', room)
end
if count < given and ARGV[2] ~= '0' then redis.call('HINCRBY', meta, 'waiting', 1) end
return count
