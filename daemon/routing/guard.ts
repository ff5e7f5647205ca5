// May this upstream take a request now? One place for every reason it may not: full
// (max_inflight), over a limit (RPM/RPD/TPM), cooling down or misconfigured (health). The router
// asks `gate` while listing candidates (no side effects); forward.ts `claim`s right before an
// attempt, which re-checks, counts the request and takes the half-open trial, so concurrent
// requests never overshoot a limit or send two trials between planning and sending.
import type { RequestContext } from "../proxy/context.ts";
import type { HealthBook } from "./health-book.ts";
import type { LimitBook } from "./limit-book.ts";
import type { LimitVerdict } from "./limits.ts";
import type { PoolUpstream } from "./pool.ts";
import type { Gate } from "./router.ts";

const OPEN: Gate = { ok: true };
const BUSY_RETRY_MS = 1000;

export type Claim =
  | { ok: true; correct: (tokens: number) => void }
  | { ok: false; why: "limited" | "busy" | "cooling" | "unavailable"; retryAfterMs: number; detail: string };

/** Limits several nodes share (daemon/redis): decided there for the upstreams it covers. */
export interface SharedLimitGate {
  covers(u: PoolUpstream): boolean;
  /** Without asking Redis (planning, status): a refusal it gave that still holds, or the outage share. */
  check(u: PoolUpstream): LimitVerdict;
  /** Past max_inflight: the health trial, the shared count and the local one (async while Redis decides). */
  claim(u: PoolUpstream, ctx: RequestContext, forced: boolean): Claim | Promise<Claim>;
}

export interface GuardDeps {
  limits: LimitBook;
  health: HealthBook;
  shared?: SharedLimitGate | null;
}

/** TPM: a rough prompt size (~4 bytes a token) holds the place until the real usage corrects it; no tokenizer here (its first use takes about a second of CPU). */
export const estimateTokens = (ctx: RequestContext) => Math.ceil((ctx.body?.length ?? 0) / 4);

export const coolingClaim = (health: HealthBook, u: PoolUpstream): Claim => ({ ok: false, why: "cooling", retryAfterMs: Math.min(health.waitMs(u.id), 86_400_000), detail: "out of rotation (its trial request is under way)" });

export const BUSY: Claim = { ok: false, why: "busy", retryAfterMs: BUSY_RETRY_MS, detail: "at max_inflight" };

export function createGuard(deps: GuardDeps) {
  const { limits, health } = deps;
  const shared = deps.shared ?? null;

  function gate(u: PoolUpstream): Gate {
    if (u.maxInflight !== null && u.inflight >= u.maxInflight) return { ok: false, why: "busy", retryAfterMs: BUSY_RETRY_MS };
    const l = shared?.covers(u) ? shared.check(u) : limits.check(u.id);
    if (!l.ok) return { ok: false, why: "limited", retryAfterMs: l.retryAfterMs };
    const wait = health.waitMs(u.id);
    if (wait === 0) return OPEN;
    return wait === Infinity ? { ok: false, why: "misconfigured", retryAfterMs: wait } : { ok: false, why: "cooling", retryAfterMs: wait };
  }

  return {
    gate,
    /**
     * Just before an attempt: re-checks, takes the health trial if one is due, counts the request.
     * `forced`: tried although out of rotation (every candidate cooling, or pinned).
     */
    claim(u: PoolUpstream, ctx: RequestContext, forced = false): Claim | Promise<Claim> {
      if (u.maxInflight !== null && u.inflight >= u.maxInflight) return BUSY;
      if (shared?.covers(u)) return shared.claim(u, ctx, forced);
      const l = limits.check(u.id);
      if (!l.ok) return { ok: false, why: "limited", retryAfterMs: l.retryAfterMs, detail: `at its ${l.which} limit` };
      if (!health.admit(u.id, forced)) return coolingClaim(health, u);
      const estimate = limits.countsTokens(u.id) ? estimateTokens(ctx) : 0;
      return { ok: true, correct: limits.admit(u, estimate) };
    },
  };
}

export type Guard = ReturnType<typeof createGuard>;
