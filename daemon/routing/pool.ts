// The live, ordered upstream list the proxy reads on every request. Rebuilt only when the store
// changes, so the hot path reads a precomputed array. Runtime stats are kept per upstream id and
// survive rebuilds.
import type { UpstreamRecord } from "../store/types.ts";
import { compileModelRules, type ModelMatcher } from "./models.ts";
import { compileTarget, type UpstreamTarget } from "./target.ts";

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

  /** Decaying average of time to first token (streams) or latency, for least-latency. */
  ewmaMs: number | null = null;

  observeLatency(ms: number): void {
    this.ewmaMs = this.ewmaMs === null ? ms : this.ewmaMs * 0.8 + ms * 0.2;
  }

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
  readonly weight: number; // resolved: null → 1
  readonly priority: number; // resolved: null → 0
  /** Live, for strategies (a getter on the stats, no copy per request). */
  readonly inflight: number;
  readonly latencyMs: number | null;
  readonly label: string; // name, or "#<id>" for an unnamed upstream: used in headers, logs, metrics
  readonly effectiveTimeoutMs: number;
  readonly effectiveStreamTimeoutMs: number;
  readonly effectiveStallTimeoutMs: number;
  readonly stats: UpstreamStats;
  /** Which models it serves and under which name (compiled once per rebuild). */
  readonly matcher: ModelMatcher;
  readonly target: UpstreamTarget;
}

const strings = (v: unknown): string[] | null => (Array.isArray(v) && v.every((x) => typeof x === "string") ? v : null);
const stringMap = (v: unknown): Record<string, string> | null =>
  v && typeof v === "object" && Object.values(v).every((x) => typeof x === "string") ? (v as Record<string, string>) : null;
const int = (v: unknown): number | null => (Number.isInteger(v) ? (v as number) : null);

/**
 * The settings in effect: api-together's fields that an older import kept in `extra` (rpm, rpd,
 * models, modelMapping) count as settings when the setting itself is absent.
 */
export function effectiveSettings(r: UpstreamRecord): UpstreamRecord {
  const x = r.extra;
  if (!x) return r;
  return {
    ...r,
    models: r.models ?? strings(x.models),
    modelMapping: r.modelMapping ?? stringMap(x.modelMapping),
    rpm: r.rpm ?? int(x.rpm),
    rpd: r.rpd ?? int(x.rpd),
  };
}

export function createPool(defaults: Timeouts) {
  const stats = new Map<number, UpstreamStats>();
  let all: PoolUpstream[] = [];
  let enabled: PoolUpstream[] = [];
  let advertised: string[] | null = null;

  return {
    defaults,
    set(records: UpstreamRecord[]): void {
      all = records.map((rec) => {
        const r = effectiveSettings(rec);
        let s = stats.get(r.id);
        if (!s) stats.set(r.id, (s = new UpstreamStats()));
        return Object.freeze({
          ...r,
          label: r.name ?? `#${r.id}`,
          weight: r.weight ?? 1,
          priority: r.priority ?? 0,
          get inflight() {
            return s.inflight;
          },
          get latencyMs() {
            return s.ewmaMs;
          },
          effectiveTimeoutMs: r.timeoutMs ?? defaults.timeoutMs,
          effectiveStreamTimeoutMs: r.streamTimeoutMs ?? defaults.streamTimeoutMs,
          effectiveStallTimeoutMs: r.stallTimeoutMs ?? defaults.stallTimeoutMs,
          stats: s,
          matcher: compileModelRules({ models: r.models ?? [], mapping: r.modelMapping ?? {} }),
          target: compileTarget(r),
        });
      });
      enabled = all.filter((u) => u.enabled);
      const declared = enabled.filter((u) => (u.models?.length ?? 0) > 0 || Object.keys(u.modelMapping ?? {}).length > 0);
      advertised = declared.length === 0 ? null : [...new Set(declared.flatMap((u) => u.matcher.advertised()))].sort();
      for (const id of stats.keys()) if (!all.some((u) => u.id === id)) stats.delete(id);
    },
    /** Every upstream, in failover order. */
    all: (): readonly PoolUpstream[] => all,
    /** The upstreams a request may try, in failover order. */
    candidates: (): readonly PoolUpstream[] => enabled,
    get: (id: number) => all.find((u) => u.id === id),
    /** Models the enabled upstreams declare (union, sorted); null when none declares any. */
    advertised: () => advertised,
    /** By id ("3", "#3") or name, as pinning names them. */
    find(ref: string): PoolUpstream | undefined {
      const s = ref.replace(/^#(?=\d+$)/, "");
      return all.find((u) => u.name === s) ?? (/^\d+$/.test(s) ? all.find((u) => u.id === Number(s)) : undefined);
    },
  };
}

export type Pool = ReturnType<typeof createPool>;
