-- Keeps one dead letter and trims the endpoint's dead letters to their bounds in the same step: the newest
-- ARGV[1] at most (XTRIM MAXLEN), none older than ARGV[2] (XTRIM MINID). Exact trimming, not '~': dead letters
-- are rare, and the in-memory store applies the same rule.
-- The entry's id starts with the store's "now" (ARGV[3]), not the Redis server's clock, so the age bound and the
-- time the letter reports agree; never below the newest entry's, as a stream requires.
-- KEYS[1] the endpoint's dead letters (stream)
-- ARGV[1] max count, ARGV[2] oldest entry id kept ('<unix ms>-0'), ARGV[3] now (unix ms), ARGV[4..] field, value, ...
-- Returns the new entry's id.
local ms = tonumber(ARGV[3])
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
if newest then
  ms = math.max(ms, tonumber(string.match(newest[1], '^(%d+)')))
end
local id = redis.call('XADD', KEYS[1], string.format('%.0f', ms) .. '-*', unpack(ARGV, 4))
redis.call('XTRIM', KEYS[1], 'MAXLEN', ARGV[1])
redis.call('XTRIM', KEYS[1], 'MINID', ARGV[2])
return id
