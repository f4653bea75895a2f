-- Ends one part: records it once, updates progress and status, and releases the lease
-- (docs/architecture.md, the path of one part, step 5).
-- KEYS[1] session hash, KEYS[2] parts hash, KEYS[3] leases hash, KEYS[4..] the tenant's status indexes in the
-- session's shard, one per status in SessionStatus.All's order (status_key); touched only when the status changes
-- (the first part and the last), so a part in between costs what it did.
-- ARGV[1] part number, ARGV[2] lease token, ARGV[3] now (unix ms),
-- ARGV[4] part record (Sessions/PartRecordFormat.cs; '' when the part failed: release only), ARGV[5] part size,
-- ARGV[6] how many leading bytes of a record say which bytes it holds (its key's kind and digest; all of a record known by
-- no digest), ARGV[7] the session id
-- Returns {code, accepted bytes, parts received, status}: Ok recorded, AlreadyReceived (recorded before with the
-- same key digest), Released (release only), NotFound, NotTakingParts, PartConflict (recorded before with other bytes).
local lease = redis.call('HGET', KEYS[3], ARGV[1])
if lease and string.sub(lease, 1, #ARGV[2] + 1) == ARGV[2] .. '|' then
  redis.call('HDEL', KEYS[3], ARGV[1])
end
local s = redis.call('HMGET', KEYS[1], 'status', 'acc', 'recv', 'pcount', 'kexp')
if not s[1] then
  return {NotFound}
end
if ARGV[4] == '' then
  return {Released, s[2], s[3], s[1]}
end
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then
  local key = tonumber(ARGV[6])
  -- A key that is the whole record (a part known by no digest) matches only the whole record.
  if string.sub(existing, 1, key) == string.sub(ARGV[4], 1, key) and (key < #ARGV[4] or #existing == key) then
    return {AlreadyReceived, s[2], s[3], s[1]}
  end
  return {PartConflict, s[2], s[3], s[1]}
end
if not takes_parts(s[1]) then
  return {NotTakingParts, s[2], s[3], s[1]}
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
redis.call('PEXPIREAT', KEYS[2], s[5])
local accepted = redis.call('HINCRBY', KEYS[1], 'acc', ARGV[5])
local received = redis.call('HINCRBY', KEYS[1], 'recv', 1)
local status = 'uploading'
if received >= tonumber(s[4]) then
  status = 'staged'
end
redis.call('HSET', KEYS[1], 'status', status, 'upd', ARGV[3])
if status ~= s[1] then
  move_status(status_key(4, s[1]), status_key(4, status), KEYS[1], ARGV[7], s[5])
end
return {Ok, accepted, received, status}
