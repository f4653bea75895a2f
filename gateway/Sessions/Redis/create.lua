-- Creates a session hash unless the id is taken.
-- KEYS[1] session hash
-- ARGV[1] when the key expires (unix ms), ARGV[2..] field, value, field, value, ...
-- Returns 1 created, 0 id taken.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1
