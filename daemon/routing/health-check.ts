// Optional active health checks (`health_check_interval`): a small real request to each enabled
// upstream (GET {endpoint}/models, as `routectl test` sends), whose result feeds the same breaker
// as real traffic. A cooling upstream is checked only once its cooldown is over, as its half-open
// trial, so an idle gateway still brings a recovered upstream back; a misconfigured one waits for
// an operator (a listing that works says nothing about a key refused for completions).
import type { ProbeResult } from "../upstreams/probe.ts";
import type { HealthBook } from "./health-book.ts";
import { verdictOf } from "./health-book.ts";
import type { Pool, PoolUpstream } from "./pool.ts";

const PROBE_CAP_MS = 10_000;

/** What a probe's answer says about the upstream (a 404 for /models proves nothing either way). */
export function probeOutcome(r: ProbeResult): { outcome: string; status?: number } {
  if (r.status === null) return { outcome: "connect_error" };
  if (r.ok) return { outcome: "ok", status: r.status };
  if (r.status === 429) return { outcome: "http_429", status: r.status };
  return { outcome: r.status >= 500 ? "http_5xx" : "http_4xx", status: r.status };
}

/** `confirmed`: an operator's test, whose 401 is trusted at once (active checks need it twice). */
export function feedProbe(health: HealthBook, id: number, r: ProbeResult, confirmed = false): void {
  const { outcome, status } = probeOutcome(r);
  health.report(id, verdictOf(outcome, status), { reason: r.error ?? undefined, confirmed });
}

export interface HealthCheckDeps {
  pool: Pool;
  health: HealthBook;
  probe: (u: PoolUpstream, timeoutMs: number) => Promise<ProbeResult>;
}

export function createHealthChecker(deps: HealthCheckDeps) {
  let timer: ReturnType<typeof setInterval> | undefined;
  let running: Promise<void> | null = null;

  async function round(): Promise<void> {
    await Promise.all(
      deps.pool.candidates().map(async (u) => {
        if (!deps.health.admit(u.id, false)) return; // cooling (not due yet), trial under way, or misconfigured
        feedProbe(deps.health, u.id, await deps.probe(u, Math.min(u.effectiveTimeoutMs, PROBE_CAP_MS)));
      }),
    );
  }

  return {
    /** (Re)starts the checks every `intervalMs`; null or undefined stops them. */
    configure(intervalMs: number | null | undefined): void {
      clearInterval(timer);
      timer = undefined;
      if (!intervalMs) return;
      timer = setInterval(() => {
        if (running) return; // a slow round never overlaps the next
        running = round().finally(() => (running = null));
      }, intervalMs);
      timer.unref();
    },
    /** One round now (tests, and the first check after start). */
    runOnce: () => round(),
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

export type HealthChecker = ReturnType<typeof createHealthChecker>;
