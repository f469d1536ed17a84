--[[
  Sorts a list in place by Python's rules, Python's list.sort(key, reverse):
  numbers (booleans count as 0 and 1, as Python's bool is an int) by value,
  strings by code point, arrays item by item; null and objects have no order.
  The sort is stable, also largest first. The items keep their JSON text.

  KEYS[1]  the list's key
  ARGV[1]  '1' to sort largest first, '0' smallest first
  ARGV[2]  the key as a JSON array of steps into each item: a string is an
           object's field, an integer an array's index (negative counts from
           the end); '[]' orders by the items themselves

  Returns  the list's length
  Errors   TYPE_ERROR        two keys cannot be ordered (a string and a
                             number, two nulls, two objects), or a step of
                             the key does not fit the value it meets
           KEY_ERROR         an object lacks the key's field
           INDEX_ERROR       an array is too short for the key's index
           NOT_SERIALIZABLE  an item is not JSON
]]
local descending = ARGV[1] == '1'
local path = cjson.decode(ARGV[2])

-- cjson decodes {} and [] alike, to an empty table; Python tells them apart
-- ([] orders before [1], {} orders with nothing). So each empty object,
-- outside strings, is decoded as an object with this one field.
local EMPTY_OBJECT = '{"\\u0000redproc:empty":0}'
local function markEmptyObjects(text)
  if not string.find(text, '{%s*}') then return text end
  local parts, from = {}, 1
  while true do
    local quote = string.find(text, '"', from, true)
    local plain = string.sub(text, from, quote and quote - 1 or -1)
    parts[#parts + 1] = (string.gsub(plain, '{%s*}', EMPTY_OBJECT))
    if not quote then break end
    local close = quote + 1
    while true do
      local at = string.find(text, '["\\]', close)
      if string.sub(text, at, at) == '"' then close = at break end
      close = at + 2
    end
    parts[#parts + 1] = string.sub(text, quote, close)
    from = close + 1
  end
  return table.concat(parts)
end

local function kind(value)
  local t = type(value)
  if t == 'number' or t == 'boolean' then return 'number' end
  if t == 'string' then return 'string' end
  if t == 'table' then
    local first = next(value)
    if first == nil or type(first) == 'number' then return 'array' end
    return 'object'
  end
  return 'null'
end

local function numeric(value)
  if value == true then return 1 elseif value == false then return 0 end
  return value
end

-- Python's ==: 1 == true, [1] == [1.0], objects field by field.
local function equal(a, b)
  local ka = kind(a)
  if ka ~= kind(b) then return false end
  if ka == 'number' then return numeric(a) == numeric(b) end
  if ka == 'array' then
    if #a ~= #b then return false end
    for i = 1, #a do
      if not equal(a[i], b[i]) then return false end
    end
    return true
  end
  if ka == 'object' then
    for field, value in pairs(a) do
      if b[field] == nil or not equal(value, b[field]) then return false end
    end
    for field in pairs(b) do
      if a[field] == nil then return false end
    end
    return true
  end
  return a == b
end

-- Lua's < on strings follows the server's locale; Python orders by code
-- point, which for UTF-8 text is the order of the bytes.
local function compareStrings(a, b)
  if a == b then return 0 end
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y and -1 or 1 end
  end
  return #a < #b and -1 or 1
end

local NAMES = { number = 'a number', string = 'a string', array = 'an array', object = 'an object', null = 'null' }

-- -1, 0 or 1 as Python's < orders a and b; raises TYPE_ERROR where it would.
local function compare(a, b)
  local ka, kb = kind(a), kind(b)
  if ka == kb then
    if ka == 'number' then
      local x, y = numeric(a), numeric(b)
      if x < y then return -1 elseif y < x then return 1 end
      return 0
    end
    if ka == 'string' then return compareStrings(a, b) end
    if ka == 'array' then
      for i = 1, math.min(#a, #b) do
        if not equal(a[i], b[i]) then return compare(a[i], b[i]) end
      end
      if #a == #b then return 0 end
      return #a < #b and -1 or 1
    end
  end
  error('TYPE_ERROR cannot order ' .. NAMES[ka] .. ' and ' .. NAMES[kb] ..
    ': sort() orders numbers, strings and arrays of them; sort objects by a field with { key }', 0)
end

local function keyOf(item, position)
  local value = item
  for _, step in ipairs(path) do
    local where = 'item #' .. position .. ' at key step ' .. cjson.encode(step)
    if type(step) == 'number' then
      if kind(value) ~= 'array' then
        error('TYPE_ERROR ' .. where .. ': an index needs an array, not ' .. NAMES[kind(value)], 0)
      end
      local index = step < 0 and #value + step + 1 or step + 1
      if index < 1 or index > #value then
        error('INDEX_ERROR ' .. where .. ': the array has ' .. #value .. ' items', 0)
      end
      value = value[index]
    else
      if kind(value) ~= 'object' then
        error('TYPE_ERROR ' .. where .. ': a field needs an object, not ' .. NAMES[kind(value)], 0)
      end
      if value[step] == nil then error('KEY_ERROR ' .. where .. ': no such field', 0) end
      value = value[step]
    end
  end
  return value
end

local texts = redis.call('LRANGE', KEYS[1], 0, -1)
-- Keys first, for every item, as Python computes them before it compares.
local keys = {}
for i, text in ipairs(texts) do
  local decoded, item = pcall(cjson.decode, markEmptyObjects(text))
  if not decoded then
    return redis.error_reply('NOT_SERIALIZABLE item #' .. (i - 1) ..
      ' is not JSON; was it written outside redproc?')
  end
  local found, key = pcall(keyOf, item, i - 1)
  if not found then return redis.error_reply(key) end
  keys[i] = key
end
if #texts < 2 then return #texts end

-- Keys all numbers or all strings, the usual case, compare without the
-- general rules: several times faster for a long list.
local compareKeys = compare
local first = kind(keys[1])
local uniform = first == 'number' or first == 'string'
for i = 2, #keys do
  if not uniform then break end
  uniform = kind(keys[i]) == first
end
if uniform and first == 'number' then
  for i = 1, #keys do keys[i] = numeric(keys[i]) end
  compareKeys = function(a, b)
    if a < b then return -1 elseif b < a then return 1 end
    return 0
  end
elseif uniform then
  compareKeys = compareStrings
end

local order = {}
for i = 1, #texts do order[i] = i end
local sign = descending and -1 or 1
-- table.sort is not stable: equal keys keep their order by their position.
local sorted, failure = pcall(table.sort, order, function(i, j)
  local c = compareKeys(keys[i], keys[j]) * sign
  if c ~= 0 then return c < 0 end
  return i < j
end)
if not sorted then return redis.error_reply(failure) end

redis.call('DEL', KEYS[1])
-- Pushed in batches: unpack() of more than a few thousand values overflows Lua's stack.
local BATCH = 1000
for first = 1, #order, BATCH do
  local batch = {}
  for n = first, math.min(first + BATCH - 1, #order) do
    batch[#batch + 1] = texts[order[n]]
  end
  redis.call('RPUSH', KEYS[1], unpack(batch))
end
return #order
