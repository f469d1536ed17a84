--[[
  A lock's hold: the string 'owner:fence|count' under the holder's lease.
]]

-- Takes the hold when it is free, with a new fencing token, or re-enters an
-- rlock its owner holds. `try` is { hold, fence (the counter's key), owner,
-- current (the token of the owner's hold, or ''), reentrant ('1' or '0'),
-- leaseMs, levels }. Returns the new hold's fence and count; false and the
-- count after a re-entry; nil when another holds it.
local function takeHold(try)
  local hold = redis.call('GET', try.hold)
  if not hold then
    local fence = redis.call('INCR', try.fence)
    redis.call('SET', try.hold, try.owner .. ':' .. fence .. '|' .. try.levels, 'PX', try.leaseMs)
    return fence, tonumber(try.levels)
  end
  local owner, count = string.match(hold, '^(.*)|(%d+)$')
  if try.reentrant == '1' and owner == try.current then
    count = tonumber(count) + tonumber(try.levels)
    redis.call('SET', try.hold, owner .. '|' .. count, 'PX', try.leaseMs)
    return false, count
  end
  return nil
end
