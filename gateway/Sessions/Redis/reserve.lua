-- Reserves staging bytes for one session in one quota scope (a tenant, a sandbox). Each reservation lapses at
-- its session's expiry, so a crash between create and release can never leak quota: lapsed ones are dropped
-- here, before the limit is checked.
-- KEYS[1] amounts hash (session id -> bytes, and '~total'), KEYS[2] lapse sorted set (session id -> until ms)
-- ARGV[1] session id, ARGV[2] bytes, ARGV[3] limit, ARGV[4] lapses at (unix ms), ARGV[5] now (unix ms)
-- Returns 1 reserved (or already held), 0 the scope would go over its limit.
local total = tonumber(redis.call('HGET', KEYS[1], '~total') or '0')
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])) do
  total = total - tonumber(redis.call('HGET', KEYS[1], id) or '0')
  redis.call('HDEL', KEYS[1], id)
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
local result = 1
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
  local bytes = tonumber(ARGV[2])
  if total + bytes > tonumber(ARGV[3]) then
    result = 0
  else
    total = total + bytes
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
    redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
  end
end
redis.call('HSET', KEYS[1], '~total', string.format('%.0f', total))
return result
