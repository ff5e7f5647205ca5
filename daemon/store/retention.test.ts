// The retention job on real stores (a SQLite file, Postgres when running), with an injected clock:
// what is older than its setting goes, the rest stays byte-identical, key money never changes,
// the SQLite file shrinks, a size cap holds while rows keep coming, Postgres drops whole days.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { logConfigSchema } from "../config/log-schema.ts";
import { windowClock } from "../keys/window.ts";
import { testDatabase } from "../test-services.ts";
import { logRow } from "./contract.test-suite.ts";
import { createLogWriter } from "./log-writer.ts";
import { connectPg } from "./pg/client.ts";
import { listPartitions } from "./pg/partitions.ts";
import { openPgStore } from "./pg/open.ts";
import { createRetention } from "./retention.ts";
import { retentionSettings } from "./retention-settings.ts";
import { openSqliteStore } from "./sqlite/open.ts";
import type { LogRow, Store } from "./types.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 15, 12, 0, 0); // "now" of every pass
const dir = mkdtempSync(join(tmpdir(), "route-retention-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const clock = windowClock("Europe/Berlin");
const dayOf = (t: number) => {
  const w = clock("day", t);
  return { start: w.start, end: w.end! };
};

/** A row `ageMs` before T0 of key 1 or 2, with bodies of `size` characters. */
function aged(i: number, ageMs: number, size = 200): LogRow {
  const id = `0190${String(i).padStart(8, "0")}-${"x".repeat(10)}`;
  return { ...logRow(id, i % 50), ts: T0 - ageMs, keyId: 1 + (i % 2), keyName: `k${1 + (i % 2)}`, costMicros: 1000 + i, totalTokens: 43, bodiesDropped: false, bodiesOmitted: null, replyTruncated: false, requestBody: `{"n":${i},"pad":"${"p".repeat(size)}"}`, replyText: `reply ${i} ${"r".repeat(size)}` };
}

/** Settings as upstreams.yaml's `log:` block gives them (parsed by the config schema). */
const settingsOf = (log: Record<string, unknown>) => retentionSettings(logConfigSchema.parse(log));
const retentionOf = (store: Store, log: Record<string, unknown>, batch = 97) =>
  createRetention({ store: store.retention, settings: () => settingsOf(log), dayOf, now: () => T0, batch, pause: async () => {} });

async function money(store: Store) {
  const out: unknown[] = [];
  for (const key of [1, 2]) for (const since of [0, dayOf(T0).start, clock("month", T0).start, clock("week", T0).start]) out.push(await store.spendSince(key, since));
  out.push((await store.keyUsage({})).sort((a, b) => a.keyId - b.keyId), (await store.keyUsage({ since: clock("month", T0 - 20 * DAY).start })).sort((a, b) => a.keyId - b.keyId));
  return out;
}

function retentionSuite(name: string, open: () => Promise<Store>) {
  describe(name, () => {
    test("rows past retention go, bodies past body_retention are cleared, the rest is byte-identical; spend and usage unchanged", async () => {
      const store = await open();
      // 600 rows spread over 45 days (several per local day, keyed and shared), plus ledger entries.
      const rows = Array.from({ length: 600 }, (_, i) => (i % 7 === 0 ? { ...aged(i, (i * 45 * DAY) / 600 + 1), keyId: null, keyName: null } : aged(i, (i * 45 * DAY) / 600 + 1)));
      await store.insertLogs(rows);
      await store.insertLedger({ keyId: 1, ts: T0 - 40 * DAY, kind: "adjust", amountMicros: 777, note: null });
      const before = await money(store);
      const p = await retentionOf(store, { retention: "30d", body_retention: "7d" }).run();
      expect(p.error).toBeNull();
      const old = rows.filter((r) => r.ts < T0 - 30 * DAY);
      const mid = rows.filter((r) => r.ts >= T0 - 30 * DAY && r.ts < T0 - 7 * DAY);
      const recent = rows.filter((r) => r.ts >= T0 - 7 * DAY);
      expect(p.rowsDeleted).toBe(old.length);
      expect(p.bodiesCleared).toBe(mid.length);
      expect(await store.countLogs()).toBe(mid.length + recent.length);
      for (const r of old.slice(0, 20)) expect(await store.getLog(r.id)).toBeNull();
      for (const r of recent) expect(await store.getLog(r.id)).toEqual(r);
      for (const r of mid) expect(await store.getLog(r.id)).toEqual({ ...r, requestBody: null, replyText: null, toolCalls: null, bodiesOmitted: "expired" });
      expect(await money(store)).toEqual(before);
      // A second pass finds nothing to do, and money still holds.
      const again = await retentionOf(store, { retention: "30d", body_retention: "7d" }).run();
      expect([again.rowsDeleted, again.bodiesCleared]).toEqual([0, 0]);
      expect(await money(store)).toEqual(before);
      await store.close();
    });

    test("retention off keeps every row; body_retention off keeps every body", async () => {
      const store = await open();
      const rows = Array.from({ length: 50 }, (_, i) => aged(i, i * DAY));
      await store.insertLogs(rows);
      const p = await retentionOf(store, { retention: "off", body_retention: 0 }).run();
      expect([p.rowsDeleted, p.bodiesCleared]).toEqual([0, 0]);
      for (const r of rows) expect(await store.getLog(r.id)).toEqual(r);
      await store.close();
    });
  });
}

const sqliteFile = () => join(dir, `db-${files++}.sqlite`);
retentionSuite("sqlite file", async () => openSqliteStore(sqliteFile()));

describe("sqlite: the file and the size cap", () => {
  test("a new file is incremental-vacuum; the file shrinks after a pass that deletes most rows", async () => {
    const path = sqliteFile();
    const store = openSqliteStore(path);
    await store.insertLogs(Array.from({ length: 3000 }, (_, i) => aged(i, ((i % 40) + 1) * DAY, 2000)));
    await store.retention.compact(); // checkpoint: the file holds what was written
    const full = statSync(path).size;
    const p = await retentionOf(store, { retention: "10d", body_retention: "off" }, 500).run();
    expect(p.rowsDeleted).toBeGreaterThan(2000);
    expect(p.bytesFreed).toBeGreaterThan(0);
    const after = statSync(path).size;
    expect(after).toBeLessThan(full / 2);
    await store.close();
  });

  test("an existing file without incremental vacuum is converted at open when asked (one VACUUM, reported)", async () => {
    const path = sqliteFile();
    const { Database } = await import("bun:sqlite");
    const raw = new Database(path);
    raw.exec("PRAGMA auto_vacuum = NONE; CREATE TABLE pre (x)");
    raw.close();
    const reported: number[] = [];
    const store = openSqliteStore(path, { convert: { onVacuum: (b) => reported.push(b) } });
    await store.close();
    const check = new Database(path);
    expect((check.query("PRAGMA auto_vacuum").get() as { auto_vacuum: number }).auto_vacuum).toBe(2);
    check.close();
    expect(reported.length).toBe(1);
  });

  test("max_size holds while rows are written through the log writer at a high rate: at most one batch over the cap", async () => {
    const store = openSqliteStore(sqliteFile());
    let n = 0;
    const writer = createLogWriter<LogRow>({ store, toRow: (r) => r, batchSize: 500, flushMs: 1 });
    const batch = async () => {
      for (let i = 0; i < 500; i++) writer.enqueue(aged(n++, DAY - n, 1000)); // fresh rows: no age rule applies
      await writer.flush();
    };
    await batch();
    const batchBytes = await store.retention.logBytes();
    const cap = batchBytes * 4;
    const job = retentionOf(store, { max_size: cap, retention: "off", body_retention: "off" }, 250);
    let maxSeen = 0;
    for (let round = 0; round < 24; round++) {
      await batch();
      maxSeen = Math.max(maxSeen, await store.retention.logBytes());
      await job.run(false);
      expect(await store.retention.logBytes()).toBeLessThanOrEqual(cap);
    }
    expect(maxSeen).toBeLessThanOrEqual(cap + batchBytes);
    // Bodies went first: the newest rows still hold theirs, and the oldest rows are gone.
    expect((await store.listLogs(1))[0]!.requestBody).not.toBeNull();
    expect(await store.countLogs()).toBeLessThan(n);
    await store.close();
  });
});

const pg = await testDatabase();
describe.skipIf(!pg)("postgres", () => {
  retentionSuite("postgres store", async () => {
    const store = await openPgStore(pg!);
    const sql = connectPg(pg!, { max: 1 });
    await sql.unsafe("TRUNCATE request_logs, key_ledger, key_spend_days");
    await sql.end();
    return store;
  });

  test("request_logs is partitioned by day: partitions are created ahead, and days older than retention are dropped whole after their spend is folded", async () => {
    const store = await openPgStore(pg!);
    const sql = connectPg(pg!, { max: 1 });
    try {
      await sql.unsafe("TRUNCATE request_logs, key_ledger, key_spend_days");
      const rows = Array.from({ length: 200 }, (_, i) => aged(i, (i * 40 * DAY) / 200 + 1));
      await store.insertLogs(rows); // rows of days without a partition land in the default one
      const before = await money(store);
      const p = await retentionOf(store, { retention: "30d", body_retention: "off" }).run();
      expect(p.error).toBeNull();
      const parts = await listPartitions(sql);
      const today = Math.floor(T0 / DAY) * DAY;
      for (const d of [today, today + DAY, today + 2 * DAY]) expect(parts.some((x) => x.lo === d && x.hi === d + DAY)).toBe(true);
      // Run again with "now" 3 days on: the partitions made ahead hold that time's rows, and old ones go whole.
      const later = createRetention({ store: store.retention, settings: () => settingsOf({ retention: "1d", body_retention: "off" }), dayOf, now: () => T0 + 3 * DAY, pause: async () => {} });
      await store.insertLogs([{ ...aged(9001, 0), ts: T0 + DAY }]);
      const q = await later.run();
      expect(q.error).toBeNull();
      expect((await listPartitions(sql)).some((x) => x.lo === today)).toBe(false);
      expect(await store.countLogs()).toBe(0);
      const [left] = await sql<{ n: string }[]>`SELECT count(*) AS n FROM request_logs_default`;
      expect(Number(left?.n)).toBe(0);
      // Every row is gone, and the money they carried is all still there (plus the one added).
      const sums = await store.keyUsage({});
      const expected = [...rows, { ...aged(9001, 0) }].reduce((m, r) => m + r.costMicros!, 0);
      expect(sums.reduce((m, u) => m + u.costMicros, 0)).toBe(expected);
      expect(before.length).toBeGreaterThan(0);
    } finally {
      await sql.end();
      await store.close();
    }
  });
});
