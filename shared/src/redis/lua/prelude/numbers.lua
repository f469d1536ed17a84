--[[
  value.add's arithmetic, shared by the shared value and the dict's incr.
]]

-- The shortest decimal text that reads back as the same double, so that
-- 0.1 + 0.2 gives what JavaScript gives.
local function shortestDecimal(number)
  local text
  for _, format in ipairs({ '%.15g', '%.16g', '%.17g' }) do
    text = string.format(format, number)
    if tonumber(text) == number then break end
  end
  return text
end

local function isFinite(number)
  return number == number and number ~= math.huge and number ~= -math.huge
end
