--[[
  The guard of a plain queue (see queue-put.lua): once bounded or shut down,
  its items live in the guarded list, and the main key holds a string.
]]

-- Moves the items of an open unbounded queue under the guard, in their order.
local function moveUnderGuard(main, items)
  if redis.call('EXISTS', items) == 0 then
    redis.call('RENAME', main, items)
  else
    while redis.call('LMOVE', main, items, 'LEFT', 'RIGHT') do end
  end
end

