import type { OrderTier } from "./types.ts";

/** openai-api-route's ordered failover: the configured order. */
export const priority: OrderTier = (tier) => [...tier].sort((a, b) => a.position - b.position);
