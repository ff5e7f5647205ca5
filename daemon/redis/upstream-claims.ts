// The guard's shared side (routing/guard.ts SharedLimitGate): an upstream with an RPM/RPD/TPM limit
// is claimed through Redis, so the nodes together never pass its limit; the local counters still
// count for status and metrics. A refusal Redis gave for the minute or the day is remembered until
// then (counts only grow within a window), so a full upstream costs no round trip per request.
import type { RequestContext } from "../proxy/context.ts";
import { BUSY, coolingClaim, estimateTokens, type Claim, type SharedLimitGate } from "../routing/guard.ts";
import type { HealthBook } from "../routing/health-book.ts";
import type { LimitBook } from "../routing/limit-book.ts";
import type { LimitVerdict } from "../routing/limits.ts";
import type { PoolUpstream } from "../routing/pool.ts";
import { isShared } from "./counters.ts";
import type { Decision } from "./shared-limits.ts";
import type { SharedLimits } from "./shared-limits.ts";

export interface UpstreamClaimDeps {
  shared: SharedLimits;
  limits: LimitBook;
  health: HealthBook;
  now?: () => number;
}

const OK: LimitVerdict = { ok: true };

export function createUpstreamClaims(deps: UpstreamClaimDeps): SharedLimitGate {
  const { shared, limits, health } = deps;
  const now = deps.now ?? Date.now;
  const refusedUntil = new Map<number, { until: number; which: "rpm" | "rpd" | "tpm" }>();

  function remembered(u: PoolUpstream): LimitVerdict {
    const r = refusedUntil.get(u.id);
    if (!r) return OK;
    const left = r.until - now();
    if (left > 0) return { ok: false, which: r.which, retryAfterMs: left };
    refusedUntil.delete(u.id);
    return OK;
  }

  function refused(u: PoolUpstream, d: Extract<Decision, { ok: false }>): Claim {
    if (d.closed) return { ok: false, why: "unavailable", retryAfterMs: d.retryAfterMs, detail: "its shared limits cannot be checked: Redis is unreachable and redis_outage is closed" };
    if (!d.outage && (d.which === "rpm" || d.which === "rpd")) refusedUntil.set(u.id, { until: now() + d.retryAfterMs, which: d.which });
    return { ok: false, why: "limited", retryAfterMs: d.retryAfterMs, detail: `at its ${d.which} limit` };
  }

  function settle(u: PoolUpstream, forced: boolean, estimate: number, d: Decision): Claim {
    if (!d.ok) return refused(u, d);
    // Counted in Redis but not sent (the request's own slot went meanwhile): the window keeps one
    // request too many, never one too few.
    if (u.maxInflight !== null && u.inflight >= u.maxInflight) return BUSY;
    if (!health.admit(u.id, forced)) return coolingClaim(health, u);
    const local = limits.admit(u, estimate);
    return {
      ok: true,
      correct(tokens) {
        local(tokens);
        d.correct(tokens);
      },
    };
  }

  return {
    covers: (u) => isShared(u),
    check: (u) => remembered(u),
    claim(u, ctx, forced) {
      // The trial is taken after Redis admits; a cooling upstream is not counted there at all.
      if (!forced && health.waitMs(u.id) > 0) return coolingClaim(health, u);
      const r = remembered(u);
      if (!r.ok) return { ok: false, why: "limited", retryAfterMs: r.retryAfterMs, detail: `at its ${r.which} limit` };
      const estimate = (u.tpm ?? -1) >= 0 ? estimateTokens(ctx) : 0;
      const d = shared.decide({ kind: "u", id: u.id }, u, estimate, () => limits.usage(u.id));
      return d instanceof Promise ? d.then((v) => settle(u, forced, estimate, v)) : settle(u, forced, estimate, d);
    },
  };
}
