-- uses: queue-guard
--[[
  Appends items to a queue by the guarded way: a bounded queue takes as many
  as its bound leaves room for; a shut-down queue takes none.

  An open unbounded queue keeps its items in the list at its main key, where
  plain RPUSH and BLMPOP put and get them with nothing else to check. The
  first bounded put (here) or a shutdown moves them to the guarded list and
  leaves a string at the main key, so a plain push there fails (WRONGTYPE)
  and sends its caller here. Unbounded puts come here too until then, when
  their handle cannot tell (a first put of a handle that saw the string).

  KEYS[1]  the main key: the items of an open unbounded queue, else a string
  KEYS[2]  the guarded list: the items of a bounded or shut-down queue
  KEYS[3]  the meta hash: shutdown (set once shut down), maxsize (the bound,
           recorded by the first bounded put), waiting (putters blocked for room)
  KEYS[4]  the room list: one entry per freed slot a blocked putter may take
  ARGV[1]  the handle's maxsize; <= 0 is unbounded unless a bound is recorded
  ARGV[2]  0: the caller will not wait when full; 1: it will wait, so count it
           as waiting; 2: it waited and tries again (it is counted: uncount it)
  ARGV[3..]  the items' JSON, in order

  Returns  how many items were appended, from the first; fewer than given
           means the queue is full (and, with ARGV[2] > 0, the caller counts
           as waiting). With no items it only uncounts a waiting caller.
  Errors   SHUTDOWN  the queue was shut down
]]
local main, items, meta, room = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local given = #ARGV - 2
-- No putter waiting is no field: a putter that gave up leaves the hash as it found it.
if ARGV[2] == '2' and redis.call('HINCRBY', meta, 'waiting', -1) <= 0 then
  redis.call('HDEL', meta, 'waiting')
end
local state = redis.call('HMGET', meta, 'shutdown', 'maxsize')
if state[1] then
  return redis.error_reply('SHUTDOWN cannot put: the queue was shut down')
end
local maxsize = tonumber(state[2] or ARGV[1])
if maxsize <= 0 then
  if given > 0 then redis.call('RPUSH', main, unpack(ARGV, 3)) end
  return given
end
if not state[2] then
  redis.call('HSET', meta, 'maxsize', maxsize)
  -- The bound starts now: the items go under the guard, in their order.
  if redis.call('TYPE', main)['ok'] == 'list' then moveUnderGuard(main, items) end
  redis.call('SET', main, 'bounded')
end
local free = maxsize - redis.call('LLEN', items)
local count = math.max(math.min(free, given), 0)
if count > 0 then redis.call('RPUSH', items, unpack(ARGV, 3, 2 + count)) end
if count >= free then
  -- Full: entries left in the room list no longer stand for free slots.
  redis.call('DEL', room)
end
if count < given and ARGV[2] ~= '0' then redis.call('HINCRBY', meta, 'waiting', 1) end
return count
