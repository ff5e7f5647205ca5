import type { OrderTier } from "./types.ts";

/**
 * Weighted random order without replacement: the first pick is proportional to weight, and each
 * later pick among the rest, so failover still reaches everyone. Weight 0 goes last.
 */
export const weighted: OrderTier = (tier, env) => {
  const rest = [...tier].sort((a, b) => a.position - b.position);
  const out = [];
  while (rest.length > 0) {
    const total = rest.reduce((s, c) => s + Math.max(0, c.weight), 0);
    let i = 0;
    if (total > 0) {
      let r = env.random() * total;
      for (i = 0; i < rest.length - 1; i++) {
        r -= Math.max(0, rest[i]!.weight);
        if (r < 0) break;
      }
    }
    out.push(rest.splice(i, 1)[0]!);
  }
  return out;
};
