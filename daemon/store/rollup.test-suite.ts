// The rollup contract (rollup.ts) on every backend: after any mix of batches, replays and restarts,
// each rollup row is the sum over the request-log rows of its hour × upstream × model × key, and its
// percentiles are within the histogram's documented error of the rows' exact percentiles.
import { afterEach, describe, expect, test } from "bun:test";
import { logRow } from "./contract.test-suite.ts";
import { errorClass, histPercentile, HOUR_MS, ROLLUP_COUNTERS, type RollupCounter, type RollupRecord } from "./rollup.ts";
import type { LogRow, Store } from "./types.ts";

export interface RollupFactory {
  name: string;
  open(): Promise<Store>;
  /** A second store on the database the last open() made (a restart); absent for :memory:. */
  reopen?(): Promise<Store>;
}

const T0 = Date.UTC(2025, 0, 1, 10);
const STATUSES: [number, string | null][] = [[200, null], [200, null], [200, null], [200, "upstream_reset"], [429, "rate_limit_exceeded"], [502, "upstream_error"], [504, "upstream_timeout"], [400, null], [499, "client_closed"], [503, "no_upstream"]];

/** `n` varied rows over 5 hours, 3 upstreams (and none), 3 models, 2 keys and the shared one. */
export function mixedRows(n: number, seed = 7, prefix = "0193"): LogRow[] {
  let s = seed;
  const rand = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, (_, i) => {
    const [status, errorCode] = STATUSES[Math.floor(rand() * STATUSES.length)]!;
    const up = Math.floor(rand() * 4);
    const key = Math.floor(rand() * 3);
    const priced = rand() < 0.8;
    return {
      ...logRow(`${prefix}-${String(i).padStart(5, "0")}`, i % 50),
      ts: T0 + Math.floor(rand() * 5 * HOUR_MS), status, errorCode,
      upstreamName: up === 3 ? null : `up-${up}`, upstreamId: up === 3 ? null : up + 1, model: rand() < 0.1 ? null : `m-${Math.floor(rand() * 3)}`,
      keyId: key === 0 ? null : key, keyName: key === 0 ? null : `k${key}`,
      totalMs: Math.round(Math.exp(rand() * Math.log(120_000))), ttftMs: rand() < 0.3 ? null : Math.round(rand() * 5000),
      promptTokens: rand() < 0.1 ? null : Math.floor(rand() * 4000), completionTokens: Math.floor(rand() * 900), cachedTokens: rand() < 0.5 ? null : Math.floor(rand() * 100),
      cacheWriteTokens: Math.floor(rand() * 10), reasoningTokens: rand() < 0.5 ? null : Math.floor(rand() * 300), costMicros: priced ? Math.floor(rand() * 3_000_000_000) : null,
    };
  });
}

const keyOf = (r: { hour: number; upstream: string; model: string; keyId: number }) => `${r.hour}|${r.upstream}|${r.model}|${r.keyId}`;
const rowKey = (r: LogRow) => keyOf({ hour: Math.floor(r.ts / HOUR_MS) * HOUR_MS, upstream: r.upstreamName ?? "", model: r.model ?? "", keyId: r.keyId ?? 0 });

/** The counters of `rows`, summed straight from their fields. */
function sums(rows: LogRow[]): Record<RollupCounter, number> {
  const c = Object.fromEntries(ROLLUP_COUNTERS.map((k) => [k, 0])) as Record<RollupCounter, number>;
  for (const r of rows) {
    c.requests++;
    const cls = errorClass(r.errorCode, r.status);
    if (cls) (c.errors++, c[cls]++);
    if (r.status >= 400 && r.status < 500) c.status4xx++;
    if (r.status >= 500) c.status5xx++;
    c.promptTokens += r.promptTokens ?? 0;
    c.completionTokens += r.completionTokens ?? 0;
    c.cachedTokens += r.cachedTokens ?? 0;
    c.cacheWriteTokens += r.cacheWriteTokens ?? 0;
    c.reasoningTokens += r.reasoningTokens ?? 0;
    c.costMicros += r.costMicros ?? 0;
    if (r.costMicros === null && r.totalTokens !== null) c.unpriced++;
  }
  return c;
}

const exact = (values: number[], q: number) => values.sort((a, b) => a - b)[Math.max(1, Math.ceil(q * values.length)) - 1]!;
const ERROR = 2 ** 0.25;

/** Every group's counters equal the rows' sums; p50/p95/p99 within the histogram's error. */
export function expectRollupOf(rollup: RollupRecord[], rows: LogRow[]): void {
  const byKey = Map.groupBy(rows, rowKey);
  expect(rollup.map(keyOf).sort()).toEqual([...byKey.keys()].sort());
  for (const r of rollup) {
    const mine = byKey.get(keyOf(r))!;
    expect(r.counters).toEqual(sums(mine));
    for (const [hist, values] of [[r.latency, mine.map((x) => x.totalMs)], [r.ttft, mine.flatMap((x) => (x.ttftMs === null ? [] : [x.ttftMs]))]] as const) {
      expect(hist.reduce((a, b) => a + b, 0)).toBe(values.length);
      for (const q of [0.5, 0.95, 0.99]) {
        const got = histPercentile(hist, q);
        if (values.length === 0) expect(got).toBeNull();
        else if (exact(values, q) < 1) expect(got!).toBeLessThan(1);
        else expect(Math.abs(Math.log(got! / exact(values, q)))).toBeLessThanOrEqual(Math.log(ERROR) + 1e-9);
      }
    }
  }
}

export function rollupContract(f: RollupFactory): void {
  const open: Store[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  const track = async (p: Promise<Store>) => {
    const s = await p;
    open.push(s);
    return s;
  };
  const all = { since: 0 };

  describe(`${f.name}: hourly rollup`, () => {
    test("equals the sums over the rows, group by group, over several batches", async () => {
      const store = await track(f.open());
      const rows = mixedRows(1500);
      for (let at = 0; at < rows.length; at += 400) await store.insertLogs(rows.slice(at, at + 400));
      expectRollupOf(await store.readRollup(all), rows);
    });

    test("a replayed batch (ids it has, even with other values) is not counted twice", async () => {
      const store = await track(f.open());
      const rows = mixedRows(300);
      await store.insertLogs(rows.slice(0, 200));
      const replay = rows.slice(100, 200).map((r) => ({ ...r, costMicros: 1, totalMs: 99_999, status: 500 }));
      await store.insertLogs([...replay, ...rows.slice(200)]);
      await store.insertLogs([...rows.slice(0, 50), rows[0]!]);
      expect(await store.countLogs()).toBe(300);
      expectRollupOf(await store.readRollup(all), rows);
    });

    test("filters: hours from since's hour, before until; upstream, model, key (0: shared)", async () => {
      const store = await track(f.open());
      const rows = mixedRows(600);
      await store.insertLogs(rows);
      const since = T0 + 2 * HOUR_MS + 5;
      const until = T0 + 4 * HOUR_MS;
      const q = { since, until, upstream: "up-1", model: "m-2", keyId: 0 };
      const picked = rows.filter((r) => r.ts >= T0 + 2 * HOUR_MS && r.ts < until && r.upstreamName === "up-1" && r.model === "m-2" && r.keyId === null);
      expect(picked.length).toBeGreaterThan(0);
      expectRollupOf(await store.readRollup(q), picked);
      const hours = (await store.readRollup(all)).map((r) => r.hour);
      expect(hours).toEqual([...hours].sort((a, b) => a - b));
    });

    test.skipIf(!f.reopen)("a restart (a new store on the same database) reads the same rollup, and adds to it", async () => {
      const first = await track(f.open());
      const rows = mixedRows(500);
      await first.insertLogs(rows.slice(0, 300));
      const before = await first.readRollup(all);
      await first.close();
      open.splice(open.indexOf(first), 1);
      const second = await track(f.reopen!());
      expect(await second.readRollup(all)).toEqual(before);
      await second.insertLogs(rows.slice(250));
      expectRollupOf(await second.readRollup(all), rows);
    });
  });
}
