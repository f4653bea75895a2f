-- Takes one of a counted scope's places (a tenant's live sessions, its tus partial uploads) unless all are taken.
-- One sorted set is both the set of holders and their count, so nothing can drift: each place lapses at its
-- session's expiry and lapsed ones are dropped here, before counting, so a crash can never leak a place.
-- KEYS[1] the scope's places (sorted set: id -> lapses at, unix ms)
-- ARGV[1] id, ARGV[2] how many places, ARGV[3] lapses at (unix ms), ARGV[4] now (unix ms)
-- Returns 1 taken (or already held), 0 every place is taken.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[4])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return 1
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
-- The set outlives its last holder by nothing: an idle tenant leaves no key behind.
if redis.call('PEXPIRETIME', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('PEXPIREAT', KEYS[1], ARGV[3])
end
return 1
