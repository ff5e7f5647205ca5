import type { OrderTier } from "./types.ts";

/** Fewest requests in flight first; ties keep the configured order. */
export const leastInflight: OrderTier = (tier) => [...tier].sort((a, b) => a.inflight - b.inflight || a.position - b.position);
