// The live, ordered upstream list the proxy reads on every request. Rebuilt only when the store
// changes, so the hot path reads a precomputed array. Runtime stats are kept per upstream id and
// survive rebuilds.
import { DEFAULT_GROUPS } from "../../shared/upstream-fields.ts";
import type { UpstreamRecord } from "../store/types.ts";
import { compileModelRules, type ModelMatcher } from "./models.ts";
import { compileTarget, type UpstreamTarget } from "./target.ts";

export interface Timeouts {
  timeoutMs: number;
  streamTimeoutMs: number;
  stallTimeoutMs: number;
  /** Bounds of `stream_timeout: auto` (an upstream's own stream_timeout, if set, is its ceiling). */
  streamTimeoutMinMs?: number;
  streamTimeoutMaxMs?: number;
}

const WINDOW = 100; // recent attempts kept for success rate and latency
export const AUTO_STREAM_TIMEOUT = { minMs: 2_000, maxMs: 60_000, samples: 128, warmup: 20, factor: 3 };
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export class UpstreamStats {
  inflight = 0;
  requests = 0;
  failures = 0;
  lastError: string | null = null;
  lastErrorAt: number | null = null;
  private ok = new Uint8Array(WINDOW);
  private ms = new Float64Array(WINDOW);
  private n = 0;

  /** Decaying average of time to first token (streams) or latency, for least-latency. */
  ewmaMs: number | null = null;
  private ttft = new Float64Array(AUTO_STREAM_TIMEOUT.samples); // per-attempt time to first token
  private ttftN = 0;
  private autoMs: number | null = null; // p95 × factor, recomputed lazily after new samples

  observeTtft(ms: number): void {
    this.ttft[this.ttftN++ % this.ttft.length] = ms;
    this.autoMs = null;
  }

  /**
   * `stream_timeout: auto`: three times the 95th percentile of recent first-token times, within
   * bounds; the configured default until there are enough samples to trust.
   */
  autoStreamTimeout(minMs: number, maxMs: number, initialMs: number): number {
    if (this.ttftN < AUTO_STREAM_TIMEOUT.warmup) return clamp(initialMs, minMs, maxMs);
    if (this.autoMs === null) {
      const sorted = this.ttft.slice(0, Math.min(this.ttftN, this.ttft.length)).sort();
      this.autoMs = Math.round(sorted[Math.ceil(sorted.length * 0.95) - 1]! * AUTO_STREAM_TIMEOUT.factor);
    }
    return clamp(this.autoMs, minMs, maxMs);
  }

  observeLatency(ms: number): void {
    this.ewmaMs = this.ewmaMs === null ? ms : this.ewmaMs * 0.8 + ms * 0.2;
  }

  record(ok: boolean, ms: number, error: string | null, now: number): void {
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

export interface PoolUpstream extends Readonly<Omit<UpstreamRecord, "groups" | "responses">> {
  readonly weight: number; // resolved: null → 1
  /** Serves POST /v1/responses itself (else Route translates to Chat Completions). */
  readonly responses: boolean;
  readonly groups: readonly string[]; // resolved: null → ["default"]
  readonly priority: number; // resolved: null → 0
  /** Live, for strategies (a getter on the stats, no copy per request). */
  readonly inflight: number;
  readonly latencyMs: number | null;
  readonly label: string; // name, or "#<id>" for an unnamed upstream: used in headers, logs, metrics
  readonly effectiveTimeoutMs: number;
  /** Fixed, or derived from observed first-token times (`stream_timeout: auto`). */
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

/** Anthropic's Messages API and Gemini's OpenAI-compatible endpoint have no /responses; others do unless told. */
export const servesResponses = (r: Pick<UpstreamRecord, "type" | "responses">): boolean =>
  r.type === "anthropic" || r.type === "gemini" ? false : (r.responses ?? true);

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
        const auto = r.streamTimeoutAuto;
        const fixedStream = r.streamTimeoutMs ?? defaults.streamTimeoutMs;
        const autoMin = defaults.streamTimeoutMinMs ?? AUTO_STREAM_TIMEOUT.minMs;
        const autoMax = Math.max(autoMin, r.streamTimeoutMs ?? defaults.streamTimeoutMaxMs ?? AUTO_STREAM_TIMEOUT.maxMs);
        return Object.freeze({
          ...r,
          label: r.name ?? `#${r.id}`,
          weight: r.weight ?? 1,
          priority: r.priority ?? 0,
          groups: r.groups ?? DEFAULT_GROUPS,
          responses: servesResponses(r),
          get inflight() {
            return s.inflight;
          },
          get latencyMs() {
            return s.ewmaMs;
          },
          effectiveTimeoutMs: r.timeoutMs ?? defaults.timeoutMs,
          get effectiveStreamTimeoutMs() {
            return auto ? s.autoStreamTimeout(autoMin, autoMax, defaults.streamTimeoutMs) : fixedStream;
          },
          effectiveStallTimeoutMs: r.stallTimeoutMs ?? defaults.stallTimeoutMs,
          stats: s,
          matcher: compileModelRules({ models: r.models ?? [], mapping: r.modelMapping ?? {} }),
          target: compileTarget(r),
        });
      });
      // A limit of 0 is api-together's "never use": out of rotation like a disabled upstream.
      enabled = all.filter((u) => u.enabled && u.rpm !== 0 && u.rpd !== 0 && u.tpm !== 0);
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
