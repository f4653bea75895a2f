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
-- Not '-' .. bytes: for an empty upload that is "-0", which HINCRBY refuses as not an integer.
local amount = tonumber(bytes)
if amount ~= 0 then
  redis.call('HINCRBY', KEYS[1], '~total', -amount)
end
return 1
