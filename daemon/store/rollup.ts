// The hourly rollup kept forever (issue 17): per hour × upstream × model × client key, the sums of
// the request-log rows written (requests, errors by class, tokens by class, cost) and log-scale
// histograms of latency and time to first token, so percentiles can be merged across hours, keys
// and nodes (percentiles themselves cannot be summed).
//
// Histogram: HIST_BUCKETS buckets; bucket 0 holds [0, 1) ms, bucket i ≥ 1 holds [√2^(i-1), √2^i) ms,
// the last one everything from √2^46 ms (≈ 2.3 h) up. A percentile is read as the nearest-rank
// bucket's geometric middle, so it is within a factor 2^(1/4) (+19 % / −16 %) of the exact
// nearest-rank percentile of the rows (or under 1 ms off in bucket 0).
//
// Each batch of rows is folded in the transaction that inserts it, and only the rows it really
// inserted count (a replayed id is skipped by the insert and so by the fold): the rollup stays the
// exact sum of the rows that were ever written, even after crashes and replays.
import type { LogRow } from "./types.ts";

export const HIST_BUCKETS = 48;
const STEP = Math.SQRT2;

/** Counter columns, in the order every vector and statement uses. */
export const ROLLUP_COUNTERS = [
  "requests", "errors", "status4xx", "status5xx",
  "errTimeout", "errConnect", "errLimited", "errStream", "errClient", "errOther",
  "promptTokens", "completionTokens", "cachedTokens", "cacheWriteTokens", "reasoningTokens",
  "costMicros", "unpriced",
] as const;
export type RollupCounter = (typeof ROLLUP_COUNTERS)[number];
/** The counter columns of a rollup table (both dialects), each made by `make` from its snake_case name. */
export function counterColumns<T>(make: (name: string) => T): Record<RollupCounter, T> {
  return Object.fromEntries(ROLLUP_COUNTERS.map((k) => [k, make(k.replace(/[A-Z]|\d+/g, (m) => `_${m.toLowerCase()}`))])) as Record<RollupCounter, T>;
}
/** The key columns, then the counters, then the two histograms: the rollup table's column order. */
export const ROLLUP_COLUMNS = ["hour", "upstream", "model", "keyId", ...ROLLUP_COUNTERS, "latencyHist", "ttftHist"] as const;
export const ROLLUP_KEY = ["hour", "upstream", "model", "keyId"] as const;
const C = ROLLUP_COUNTERS.length;
const AT = Object.fromEntries(ROLLUP_COUNTERS.map((k, i) => [k, i])) as Record<RollupCounter, number>;

export interface RollupRecord {
  hour: number; // ms, the hour's start (UTC)
  upstream: string; // the answering upstream's label as logged; "" for none
  model: string; // the requested model; "" for none
  keyId: number; // the client key; 0 for none (a shared key)
  counters: Record<RollupCounter, number>;
  latency: number[]; // HIST_BUCKETS counts of total time
  ttft: number[]; // HIST_BUCKETS counts of time to first token (rows that had one)
}

export const HOUR_MS = 3_600_000;

export function histBucket(ms: number): number {
  if (!(ms >= 1)) return 0;
  return Math.min(HIST_BUCKETS - 1, Math.floor(Math.log2(ms) * 2) + 1);
}

/** The value a bucket stands for: its geometric middle (bucket 0: 0.5 ms). */
export function bucketValue(i: number): number {
  return i === 0 ? 0.5 : STEP ** (i - 0.5);
}

/** Nearest-rank percentile `q` (0..1) of a histogram; null when it is empty. */
export function histPercentile(hist: readonly number[], q: number): number | null {
  let total = 0;
  for (const n of hist) total += n;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= rank) return bucketValue(i);
  }
  return bucketValue(hist.length - 1);
}

/** Adds `b` into `a`, element by element. */
export function addInto(a: number[], b: readonly number[]): number[] {
  for (let i = 0; i < b.length; i++) a[i] = (a[i] ?? 0) + b[i]!;
  return a;
}

type ErrorClass = "errTimeout" | "errConnect" | "errLimited" | "errStream" | "errClient" | "errOther";

/** One class per failed row: by Route's error code first, else by its status. */
export function errorClass(code: string | null, status: number): ErrorClass | null {
  if (code === null && status < 400) return null;
  const c = code ?? "";
  if (/client_(closed|gone)/.test(c) || status === 499) return "errClient";
  if (/timeout|stall/.test(c)) return "errTimeout";
  if (/rate_limit|limited|daily_limit|budget|exhausted|busy|overloaded|quota/.test(c) || status === 429) return "errLimited";
  if (/connect|no_upstream|upstream_down|unreachable|refused|dns/.test(c)) return "errConnect";
  if (/reset|(^|_)stream|event_too_large|bad_reply/.test(c)) return "errStream"; // not "upstream_…"
  return "errOther";
}

/** A row's key values (ROLLUP_KEY order) and its counters, histogram buckets after them. */
export function contribution(row: LogRow): { key: (string | number)[]; vec: number[] } {
  const vec = new Array<number>(C + 2).fill(0);
  const cls = errorClass(row.errorCode, row.status);
  vec[AT.requests] = 1;
  if (cls) vec[AT.errors] = vec[AT[cls]] = 1;
  if (row.status >= 400 && row.status < 500) vec[AT.status4xx] = 1;
  if (row.status >= 500) vec[AT.status5xx] = 1;
  vec[AT.promptTokens] = row.promptTokens ?? 0;
  vec[AT.completionTokens] = row.completionTokens ?? 0;
  vec[AT.cachedTokens] = row.cachedTokens ?? 0;
  vec[AT.cacheWriteTokens] = row.cacheWriteTokens ?? 0;
  vec[AT.reasoningTokens] = row.reasoningTokens ?? 0;
  vec[AT.costMicros] = row.costMicros ?? 0;
  // As key usage counts it (key-spend.ts): used tokens with no known price; a failure used none.
  vec[AT.unpriced] = row.costMicros === null && row.totalTokens !== null ? 1 : 0;
  vec[C] = histBucket(row.totalMs);
  vec[C + 1] = row.ttftMs === null ? -1 : histBucket(row.ttftMs);
  return { key: [Math.floor(row.ts / HOUR_MS) * HOUR_MS, row.upstreamName ?? "", row.model ?? "", row.keyId ?? 0], vec };
}

/** What a store's insert needs beside the rows: the distinct keys and each row's [group, ...vector]. */
export interface RollupBatch {
  keys: (string | number)[][];
  contrib: number[][];
}

export function rollupBatch(rows: LogRow[]): RollupBatch {
  const groups = new Map<string, number>();
  const keys: (string | number)[][] = [];
  const contrib = rows.map((r) => {
    const { key, vec } = contribution(r);
    const id = `${key[0]}\0${key[1]}\0${key[2]}\0${key[3]}`;
    let g = groups.get(id);
    if (g === undefined) groups.set(id, (g = keys.push(key) - 1));
    return [g, ...vec];
  });
  return { keys, contrib };
}

/**
 * Inserts each row (`insert` returns how many it wrote: 0 for an id already stored) and sums the
 * inserted rows per group; then `upsert` gets each group's key values, counters and the two
 * histograms (arrays of counts), in ROLLUP_COLUMNS order. Self-contained (no outer names): the SQLite
 * log thread runs its source text.
 */
export function foldBatch(
  rows: unknown[][],
  batch: { keys: unknown[][]; contrib: number[][] },
  insert: (row: unknown[], i: number) => number,
  upsert: (values: unknown[]) => void,
  counters: number,
  buckets: number,
): void {
  const sums: number[][] = [];
  for (let i = 0; i < rows.length; i++) {
    if (insert(rows[i]!, i) === 0) continue; // already stored (a replay): its numbers are in the rollup
    const c = batch.contrib[i]!;
    const s = (sums[c[0]!] ??= new Array(counters + 2 * buckets).fill(0));
    for (let j = 0; j < counters; j++) s[j]! += c[1 + j]!;
    s[counters + c[1 + counters]!]!++;
    if (c[2 + counters]! >= 0) s[counters + buckets + c[2 + counters]!]!++;
  }
  // Groups in key order, so two nodes upserting the same keys lock them in the same order.
  const order = batch.keys.map((_, g) => g).filter((g) => sums[g]);
  const ids = order.map((g) => JSON.stringify(batch.keys[g])); // once per group, not per comparison
  const rank = new Map(order.map((g, i) => [g, ids[i]!]));
  order.sort((a, b) => (rank.get(a)! < rank.get(b)! ? -1 : 1));
  for (const g of order) {
    const s = sums[g]!;
    upsert([...batch.keys[g]!, ...s.slice(0, counters), s.slice(counters, counters + buckets), s.slice(counters + buckets)]);
  }
}

/**
 * SQLite's upsert for foldBatch: adds the histograms stored under the key (`stored`, a point read;
 * the batch's inserts hold the write lock, so nothing changes them in between) to the batch's, and
 * `write`s them as JSON (merging JSON arrays in SQL costs ~100x more). Self-contained, like foldBatch.
 */
export function mergingUpsert(stored: (key: unknown[]) => { l: string; t: string } | null | undefined, write: (values: unknown[]) => void, keys: number, counters: number) {
  return (v: unknown[]): void => {
    const old = stored(v.slice(0, keys));
    const hists = [v[keys + counters], v[keys + counters + 1]] as number[][];
    if (old) [old.l, old.t].forEach((h, j) => (JSON.parse(h) as number[]).forEach((n, i) => (hists[j]![i] = (hists[j]![i] ?? 0) + n)));
    write([...v.slice(0, keys + counters), JSON.stringify(hists[0]), JSON.stringify(hists[1])]);
  };
}

/** The rollup's column layout, for the stores' fold (foldBatch's last two arguments). */
export const FOLD_LAYOUT = [C, HIST_BUCKETS] as const;
export const KEY_COLUMNS = ROLLUP_KEY.length;

/** A stored rollup row (counter columns by name, histograms as arrays or JSON) as a RollupRecord. */
export function toRollupRecord(r: Record<string, unknown>): RollupRecord {
  const hist = (v: unknown) => (typeof v === "string" ? (JSON.parse(v) as number[]) : (v as number[]).map(Number));
  const counters = {} as Record<RollupCounter, number>;
  for (const k of ROLLUP_COUNTERS) counters[k] = Number(r[k]);
  return { hour: Number(r.hour), upstream: r.upstream as string, model: r.model as string, keyId: Number(r.keyId), counters, latency: hist(r.latencyHist), ttft: hist(r.ttftHist) };
}

/** Throws unless `keys` (a schema's column keys, in order) is ROLLUP_COLUMNS. */
export function checkRollupColumns(keys: string[]): void {
  if (keys.join() !== ROLLUP_COLUMNS.join()) throw new Error(`log_rollup columns changed (${keys.join(", ")}); update ROLLUP_COLUMNS`);
}

export interface RollupQuery {
  since: number; // ms, inclusive: rows of hours starting at or after the hour holding it
  until?: number; // ms, exclusive
  upstream?: string;
  model?: string;
  keyId?: number; // 0: shared-key traffic
  /** At most this many rows (the reader's bound: a period past it is refused, not loaded). */
  limit?: number;
}
