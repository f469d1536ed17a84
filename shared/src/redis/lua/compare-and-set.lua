--[[
  Writes or deletes one stored JSON text only if it still is the version the
  caller read: HTTP's If-Match / If-None-Match, which a Manager proxy lacks.
  A version (ETag) is the SHA-1 of the stored text, so it needs no counter
  and matches whatever wrote the text.

  KEYS[1]  the object: a hash (a dict's key) or a string (a value)
  ARGV[1]  the hash field, or '' for a string key
  ARGV[2]  1 when KEYS[1] is a hash, 0 for a string
  ARGV[3]  the expected version: a SHA-1 hex, '*' for any present text,
           '-' for none present
  ARGV[4]  the new JSON text, or '' to delete (never valid JSON)

  Returns  {1, version}   written (the new text's version) or deleted ('')
           {0, version}   the precondition failed: the current version, '' when absent
]]
local hash = ARGV[2] == '1'
local current
if hash then current = redis.call('HGET', KEYS[1], ARGV[1]) else current = redis.call('GET', KEYS[1]) end
local version = ''
if current then version = redis.sha1hex(current) end

local expected = ARGV[3]
local matches
if expected == '*' then matches = current ~= false
elseif expected == '-' then matches = current == false
else matches = version == expected end
if not matches then return {0, version} end

if ARGV[4] == '' then
  if hash then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('DEL', KEYS[1]) end
  return {1, ''}
end
if hash then redis.call('HSET', KEYS[1], ARGV[1], ARGV[4]) else redis.call('SET', KEYS[1], ARGV[4]) end
return {1, redis.sha1hex(ARGV[4])}
