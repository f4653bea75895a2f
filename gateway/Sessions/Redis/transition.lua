-- Moves a session along one named transition (Sessions/SessionTransition.cs: complete, abort, expire, fail, reopen).
-- KEYS[1] session hash, KEYS[2] its shard's event stream, KEYS[3] parts hash, KEYS[4..] the tenant's status
-- indexes in that shard, one per status in SessionStatus.All's order (status_key)
-- ARGV[1] tenant ('' for any), ARGV[2] the transition's starting states as ",a,b,", ARGV[3] new state,
-- ARGV[4] now (unix ms), ARGV[5] result JSON ('' to keep), ARGV[6] '1' when every part must have been received,
-- ARGV[7] the event this transition writes ('' none), ARGV[8] trace context ('' none), ARGV[9] the session id
-- Returns {Ok, previous state}, {NotFound} (no such session for this tenant), {NotTakingParts, state} (not a
-- starting state of this transition), {PartsMissing, state}.
local s = redis.call('HMGET', KEYS[1], 'tenant', 'status', 'recv', 'pcount', 'kexp')
if not s[1] or (ARGV[1] ~= '' and s[1] ~= ARGV[1]) then
  return {NotFound}
end
if not string.find(ARGV[2], ',' .. s[2] .. ',', 1, true) then
  return {NotTakingParts, s[2]}
end
if ARGV[6] == '1' and tonumber(s[3]) < tonumber(s[4]) then
  return {PartsMissing, s[2]}
end
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'upd', ARGV[4])
move_status(status_key(4, s[2]), status_key(4, ARGV[3]), KEYS[1], ARGV[9], s[5])
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[1], 'result', ARGV[5])
end
if ARGV[7] ~= '' then
  append_event(KEYS[2], KEYS[1], KEYS[3], ARGV[7], ARGV[4], ARGV[8], ARGV[9])
end
return {Ok, s[2]}
