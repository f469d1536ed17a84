--[[
  A lock's hold: the string 'owner:fence|count' under the holder's lease.
]]

-- Takes the hold when it is free, with a new fencing token, or re-enters an
-- rlock its owner holds. It reads the keys and arguments lock-take and
-- lock-acquire both begin with: KEYS[1] the hold, KEYS[2] the fencing
-- counter; ARGV[1] the owner, ARGV[2] the token of its hold (or ''),
-- ARGV[3] '1' for an rlock, ARGV[4] the lease in ms, ARGV[5] the levels.
-- Returns the new hold's fence and count; false and the count after a
-- re-entry; nil when another holds it.
local function takeHold()
  local hold = redis.call('GET', KEYS[1])
  if not hold then
    local fence = redis.call('INCR', KEYS[2])
    redis.call('SET', KEYS[1], ARGV[1] .. ':' .. fence .. '|' .. ARGV[5], 'PX', ARGV[4])
    return fence, tonumber(ARGV[5])
  end
  local owner, count = string.match(hold, '^(.*)|(%d+)$')
  if ARGV[3] == '1' and owner == ARGV[2] then
    count = tonumber(count) + tonumber(ARGV[5])
    redis.call('SET', KEYS[1], owner .. '|' .. count, 'PX', ARGV[4])
    return false, count
  end
  return nil
end
