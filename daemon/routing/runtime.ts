// The upstreams' runtime state beside the pool, wired once for the daemon: limit counters
// (persisted), health breakers (fed by attempts and active checks, alerting on transitions), the
// guard that consults both, and the config settings that shape them.
import type { ConfigFile } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import type { NotifyEvent } from "../notify/events.ts";
import type { Store, UpstreamRecord } from "../store/types.ts";
import { probeUpstream } from "../upstreams/probe.ts";
import { createGuard, type SharedLimitGate } from "./guard.ts";
import { createHealthBook, fingerprint, verdictOf, type HealthBook } from "./health-book.ts";
import { createHealthChecker } from "./health-check.ts";
import { DEFAULT_HEALTH, type HealthPolicy } from "./health.ts";
import { createLimitBook, type LimitBook } from "./limit-book.ts";
import type { Pool, PoolUpstream } from "./pool.ts";
import { createRotationLog } from "./rotation-log.ts";
import type { Gate } from "./router.ts";

export function healthPolicy(c: ConfigFile): HealthPolicy {
  const h = c.health ?? {};
  const base = h.cooldown ?? DEFAULT_HEALTH.baseCooldownMs;
  return {
    window: h.window ?? DEFAULT_HEALTH.window,
    minFailures: h.min_failures ?? DEFAULT_HEALTH.minFailures,
    failureRatio: h.failure_ratio ?? DEFAULT_HEALTH.failureRatio,
    baseCooldownMs: base,
    maxCooldownMs: Math.max(base, h.max_cooldown ?? DEFAULT_HEALTH.maxCooldownMs),
  };
}

/** Retry-After: seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(v: string | null | undefined, now = Date.now()): number | undefined {
  if (!v) return undefined;
  const s = Number(v);
  const ms = Number.isFinite(s) ? s * 1000 : Date.parse(v) - now;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

export interface RuntimeDeps {
  pool: Pool;
  config: ConfigFile;
  now?: () => number;
  log: Logger;
  emit: (e: NotifyEvent) => void;
  /** Limits shared by several nodes (daemon/redis), built on this runtime's counters and breakers. */
  shared?: ((limits: LimitBook, health: HealthBook) => SharedLimitGate) | null;
}

export function createUpstreamRuntime(deps: RuntimeDeps) {
  const { pool, log, emit } = deps;
  const now = deps.now ?? Date.now;
  let timeZone = deps.config.timezone ?? "UTC";
  const limits = createLimitBook({
    now,
    timeZone,
    onDailyLimit: (label, rpd) =>
      emit({ type: "upstream_daily_limit", upstream: label, summary: `${label} used all ${rpd} requests of its daily limit; it is out of rotation until midnight (${timeZone})`, at: now() }),
  });
  const rotation = createRotationLog(log, now);
  const health = createHealthBook({
    now,
    policy: healthPolicy(deps.config),
    onTransition(label, t, snap) {
      if (t === "restored") {
        rotation.restored(label);
        emit({ type: "upstream_up", upstream: label, summary: `${label} is back in rotation`, at: now() });
        return;
      }
      const back = snap.until !== null ? `tried again after ${new Date(snap.until).toISOString()}` : "until its key is fixed (edit the upstream, or run routectl test once fixed)";
      rotation.ejected(label, snap);
      emit({ type: "upstream_down", upstream: label, summary: `${label} is out of rotation (${snap.state}): ${snap.reason}; ${back}`, detail: { state: snap.state, ejections: snap.ejections }, at: now() });
    },
  });
  const guard = createGuard({ limits, health, shared: deps.shared?.(limits, health) });
  const checker = createHealthChecker({ pool, health, probe: (u, ms) => probeUpstream(u, ms) });
  checker.configure(deps.config.health_check_interval);

  return {
    limits,
    health,
    guard,
    checker,
    /** The guard's gate, as the router asks it once per request: an upstream found out of rotation is counted for the log. */
    planGate(u: PoolUpstream): Gate {
      const g = guard.gate(u);
      if (!g.ok && (g.why === "cooling" || g.why === "misconfigured")) rotation.skipped(u.label);
      return g;
    },
    /** After every pool rebuild (the records it was built from, same order). */
    sync(records: readonly UpstreamRecord[]): void {
      limits.sync(pool.all());
      health.sync(pool.all(), records.map(fingerprint));
      rotation.retain(new Set(pool.all().filter((u) => health.snapshot(u.id).state !== "healthy").map((u) => u.label)));
    },
    configure(c: ConfigFile): void {
      timeZone = c.timezone ?? "UTC";
      limits.setTimeZone(timeZone);
      health.configure(healthPolicy(c));
      checker.configure(c.health_check_interval);
    },
    /** What one attempt's outcome says about its upstream (attempt.ts calls this). */
    verdict(up: PoolUpstream, outcome: string, status?: number, retryAfter?: string | null): void {
      const v = verdictOf(outcome, status);
      if (v === "ok" || v === "neutral") return health.report(up.id, v);
      const retryAfterMs = v === "rate_limited" ? parseRetryAfter(retryAfter, now()) : undefined;
      const reason = v === "auth_failed" ? `answered ${status}: its key was refused` : v === "rate_limited" && retryAfterMs ? `answered 429 with Retry-After ${Math.ceil(retryAfterMs / 1000)} s` : undefined;
      health.report(up.id, v, { retryAfterMs, reason });
    },
    async load(store: Store): Promise<void> {
      await limits.load(store);
    },
    stop: () => checker.stop(),
  };
}

export type UpstreamRuntime = ReturnType<typeof createUpstreamRuntime>;
