-- Extends a part's lease while its body is still streaming, if this request still holds it.
-- KEYS[1] leases hash
-- ARGV[1] part number, ARGV[2] lease token, ARGV[3] new end of the lease (unix ms)
-- Returns 1 renewed, 0 not held (expired and taken by another request, or released).
local lease = redis.call('HGET', KEYS[1], ARGV[1])
if lease and string.sub(lease, 1, #ARGV[2] + 1) == ARGV[2] .. '|' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[3])
  return 1
end
return 0
