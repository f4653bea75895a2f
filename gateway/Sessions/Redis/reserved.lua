-- Bytes reserved in one quota scope now, not counting lapsed reservations.
-- KEYS[1] amounts hash, KEYS[2] lapse sorted set
-- ARGV[1] now (unix ms)
local total = tonumber(redis.call('HGET', KEYS[1], '~total') or '0')
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])) do
  total = total - tonumber(redis.call('HGET', KEYS[1], id) or '0')
end
return total
