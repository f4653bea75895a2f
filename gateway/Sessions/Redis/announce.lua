-- A consumer of an endpoint's group says it is alive; the ones not seen within the window are dropped.
-- KEYS[1] the group's members (sorted set: consumer -> last seen, ms)
-- ARGV[1] consumer, ARGV[2] now (ms), ARGV[3] window (ms)
-- Returns how many consumers are alive, this one included.
local now = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - window))
-- The set outlives nobody: with every instance gone it disappears by itself.
redis.call('PEXPIRE', KEYS[1], window * 2)
return redis.call('ZCARD', KEYS[1])
