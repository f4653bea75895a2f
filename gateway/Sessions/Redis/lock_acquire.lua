-- Takes a named lock with a lease unless another owner holds it; the holder re-taking it renews the lease.
-- KEYS[1] lock key
-- ARGV[1] owner, ARGV[2] lease (ms)
-- Returns 1 held by this owner now, 0 held by another.
local holder = redis.call('GET', KEYS[1])
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
