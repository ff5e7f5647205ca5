// Postgres-only behaviour: migrations raced by several nodes, the config notification bound to the
// edit's transaction, the listener's re-listen, heartbeats, big batches, the masked location.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { testDatabase } from "../../test-services.ts";
import { bareLogRow, logRow, upstream } from "../contract.test-suite.ts";
import { generatedModule, migrationsFolder, renderMigrationsModule } from "../gen-migrations.ts";
import type { Store } from "../types.ts";
import { connectPg, maskUrl } from "./client.ts";
import { embeddedMigrations } from "./migrate.ts";
import { openPgStore } from "./open.ts";

const pg = await testDatabase();

describe("embedded Postgres migrations", () => {
  test("migrations.gen.ts is up to date with drizzle/pg (else: npm run db:generate)", () => {
    expect(readFileSync(generatedModule("pg"), "utf8")).toBe(renderMigrationsModule("pg"));
  });
  test("identical to what drizzle's folder migrator reads", () => {
    expect(embeddedMigrations()).toEqual(readMigrationFiles({ migrationsFolder: migrationsFolder("pg") }));
  });
});

test("maskUrl hides the password and keeps the rest", () => {
  expect(maskUrl("postgres://route:s3cr%40t@db.example:5433/route?sslmode=require")).toBe("postgres://route:***@db.example:5433/route?sslmode=require");
  expect(maskUrl("postgresql://route@db/route")).toBe("postgresql://route@db/route");
});

describe.skipIf(!pg)("Postgres store", () => {
  const url = pg!;
  const stores: Store[] = [];
  const admin = pg ? connectPg(url, { max: 2 }) : null!;
  afterAll(async () => {
    for (const s of stores) await s.close();
    await admin.end();
  });
  const open = async () => {
    const s = await openPgStore(url);
    stores.push(s);
    return s;
  };

  test("three stores opened at once on a fresh database all succeed; the schema is migrated once", async () => {
    const opened = await Promise.all([open(), open(), open()]);
    expect(opened.map((s) => s.kind)).toEqual(["postgres", "postgres", "postgres"]);
    const { n } = (await admin<{ n: string }[]>`select count(*) as n from drizzle.__drizzle_migrations`)[0]!;
    expect(Number(n)).toBe(embeddedMigrations().length);
    expect(await opened[1]!.listUpstreams()).toEqual([]);
  });

  test("location is the URL without its password", async () => {
    const u = new URL(url);
    u.password = "hunter2";
    const store = await openPgStore(u.toString()); // trust auth: the password is not checked
    stores.push(store);
    expect(store.location).not.toContain("hunter2");
    expect(store.location).toContain(u.host);
  });

  test("a failed connection names the database without its password", async () => {
    const err = await openPgStore("postgres://route:hunter2@127.0.0.1:1/none").catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain("127.0.0.1:1");
    expect((err as Error).message).not.toContain("hunter2");
  });

  test("a batch past PG's 65535-parameter limit (2000 rows × 38 columns) is one insert", async () => {
    const store = await open();
    const before = await store.countLogs();
    const rows = Array.from({ length: 2000 }, (_, i) => (i % 2 ? logRow(`0193-${String(i).padStart(5, "0")}`, i) : bareLogRow(`0193-${String(i).padStart(5, "0")}`)));
    await store.insertLogs(rows);
    expect(await store.countLogs()).toBe(before + 2000);
    expect(await store.getLog(rows[1999]!.id)).toEqual(rows[1999]!);
    expect(await store.getLog(rows[1000]!.id)).toEqual(rows[1000]!);
  });

  test("every edit bumps the version and is heard by another store's watcher; a rolled-back edit sends nothing", async () => {
    const [writer, reader] = [await open(), await open()];
    const heard: (number | null)[] = [];
    let notify: (() => void) | null = null;
    const stop = await reader.cluster!.watchConfig((v) => {
      heard.push(v);
      notify?.();
    });
    const next = (pred: () => boolean) =>
      new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`not heard; heard ${JSON.stringify(heard)}`)), 5000);
        const check = () => pred() && (clearTimeout(deadline), (notify = null), resolve());
        notify = check;
        check();
      });
    try {
      expect(heard).toEqual([null]); // listening: re-read once
      const v0 = await writer.cluster!.configVersion();
      const u = await writer.insertUpstream(upstream("n1", 0));
      await next(() => heard.includes(v0 + 1));
      expect(await reader.cluster!.configVersion()).toBe(v0 + 1);
      // A failing change set (duplicate name) rolls back: no version, no notification. The next
      // edit's notification arrives after it, so hearing v0+2 next proves nothing came between.
      await expect(writer.applyUpstreamChanges({ deletes: [], updates: [], inserts: [upstream("dup", 1), upstream("dup", 2)] })).rejects.toThrow();
      await writer.updateUpstream(u.id, { enabled: false });
      await next(() => heard.length >= 3);
      expect(heard).toEqual([null, v0 + 1, v0 + 2]);
      const k = await writer.insertKey({ name: "k", prefix: "sk-route-k", hash: "h", prevHash: null, prevValidUntil: null, enabled: true, expiresAt: null, models: null, groups: null, allowIps: null, rpm: null, rpd: null, tpm: null, maxInflight: null, budgetMicros: null, budgetWindow: "total", softBudgetMicros: null, allowPinning: false, logCapture: null, note: null });
      await writer.insertLedger({ keyId: k.id, ts: 1, kind: "adjust", amountMicros: 5, note: null });
      await writer.deleteKey(k.id);
      await writer.deleteUpstream(u.id);
      await next(() => heard.length >= 7);
      expect(heard).toEqual([null, v0 + 1, v0 + 2, v0 + 3, v0 + 4, v0 + 5, v0 + 6]);
      // The listener's connection is killed: it listens again by itself and says so with null.
      const killed = await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen %'`;
      expect(killed.length).toBe(1);
      await next(() => heard.length >= 8);
      expect(heard[7]).toBeNull();
      await writer.insertUpstream(upstream("n2", 3));
      await next(() => heard.length >= 9);
      expect(heard[8]).toBe(v0 + 7);
    } finally {
      await stop();
    }
    const listeners = await admin`select 1 from pg_stat_activity where datname = current_database() and query ilike 'listen %' and state <> 'idle in transaction'`;
    expect(listeners.length).toBe(0); // stopping closed the listener's connection
  });

  test("heartbeats upsert one row per node, stamped by the database clock; listed and removed", async () => {
    const store = await open();
    const c = store.cluster!;
    const { now } = (await admin<{ now: string }[]>`select (extract(epoch from clock_timestamp()) * 1000)::bigint as now`)[0]!;
    await c.heartbeat({ id: "route-b", address: "10.0.0.2:8888", version: "0.1.0", startedAt: 5, inflight: 3, stats: { requests: 10 } });
    await c.heartbeat({ id: "route-a", address: "10.0.0.1:8888", version: "0.1.0", startedAt: 4, inflight: 0, stats: null });
    await c.heartbeat({ id: "route-b", address: "10.0.0.2:8888", version: "0.1.0", startedAt: 5, inflight: 7, stats: { requests: 12 } });
    const list = await c.listNodes();
    expect(list.map((n) => [n.id, n.inflight, n.stats])).toEqual([["route-a", 0, null], ["route-b", 7, { requests: 12 }]]);
    for (const n of list) expect(n.beatAt).toBeGreaterThanOrEqual(Number(now));
    await c.removeNode("route-a");
    expect((await c.listNodes()).map((n) => n.id)).toEqual(["route-b"]);
  });

  test("meta: set, overwrite, get; absent is null", async () => {
    const c = (await open()).cluster!;
    expect(await c.getMeta("upstreams_hash")).toBeNull();
    await c.setMeta("upstreams_hash", "a");
    await c.setMeta("upstreams_hash", "b");
    expect(await c.getMeta("upstreams_hash")).toBe("b");
  });
});
