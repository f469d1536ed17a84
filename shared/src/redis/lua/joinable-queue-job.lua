--[[
  Reads one job of a joinable queue with its state, as BullMQ's `getState`
  names it, in one round trip. A caller about to wait for the job's end asks
  to be told: the job is flagged, and the script that finishes it publishes
  its id (nothing is published for jobs nobody waits for).

  KEYS[1]  the job hash
  KEYS[2..5]  BullMQ's active list, and its delayed, completed and failed sorted sets
  ARGV[1]  the job id
  ARGV[2]  '1' to flag the job as waited for, when it is not finished

  Returns  nil when there is no such job; else { state, field1, value1, ... }
           with state 'completed', 'failed', 'delayed', 'active' or 'waiting'
]]
local job, id = KEYS[1], ARGV[1]
local fields = redis.call('HGETALL', job)
if #fields == 0 then
  return nil
end

local state = 'waiting'
if redis.call('ZSCORE', KEYS[4], id) then
  state = 'completed'
elseif redis.call('ZSCORE', KEYS[5], id) then
  state = 'failed'
elseif redis.call('ZSCORE', KEYS[3], id) then
  state = 'delayed'
elseif redis.call('LPOS', KEYS[2], id) then
  state = 'active'
end

if ARGV[2] == '1' and state ~= 'completed' and state ~= 'failed' then
  redis.call('HSET', job, 'rpw', 1)
end
table.insert(fields, 1, state)
return fields
