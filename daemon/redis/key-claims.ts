// Client keys' side of the shared limits (keys/admission.ts SharedKeyGate): a key with rpm, rpd,
// tpm or max_inflight is admitted by Redis, so its limits hold across the nodes; its local
// counters still count (requests today, in flight) for status and the outage share.
import type { KeyEntry, KeyRegistry } from "../keys/registry.ts";
import type { SharedKeyGate } from "../keys/admission.ts";
import { HttpError } from "../proxy/openai-error.ts";
import { retryAfterHeader } from "../routing/router.ts";
import { isShared, type ScopeLimits } from "./counters.ts";
import type { Decision } from "./shared-limits.ts";
import type { SharedLimits } from "./shared-limits.ts";

const limitsOf = (e: KeyEntry): ScopeLimits => e.record;

function refusal(e: KeyEntry, d: Extract<Decision, { ok: false }>): HttpError {
  if (d.closed) return new HttpError(503, "limits_unavailable", `key ${e.name}'s limits are shared by the Route nodes through Redis, which cannot be reached, and redis_outage is closed; retry shortly`, retryAfterHeader(d.retryAfterMs));
  const what = d.which === "max_inflight" ? `has ${e.record.maxInflight} requests in flight, its max_inflight` : `is at its ${d.which} limit`;
  return new HttpError(429, "rate_limit_exceeded", `key ${e.name} ${what}`, retryAfterHeader(d.retryAfterMs));
}

export function createKeyClaims(shared: SharedLimits, registry: Pick<KeyRegistry, "roll">): SharedKeyGate {
  const settle = (e: KeyEntry, d: Decision) => (d.ok ? d : refusal(e, d));
  return {
    covers: (e) => isShared(limitsOf(e)),
    admit(e, promptTokens) {
      const use = () => {
        const m = registry.roll(e);
        // admitShared counted this request in flight already: the share compares the others.
        return { ...(m.limits?.usage() ?? { rpm: 0, rpd: 0, tpm: 0 }), inflight: m.inflight - 1 };
      };
      const d = shared.decide({ kind: "k", id: e.id }, limitsOf(e), (e.record.tpm ?? -1) >= 0 ? promptTokens : 0, use);
      return d instanceof Promise ? d.then((v) => settle(e, v)) : settle(e, d);
    },
  };
}
