// The daemon's live per-upstream state beside the pool (limit counters, health), as the control
// socket, /v1/status and metrics read it. One object, so readers take one parameter.
import type { z } from "zod";
import type { upstreamHealthSchema } from "../../shared/rpc/contract.ts";
import type { HealthBook } from "./health-book.ts";
import type { LimitBook } from "./limit-book.ts";
import type { PoolUpstream } from "./pool.ts";

export interface Live {
  limits: LimitBook;
  health: HealthBook;
}

export type HealthView = z.input<typeof upstreamHealthSchema>;

/** Health as shown outside the daemon; a disabled upstream is "disabled" whatever its breaker says. */
export function healthView(u: PoolUpstream, live: Live): HealthView {
  const h = live.health.snapshot(u.id);
  const out = !u.enabled || u.rpm === 0 || u.rpd === 0 || u.tpm === 0;
  return { ...h, state: out ? "disabled" : h.state, streamTimeoutMs: u.effectiveStreamTimeoutMs };
}

/** In rotation: enabled and its breaker closed (what route_upstream_up and `state: up` say). */
export const isUp = (u: PoolUpstream, live: Live) => healthView(u, live).state === "healthy";
