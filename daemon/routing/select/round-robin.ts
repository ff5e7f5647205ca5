import type { OrderTier } from "./types.ts";

/** Every upstream takes its turn first; the others follow in configured order as the failover. */
export const roundRobin: OrderTier = (tier, env, key) => {
  const sorted = [...tier].sort((a, b) => a.position - b.position);
  if (sorted.length === 0) return sorted;
  const n = env.counters.get(key) ?? 0;
  env.counters.set(key, n + 1);
  const start = n % sorted.length;
  return [...sorted.slice(start), ...sorted.slice(0, start)];
};
