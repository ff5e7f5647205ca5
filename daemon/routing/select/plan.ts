// The failover plan of one request: tiers from the highest priority down, each ordered by the
// strategy, each upstream once, capped at `maxAttempts`.
import { leastInflight } from "./least-inflight.ts";
import { leastLatency } from "./least-latency.ts";
import { priority } from "./priority.ts";
import { roundRobin } from "./round-robin.ts";
import type { Candidate, OrderTier, StrategyEnv, StrategyName } from "./types.ts";
import { weighted } from "./weighted.ts";

const ORDER: Record<StrategyName, OrderTier> = {
  priority,
  weighted,
  "round-robin": roundRobin,
  "least-latency": leastLatency,
  "least-inflight": leastInflight,
};

/** `first`: a candidate that leads its own tier (session affinity); other tiers keep their order. */
export function planOrder<C extends Candidate>(candidates: readonly C[], strategy: StrategyName, env: StrategyEnv, maxAttempts = Infinity, key = "", first: C | null = null): C[] {
  // One upstream (the common deployment): nothing to order, so no tier map or strategy call per request.
  if (candidates.length === 1) return maxAttempts >= 1 ? [candidates[0]!] : [];
  const tiers = new Map<number, C[]>();
  if (first) tiers.set(first.priority, []);
  for (const c of candidates) {
    if (c === first) continue;
    const t = tiers.get(c.priority);
    if (t) t.push(c);
    else tiers.set(c.priority, [c]);
  }
  const out: C[] = [];
  for (const p of [...tiers.keys()].sort((a, b) => b - a)) {
    if (first?.priority === p) out.push(first);
    const tier = tiers.get(p)!;
    if (tier.length > 0) out.push(...(ORDER[strategy](tier, env, `${key}\0${p}`) as C[]));
    if (out.length >= maxAttempts) break;
  }
  return out.slice(0, maxAttempts);
}
