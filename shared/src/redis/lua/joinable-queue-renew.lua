--[[
  Renews the leases of the items one consumer handle holds: each lock that
  still holds the handle's token lives another lease; a lock that lapsed, or
  that another consumer holds now, is left alone and reported lost, so the
  handle stops renewing it (its ack will be refused if someone else has it).

  KEYS[i]    the lock of the i-th job, '<prefix>:<queue>:<id>:lock'
  ARGV[1]    the lease, in ms
  ARGV[i+1]  the token the i-th lock should hold

  Returns  the positions i (from 1) of the locks no longer held under their token
  Errors   VALUE_ERROR  the lease is not a positive whole number of ms, or
                        there is not one token per lock (nothing is renewed)
]]
local lease = tonumber(ARGV[1])
if not lease or lease < 1 or lease % 1 ~= 0 then
  return redis.error_reply('VALUE_ERROR the lease must be a positive whole number of ms, not ' .. ARGV[1])
end
if #ARGV ~= #KEYS + 1 then
  return redis.error_reply('VALUE_ERROR ' .. #KEYS .. ' locks need ' .. #KEYS .. ' tokens, not ' .. (#ARGV - 1))
end

local lost = {}
for i, lock in ipairs(KEYS) do
  if redis.call('GET', lock) == ARGV[i + 1] then
    redis.call('PEXPIRE', lock, lease)
  else
    lost[#lost + 1] = i
  end
end
return lost
