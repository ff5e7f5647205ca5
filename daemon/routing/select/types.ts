// A strategy orders the candidates of one priority tier; tiers themselves are always tried from the
// highest priority down (see plan.ts). Strategies are pure: randomness and any rotation state are
// passed in, so tests replay them exactly.

export interface Candidate {
  readonly id: number;
  readonly position: number; // the configured failover order
  readonly priority: number; // higher tiers are tried first
  readonly weight: number;
  readonly inflight: number;
  readonly latencyMs: number | null; // decaying average (time to first token for streams)
}

export interface StrategyEnv {
  random: () => number; // [0, 1)
  /** Rotation counters by tier key, owned by the caller. */
  counters: Map<string, number>;
}

export type OrderTier = (tier: readonly Candidate[], env: StrategyEnv, tierKey: string) => Candidate[];

export const STRATEGIES = ["priority", "weighted", "round-robin", "least-latency", "least-inflight"] as const;
export type StrategyName = (typeof STRATEGIES)[number];
