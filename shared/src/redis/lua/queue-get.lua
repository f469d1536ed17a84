--[[
  Takes the head item of a queue without waiting: getNowait.

  KEYS[1]  the main key (see queue-put.lua): the items of an open unbounded
           queue, else a string
  KEYS[2]  the guarded list (see queue-put.lua)
  KEYS[3]  the meta hash (see queue-put.lua)
  KEYS[4]  the room list (see queue-put.lua)
  ARGV[1]  the shutdown token, which shutdown leaves behind the last item

  Returns  the item's JSON, or nil when the queue is empty
  Errors   SHUTDOWN  the queue was shut down and has no items left
]]
local main, items, meta, room = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local item = false
if redis.call('TYPE', main)['ok'] == 'list' then
  item = redis.call('LPOP', main)
end
if not item then
  item = redis.call('LPOP', items)
  if item == ARGV[1] then
    redis.call('LPUSH', items, item)
    item = false
  end
  if item then
    -- Wake as many blocked putters as there are free slots (see queue-room.lua).
    local state = redis.call('HMGET', meta, 'waiting', 'maxsize')
    local waiting = tonumber(state[1] or '0')
    if waiting > 0 then
      local free = tonumber(state[2]) - redis.call('LLEN', items)
      local wanted = math.min(free, waiting) - redis.call('LLEN', room)
      for _ = 1, wanted do redis.call('RPUSH', room, '1') end
    end
  end
end
if not item then
  if redis.call('HEXISTS', meta, 'shutdown') == 1 then
    return redis.error_reply('SHUTDOWN the queue was shut down and has no items left')
  end
  return false
end
return item
