import type { Candidate, OrderTier } from "./types.ts";

// Unmeasured upstreams look fast, so each gets measured before the averages decide.
const lat = (c: Candidate) => c.latencyMs ?? 0;

/**
 * Power of two choices: two random candidates, the faster one first. It follows latency without
 * sending everything to the single fastest upstream (which would then slow down). The rest follow
 * by latency as the failover.
 */
export const leastLatency: OrderTier = (tier, env) => {
  if (tier.length < 2) return [...tier];
  const i = Math.floor(env.random() * tier.length);
  let j = Math.floor(env.random() * (tier.length - 1));
  if (j >= i) j++;
  const a = tier[i]!;
  const b = tier[j]!;
  const first = lat(a) < lat(b) || (lat(a) === lat(b) && a.position < b.position) ? a : b;
  const rest = tier.filter((c) => c !== first).sort((x, y) => lat(x) - lat(y) || x.position - y.position);
  return [first, ...rest];
};
