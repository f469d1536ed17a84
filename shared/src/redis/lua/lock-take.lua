-- uses: hold
--[[
  The first try of an acquire: takes a free lock, or re-enters an rlock its
  owner holds, in one step that touches neither the waiters nor the clock.
  A caller that finds the lock held and will wait goes on with lock-acquire,
  which queues it in the same step as its check.

  KEYS[1]  the hold: the string 'token|count', expiring with the holder's lease
  KEYS[2]  the fencing counter, raised by every new hold
  ARGV[1..5]  as lock-acquire's: owner, current token, rlock, lease ms, levels

  Returns  the fence of a new hold, whose token is 'owner:fence' (> 0)
           minus the count after a re-entry of the owner's hold (< 0)
           0 when another holds it
  (a number, not a table: this runs once per acquire, and a number is the
  cheapest reply to build and to read)
]]
local fence, count = takeHold()
if fence then return fence end
if count then return -count end
return 0
