-- Creates a session hash unless the id is taken, and appends its upload.created event in the same step.
-- KEYS[1] session hash, KEYS[2] its shard's event stream, KEYS[3] the tenant's index of the session's status in
-- that shard (sorted set: id -> created ms; listing by status reads it, RedisKeys.StatusIndex)
-- ARGV[1] when the key expires (unix ms), ARGV[2] event type ('' none), ARGV[3] now (unix ms), ARGV[4] trace context ('' none),
-- ARGV[5] the session id (the hash does not hold it), ARGV[6..] field, value, field, value, ...
-- Returns 1 created, 0 id taken.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
index_status(KEYS[3], KEYS[1], ARGV[5], ARGV[1])
if ARGV[2] ~= '' then
  append_event(KEYS[2], KEYS[1], nil, ARGV[2], ARGV[3], ARGV[4], ARGV[5])
end
return 1
