--[[
  Sends one message from one end of a pipe to the other.

  KEYS[1]  the pipe's meta hash: duplex ('1' or '0', fixed by the first send
           or close), closed0 / closed1 (set when that end was closed)
  KEYS[2]  the receiving end's inbox (a list)
  ARGV[1]  the sending end: '0' or '1'
  ARGV[2]  '1' when the sender's handle sees the pipe as duplex, else '0'
  ARGV[3]  the message

  Returns  the number of messages waiting in the inbox
  Errors   VALUE_ERROR  the handle and the pipe disagree on duplex (a handle
                        refuses to send from end 0 of a one-way pipe itself),
                        or the sending end was closed
           EOF          the receiving end was closed (a broken pipe)
]]
local meta, inbox, sender = KEYS[1], KEYS[2], ARGV[1]
local duplex = redis.call('HGET', meta, 'duplex')
if not duplex then
  duplex = ARGV[2]
  redis.call('HSET', meta, 'duplex', duplex)
elseif duplex ~= ARGV[2] then
  local modes = { ['1'] = 'duplex', ['0'] = 'one-way' }
  return redis.error_reply('VALUE_ERROR the pipe is ' .. modes[duplex] .. ' but this handle opened it as '
    .. modes[ARGV[2]] .. '; open every end with the same duplex option')
end
if redis.call('HEXISTS', meta, 'closed' .. sender) == 1 then
  return redis.error_reply('VALUE_ERROR cannot send: this end was closed')
end
local receiver = sender == '0' and '1' or '0'
if redis.call('HEXISTS', meta, 'closed' .. receiver) == 1 then
  return redis.error_reply('EOF cannot send: the other end was closed (broken pipe)')
end
return redis.call('RPUSH', inbox, ARGV[3])
