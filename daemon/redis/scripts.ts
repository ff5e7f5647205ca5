// The Lua scripts that make shared limits exact: Redis runs each atomically, so nodes admitting at
// the same moment are serialised there. Time is Redis's own (TIME), so the nodes' clocks do not
// matter; windows are aligned to the clock (the minute; the local day, whose offset from UTC the
// node passes in, since Lua has no time-zone database). One key per limit and window:
//   <base>:m:<minute>  requests    <base>:t:<minute>  tokens    <base>:d:<day>  requests today
//   <base>:f           hash: node id → requests in flight (client keys' max_inflight)
// A scope's keys share a hash tag ({u:3}, {k:7}) so a Redis Cluster keeps them in one slot.
import type Redis from "ioredis";

/**
 * KEYS[1] base; ARGV rpm, rpd, tpm, max_inflight (-1: none), estimated tokens, tz offset (ms),
 * node id. Checks every limit, and only if all pass counts the request in all of them.
 * Returns {1, minute} (the minute the tokens went to, for the correction) or {0, which, retry ms}
 * (-1: never, a limit of 0).
 */
const ADMIT = `
local rpm, rpd, tpm, maxf = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local est, offset, node = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local base = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local minute = math.floor(now / 60000)
local day = math.floor((now + offset) / 86400000)
local toMinute = (minute + 1) * 60000 - now
local toMidnight = (day + 1) * 86400000 - offset - now
local mk, tk, dk, fk = base .. ':m:' .. minute, base .. ':t:' .. minute, base .. ':d:' .. day, base .. ':f'
local function count(k) return tonumber(redis.call('GET', k) or '0') end
local function never(limit, ms) if limit == 0 then return -1 end return ms end
if maxf >= 0 then
  local n = 0
  for _, v in ipairs(redis.call('HVALS', fk)) do n = n + tonumber(v) end
  if n >= maxf then return {0, 'max_inflight', never(maxf, 1000)} end
end
if rpd >= 0 and count(dk) >= rpd then return {0, 'rpd', never(rpd, toMidnight)} end
if rpm >= 0 and count(mk) >= rpm then return {0, 'rpm', never(rpm, toMinute)} end
if tpm >= 0 and count(tk) >= tpm then return {0, 'tpm', never(tpm, toMinute)} end
redis.call('INCR', mk)
redis.call('PEXPIRE', mk, 120000)
redis.call('INCR', dk)
redis.call('PEXPIRE', dk, toMidnight + 3600000)
if tpm >= 0 then
  redis.call('INCRBY', tk, est)
  redis.call('PEXPIRE', tk, 120000)
end
if maxf >= 0 then redis.call('HINCRBY', fk, node, 1) end
return {1, minute}
`;

/** KEYS[1] a minute's token key; ARGV delta. A minute already expired is left alone. */
const CORRECT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end
return 0
`;

/** KEYS[1] an in-flight hash; ARGV node id. */
const RELEASE = `
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return n
`;

/** KEYS in-flight hashes; ARGV the live node ids. Forgets the in-flight requests of every other node. */
const SWEEP = `
local live = {}
for _, id in ipairs(ARGV) do live[id] = true end
local removed = 0
for _, k in ipairs(KEYS) do
  for _, id in ipairs(redis.call('HKEYS', k)) do
    if not live[id] then removed = removed + redis.call('HDEL', k, id) end
  end
end
return removed
`;

export interface RouteCommands {
  routeAdmit(base: string, rpm: number, rpd: number, tpm: number, maxInflight: number, estimate: number, offsetMs: number, node: string): Promise<[1, number] | [0, string, number]>;
  routeCorrect(key: string, delta: number): Promise<number>;
  routeRelease(key: string, node: string): Promise<number>;
  routeSweep(...keysThenIds: (string | number)[]): Promise<number>;
}

/** Registers the scripts on a connection (EVALSHA, loading the script on a miss). Once per connection. */
export function defineRouteCommands(r: Redis): Redis & RouteCommands {
  r.defineCommand("routeAdmit", { numberOfKeys: 1, lua: ADMIT });
  r.defineCommand("routeCorrect", { numberOfKeys: 1, lua: CORRECT });
  r.defineCommand("routeRelease", { numberOfKeys: 1, lua: RELEASE });
  r.defineCommand("routeSweep", { lua: SWEEP }); // numberOfKeys given per call
  return r as Redis & RouteCommands;
}
