-- Releases one session's reservation in one quota scope; releasing twice is harmless.
-- KEYS[1] amounts hash, KEYS[2] lapse sorted set
-- ARGV[1] session id
-- Returns 1 released, 0 nothing was held.
local bytes = redis.call('HGET', KEYS[1], ARGV[1])
if not bytes then
  return 0
end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[1], '~total', '-' .. bytes)
return 1
