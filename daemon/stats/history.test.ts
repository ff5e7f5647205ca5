// stats.history on a real store: the series, totals and groups are the sums over the rows written,
// by hour or UTC day, filtered and grouped; a new store on the same database answers the same.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { historyMethods } from "../control/methods/history.ts";
import { clientKey } from "../store/contract.test-suite.ts";
import { HOUR_MS } from "../store/rollup.ts";
import { mixedRows } from "../store/rollup.test-suite.ts";
import { openSqliteStore } from "../store/sqlite/open.ts";
import type { LogRow } from "../store/types.ts";

const dir = mkdtempSync(join(tmpdir(), "route-history-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rows = mixedRows(800);
const T0 = Math.min(...rows.map((r) => r.ts));
const NOW = T0 + 6 * HOUR_MS;
const call = (store: Parameters<typeof historyMethods>[0], p: object) => historyMethods(store, () => NOW)["stats.history"](p as never);
const costOf = (rs: LogRow[]) => rs.reduce((a, r) => a + (r.costMicros ?? 0), 0);

describe("stats.history", () => {
  test("hour buckets over the last 24 h: every hour present, each the sum of its rows; totals; groups by upstream", async () => {
    const store = openSqliteStore(join(dir, "a.sqlite"));
    await store.insertLogs(rows);
    const h = await call(store, { since: "24h" });
    expect(h.series.length).toBe(25); // the hour holding `since` to the one holding now
    expect(h.series.map((b) => b.requests).reduce((a, b) => a + b)).toBe(rows.length);
    for (const b of h.series) {
      const mine = rows.filter((r) => r.ts >= b.start && r.ts < b.start + HOUR_MS);
      expect([b.requests, b.costMicros, b.unpriced]).toEqual([mine.length, costOf(mine), mine.filter((r) => r.costMicros === null && r.totalTokens !== null).length]);
    }
    expect(h.totals.requests).toBe(rows.length);
    expect(h.totals.tokens.prompt).toBe(rows.reduce((a, r) => a + (r.promptTokens ?? 0), 0));
    expect(h.totals.errorRate).toBeCloseTo(h.totals.errors / rows.length, 12);
    expect(Object.values(h.totals.errorsByClass).slice(0, 6).reduce((a, b) => a + b)).toBe(h.totals.errors);
    expect(h.groups.map((g) => g.name).sort()).toEqual(["(none)", "up-0", "up-1", "up-2"]);
    expect(h.groups.find((g) => g.name === "up-1")!.requests).toBe(rows.filter((r) => r.upstreamName === "up-1").length);
    expect(h.totals.latencyMs!.p50).toBeLessThanOrEqual(h.totals.latencyMs!.p95);
    await store.close();

    const again = openSqliteStore(join(dir, "a.sqlite")); // a restart: the history is the database's
    expect(await call(again, { since: "24h" })).toEqual(h);
    await again.close();
  });

  test("day buckets, by key (names from the store, 0 the shared key), and filters", async () => {
    const store = openSqliteStore(join(dir, "b.sqlite"));
    await store.insertKey(clientKey("k1")); // id 1
    await store.insertLogs(rows);
    const d = await call(store, { since: "30d", bucket: "day", by: "key" });
    expect(d.series.length).toBe(31);
    expect(d.series.every((b) => b.start % (24 * HOUR_MS) === 0)).toBe(true);
    expect(d.groups.map((g) => g.name).sort()).toEqual(["#2", "(shared)", "k1"]);
    expect(d.groups.find((g) => g.name === "k1")!.costMicros).toBe(costOf(rows.filter((r) => r.keyId === 1)));
    const f = await call(store, { since: T0, upstream: "up-2", model: "m-0", key: "k1" });
    expect(f.totals.requests).toBe(rows.filter((r) => r.upstreamName === "up-2" && r.model === "m-0" && r.keyId === 1).length);
    expect((await call(store, { since: T0, key: 0 })).totals.requests).toBe(rows.filter((r) => r.keyId === null).length);
    await expect(call(store, { since: "1h", key: "nobody" })).rejects.toThrow("no client key named nobody");
    await store.close();
  });
});
