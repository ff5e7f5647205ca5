// stats.history from rollup rows (store/rollup.ts): sums and merged histograms per hour or UTC day
// bucket, in total, and per upstream, model or client key. Pure: the caller reads the rows.
import type { HistorySummaryView, HistoryView } from "../../shared/rpc/history-contract.ts";
import { addInto, HIST_BUCKETS, histPercentile, HOUR_MS, ROLLUP_COUNTERS, type RollupCounter, type RollupRecord } from "../store/rollup.ts";

const DAY_MS = 24 * HOUR_MS;
export const BUCKET_MS = { hour: HOUR_MS, day: DAY_MS } as const;

interface Acc {
  c: Record<RollupCounter, number>;
  latency: number[];
  ttft: number[];
}

const empty = (): Acc => ({ c: Object.fromEntries(ROLLUP_COUNTERS.map((k) => [k, 0])) as Record<RollupCounter, number>, latency: new Array(HIST_BUCKETS).fill(0), ttft: new Array(HIST_BUCKETS).fill(0) });

function add(a: Acc, r: RollupRecord): void {
  for (const k of ROLLUP_COUNTERS) a.c[k] += r.counters[k];
  addInto(a.latency, r.latency);
  addInto(a.ttft, r.ttft);
}

const percentiles = (h: number[]) => {
  const p50 = histPercentile(h, 0.5);
  return p50 === null ? null : { p50, p95: histPercentile(h, 0.95)!, p99: histPercentile(h, 0.99)! };
};

export function summary({ c, latency, ttft }: Acc): HistorySummaryView {
  return {
    requests: c.requests,
    errors: c.errors,
    errorRate: c.requests ? c.errors / c.requests : null,
    errorsByClass: { timeout: c.errTimeout, connect: c.errConnect, limited: c.errLimited, stream: c.errStream, client: c.errClient, other: c.errOther, "4xx": c.status4xx, "5xx": c.status5xx },
    tokens: { prompt: c.promptTokens, completion: c.completionTokens, cached: c.cachedTokens, cacheWrite: c.cacheWriteTokens, reasoning: c.reasoningTokens },
    costMicros: c.costMicros,
    unpriced: c.unpriced,
    latencyMs: percentiles(latency),
    ttftMs: percentiles(ttft),
  };
}

export interface HistoryRequest {
  since: number;
  until: number;
  bucket: "hour" | "day";
  by: "upstream" | "model" | "key";
  /** A key id's name (0: shared-key traffic). */
  keyName: (id: number) => string;
}

/** `rows`: the rollup rows of hours in [since's hour, until). */
export function buildHistory(rows: RollupRecord[], q: HistoryRequest): HistoryView {
  const size = BUCKET_MS[q.bucket];
  const start = Math.floor(q.since / size) * size;
  const n = Math.max(1, Math.ceil((q.until - start) / size));
  const series = Array.from({ length: n }, empty);
  const totals = empty();
  const groups = new Map<string, Acc>();
  const nameOf = (r: RollupRecord) => (q.by === "upstream" ? r.upstream || "(none)" : q.by === "model" ? r.model || "(none)" : q.keyName(r.keyId));
  for (const r of rows) {
    const i = Math.floor((r.hour - start) / size);
    if (i < 0 || i >= n) continue;
    add(series[i]!, r);
    add(totals, r);
    const name = nameOf(r);
    let g = groups.get(name);
    if (!g) groups.set(name, (g = empty()));
    add(g, r);
  }
  return {
    since: start,
    until: q.until,
    bucket: q.bucket,
    series: series.map((a, i) => ({ start: start + i * size, ...summary(a) })),
    totals: summary(totals),
    by: q.by,
    groups: [...groups].map(([name, a]) => ({ name, ...summary(a) })).sort((x, y) => y.requests - x.requests || (x.name < y.name ? -1 : 1)),
  };
}
