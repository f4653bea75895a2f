-- Reads a session with its progress in one consistent step.
-- KEYS[1] session hash, KEYS[2] parts hash, KEYS[3] leases hash
-- ARGV[1] now (unix ms)
-- Returns {} when absent, else {session fields as a flat list, received part numbers, live lease count}.
local session = redis.call('HGETALL', KEYS[1])
if #session == 0 then
  return {}
end
local now = tonumber(ARGV[1])
local live = 0
for _, lease in ipairs(redis.call('HVALS', KEYS[3])) do
  if tonumber(string.match(lease, '|(%d+)$')) > now then
    live = live + 1
  end
end
return {session, redis.call('HKEYS', KEYS[2]), live}
