// The live, ordered upstream list the proxy reads on every request. Rebuilt only when the store
// changes, so the hot path reads a precomputed array. Runtime stats are kept per upstream id and
// survive rebuilds.
import type { UpstreamRecord } from "../store/types.ts";

export interface Timeouts {
  timeoutMs: number;
  streamTimeoutMs: number;
  stallTimeoutMs: number;
}

const WINDOW = 100; // recent attempts kept for success rate and latency

export class UpstreamStats {
  inflight = 0;
  requests = 0;
  failures = 0;
  lastError: string | null = null;
  lastErrorAt: number | null = null;
  private ok = new Uint8Array(WINDOW);
  private ms = new Float64Array(WINDOW);
  private n = 0;
  private minute = new Uint32Array(60); // attempts per second over the last minute
  private minuteAt = new Float64Array(60);
  private day = 0;
  private dayStart = 0;

  record(ok: boolean, ms: number, error: string | null, now: number): void {
    const sec = Math.floor(now / 1000);
    const slot = sec % 60;
    if (this.minuteAt[slot] !== sec) {
      this.minuteAt[slot] = sec;
      this.minute[slot] = 0;
    }
    this.minute[slot]!++;
    const dayStart = now - (now % 86_400_000); // UTC day
    if (dayStart !== this.dayStart) {
      this.dayStart = dayStart;
      this.day = 0;
    }
    this.day++;
    const i = this.n++ % WINDOW;
    this.ok[i] = ok ? 1 : 0;
    this.ms[i] = ms;
    this.requests++;
    if (!ok) {
      this.failures++;
      this.lastError = error;
      this.lastErrorAt = now;
    }
  }

  /** Attempts in the last 60 seconds. */
  lastMinute(now: number): number {
    const sec = Math.floor(now / 1000);
    let sum = 0;
    for (let i = 0; i < 60; i++) if (sec - this.minuteAt[i]! < 60) sum += this.minute[i]!;
    return sum;
  }

  /** Attempts since midnight UTC. */
  today(now: number): number {
    return now - (now % 86_400_000) === this.dayStart ? this.day : 0;
  }

  /** Success rate and mean latency of successful attempts over the recent window. */
  recent(): { attempts: number; successRate: number | null; latencyMs: number | null } {
    const count = Math.min(this.n, WINDOW);
    let okCount = 0;
    let sum = 0;
    for (let i = 0; i < count; i++) {
      if (this.ok[i]) {
        okCount++;
        sum += this.ms[i]!;
      }
    }
    return {
      attempts: count,
      successRate: count ? okCount / count : null,
      latencyMs: okCount ? Math.round(sum / okCount) : null,
    };
  }
}

export interface PoolUpstream extends Readonly<UpstreamRecord> {
  readonly label: string; // name, or "#<id>" for an unnamed upstream: used in headers, logs, metrics
  readonly effectiveTimeoutMs: number;
  readonly effectiveStreamTimeoutMs: number;
  readonly stats: UpstreamStats;
}

export function createPool(defaults: Timeouts) {
  const stats = new Map<number, UpstreamStats>();
  let all: PoolUpstream[] = [];
  let enabled: PoolUpstream[] = [];

  return {
    defaults,
    set(records: UpstreamRecord[]): void {
      all = records.map((r) => {
        let s = stats.get(r.id);
        if (!s) stats.set(r.id, (s = new UpstreamStats()));
        return Object.freeze({
          ...r,
          label: r.name ?? `#${r.id}`,
          effectiveTimeoutMs: r.timeoutMs ?? defaults.timeoutMs,
          effectiveStreamTimeoutMs: r.streamTimeoutMs ?? defaults.streamTimeoutMs,
          stats: s,
        });
      });
      enabled = all.filter((u) => u.enabled);
      for (const id of stats.keys()) if (!all.some((u) => u.id === id)) stats.delete(id);
    },
    /** Every upstream, in failover order. */
    all: (): readonly PoolUpstream[] => all,
    /** The upstreams a request may try, in failover order. */
    candidates: (): readonly PoolUpstream[] => enabled,
    get: (id: number) => all.find((u) => u.id === id),
  };
}

export type Pool = ReturnType<typeof createPool>;
