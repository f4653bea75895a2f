-- Moves a session from one of several states to another (complete, abort, expire, fail).
-- KEYS[1] session hash
-- ARGV[1] tenant ('' for any), ARGV[2] allowed current states as ",a,b,", ARGV[3] new state, ARGV[4] now (unix ms),
-- ARGV[5] result JSON ('' to keep), ARGV[6] '1' when every part must have been received
-- Returns {0, previous state} done, {-1} no such session for this tenant, {-2, state} not allowed from this state,
--   {-9, state} parts missing.
local s = redis.call('HMGET', KEYS[1], 'tenant', 'status', 'recv', 'pcount')
if not s[1] or (ARGV[1] ~= '' and s[1] ~= ARGV[1]) then
  return {-1}
end
if not string.find(ARGV[2], ',' .. s[2] .. ',', 1, true) then
  return {-2, s[2]}
end
if ARGV[6] == '1' and tonumber(s[3]) < tonumber(s[4]) then
  return {-9, s[2]}
end
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'upd', ARGV[4])
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[1], 'result', ARGV[5])
end
return {0, s[2]}
