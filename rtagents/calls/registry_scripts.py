"""The Lua scripts the Redis call registry runs (``registry_redis``): each decision about a
call's claim is one atomic step in Redis, whatever the replicas do at once."""

# KEYS: the call's claim, the live calls. ARGV: replica, lease (ms), call id, [call].
# A claim wins only for a call not live (accepted by some replica) and not claimed, or
# claimed by this replica already: a claim whose answer was lost (a webhook's time limit
# ran out on it) is this replica's for the retry to take up.
CLAIM = """
if redis.call('HEXISTS', KEYS[2], ARGV[3]) == 1 then return 0 end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return 1 end
if holder and string.sub(holder, 1, 6) ~= 'ended:' then return 2 end
return 0
"""
# 2: another replica claimed it and has not listed it (not up yet): pending, not taken.
# A call that ended may be claimed again (a Twilio call's next stream): over no claim, or
# one marked ended, never over a live one (this replica's too: the end of the call before,
# still on its way, would mark the new claim ended; and two streams would both win it).
RECLAIM = """
if redis.call('HEXISTS', KEYS[2], ARGV[3]) == 1 then return 0 end
local holder = redis.call('GET', KEYS[1])
if holder and string.sub(holder, 1, 6) ~= 'ended:' then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
# Renew claims of this replica's, or put each back (and its listing) if Redis lost it: one
# round trip for many (a replica holds thousands). KEYS: the live calls. ARGV: replica, lease
# (ms), the claims' key prefix, then each call id and its call ('': not listed yet). For
# each: 1 renewed, 2 put back, 0 another replica holds it (or it ended).
KEEP = """
local kept = {}
for i = 4, #ARGV, 2 do
  local key = ARGV[3] .. ARGV[i]
  local holder = redis.call('GET', key)
  if holder and holder ~= ARGV[1] then
    kept[#kept + 1] = 0
  else
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    if ARGV[i + 1] ~= '' then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
    kept[#kept + 1] = holder and 1 or 2
  end
end
return kept
"""
# The call ended: unlisted, and its claim kept (marked ended) for late webhook retries.
END = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[2], ARGV[3])
return redis.call('SET', KEYS[1], 'ended:' .. ARGV[1], 'PX', ARGV[2])
"""
# A claim given back (a draining replica's, or one it was adopting): another may take it.
# KEYS: the call's claim, the live calls. ARGV: replica, call id, [call]: listed again (Redis
# may have lost the listing), so that a replica that looks finds it. Refused only where
# another holds the claim (or it ended): one Redis lost is nobody's, and the call is listed
# again all the same, or no replica would ever adopt it.
GIVE_BACK = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) end
return redis.call('DEL', KEYS[1])
"""
# KEYS: the live calls. ARGV: the claims' key prefix, replica, lease (ms). Every listed
# call whose claim ran out is claimed for this replica: [call id, call, ...].
ADOPT = """
local adopted = {}
local live = redis.call('HGETALL', KEYS[1])
for i = 1, #live, 2 do
  local key = ARGV[1] .. live[i]
  if redis.call('EXISTS', key) == 0 then
    redis.call('SET', key, ARGV[2], 'PX', ARGV[3])
    table.insert(adopted, live[i])
    table.insert(adopted, live[i + 1])
  end
end
return adopted
"""
