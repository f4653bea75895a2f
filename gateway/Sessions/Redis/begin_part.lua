-- Begins one part: checks the owner, the state, the part number and its size, and takes a lease on the part
-- within the session's concurrency limit, all at once (docs/architecture.md, the path of one part, step 3).
-- KEYS[1] session hash, KEYS[2] parts hash, KEYS[3] leases hash (part number -> "token|until ms")
-- ARGV[1] tenant, ARGV[2] part number, ARGV[3] declared size (-1: not declared), ARGV[4] now (unix ms),
-- ARGV[5] lease ttl (ms), ARGV[6] lease token
-- Returns:
--   {Ok, expected size, session fields}              started: the lease is taken
--   {AlreadyReceived, expected size, fields, record} compare the retry with the record
--   {NotFound}                                       no such session for this tenant
--   {NotTakingParts, status}                         the session does not take parts
--   {Expired}
--   {NoSuchPart, part count}
--   {SizeMismatch, expected size}                    declared size breaks the part rule
--   {ConcurrencyLimit, parts in flight}
--   {PartInFlight}                                   this part is already in flight
local s = redis.call('HMGET', KEYS[1], 'tenant', 'status', 'exp', 'size', 'psize', 'pcount', 'maxc', 'kexp')
if not s[1] or s[1] ~= ARGV[1] then
  return {NotFound}
end
if s[2] == 'expired' then
  return {Expired}
end
if not takes_parts(s[2]) then
  return {NotTakingParts, s[2]}
end
local now = tonumber(ARGV[4])
if tonumber(s[3]) <= now then
  return {Expired}
end
local n = tonumber(ARGV[2])
local count = tonumber(s[6])
if n < 1 or n > count then
  return {NoSuchPart, count}
end
local expected = part_size_of(tonumber(s[4]), tonumber(s[5]), n)
local declared = tonumber(ARGV[3])
if declared >= 0 and declared ~= expected then
  return {SizeMismatch, expected}
end
local existing = redis.call('HGET', KEYS[2], ARGV[2])
if existing then
  return {AlreadyReceived, expected, redis.call('HGETALL', KEYS[1]), existing}
end
local leases = redis.call('HGETALL', KEYS[3])
local live = 0
for i = 1, #leases, 2 do
  if tonumber(string.match(leases[i + 1], '|(%d+)$')) <= now then
    redis.call('HDEL', KEYS[3], leases[i])
  elseif leases[i] == ARGV[2] then
    return {PartInFlight}
  else
    live = live + 1
  end
end
if live >= tonumber(s[7]) then
  return {ConcurrencyLimit, live}
end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[6] .. '|' .. string.format('%.0f', now + tonumber(ARGV[5])))
redis.call('PEXPIREAT', KEYS[3], s[8])
return {Ok, expected, redis.call('HGETALL', KEYS[1])}
