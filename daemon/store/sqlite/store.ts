import type { Database } from "bun:sqlite";
import { asc, count, desc, eq, getTableColumns, inArray } from "drizzle-orm";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { findLogIds, queryLogs } from "./log-query.ts";
import { startLogWorker, type LogWorker } from "./log-worker.ts";
import * as schema from "./schema.ts";
import type { LogRow, Store, UpstreamRecord } from "../types.ts";

type Db = BunSQLiteDatabase<typeof schema>;
type LogInsert = typeof schema.requestLogs.$inferInsert;
type LogSelect = typeof schema.requestLogs.$inferSelect;

function toInsert(r: LogRow): LogInsert {
  return {
    ...r,
    attempts: JSON.stringify(r.attempts),
    plan: r.plan ? JSON.stringify(r.plan) : null,
    toolCalls: r.toolCalls ? JSON.stringify(r.toolCalls) : null,
  };
}

function fromSelect(r: LogSelect): LogRow {
  return {
    ...r,
    attempts: JSON.parse(r.attempts),
    plan: r.plan ? JSON.parse(r.plan) : null,
    toolCalls: r.toolCalls ? JSON.parse(r.toolCalls) : null,
  };
}

/**
 * Log rows are the hottest write (one per request), so they skip drizzle's query builder, which
 * cost ~30 µs a row in CPU profiles under load: one statement, prepared once from the schema's
 * columns, bound per row (with the columns' own defaults and driver mapping), one transaction a batch.
 */
function logInsert() {
  const columns = Object.entries(getTableColumns(schema.requestLogs));
  const sql = `INSERT INTO request_logs (${columns.map(([, c]) => `"${c.name}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
  const bind = (r: LogRow): unknown[] => {
    const v = toInsert(r) as Record<string, unknown>;
    return columns.map(([key, c]) => {
      const x = v[key] ?? (v[key] === null ? null : (c.defaultFn?.() ?? c.default));
      return x === undefined || x === null ? null : c.mapToDriverValue(x);
    });
  };
  return { sql, bind };
}

/** Inserts on the calling thread: for an in-memory database, which a worker cannot share. */
function localLogInsert(sqlite: Database, sql: string): LogWorker {
  const stmt = sqlite.prepare(sql);
  const insertMany = sqlite.transaction((rows: unknown[][]) => {
    for (const r of rows) stmt.run(...(r as string[]));
  });
  return { insert: async (rows) => insertMany(rows), close: async () => {} };
}

export function createSqliteStore(sqlite: Database, db: Db, location: string): Store {
  const { upstreams, requestLogs, limitCounters } = schema;
  const { sql, bind } = logInsert();
  const logs = location === ":memory:" ? localLogInsert(sqlite, sql) : startLogWorker(location, sql, () => localLogInsert(sqlite, sql));
  return {
    kind: "sqlite",
    location,
    async listUpstreams() {
      return db.select().from(upstreams).orderBy(asc(upstreams.position), asc(upstreams.id)).all() as UpstreamRecord[];
    },
    async insertUpstream(u) {
      const now = Date.now();
      return db.insert(upstreams).values({ ...u, createdAt: now, updatedAt: now }).returning().get() as UpstreamRecord;
    },
    async updateUpstream(id, patch) {
      const row = db.update(upstreams).set({ ...patch, updatedAt: Date.now() }).where(eq(upstreams.id, id)).returning().get();
      return (row as UpstreamRecord | undefined) ?? null;
    },
    async deleteUpstream(id) {
      return db.delete(upstreams).where(eq(upstreams.id, id)).returning({ id: upstreams.id }).all().length > 0;
    },
    async applyUpstreamChanges(changes) {
      const now = Date.now();
      return db.transaction((tx) => {
        for (const id of changes.deletes) tx.delete(upstreams).where(eq(upstreams.id, id)).run();
        for (const { id, patch } of changes.updates) tx.update(upstreams).set({ ...patch, updatedAt: now }).where(eq(upstreams.id, id)).run();
        return changes.inserts.map((u) => tx.insert(upstreams).values({ ...u, createdAt: now, updatedAt: now }).returning().get() as UpstreamRecord);
      });
    },
    async insertLogs(rows) {
      if (rows.length === 0) return;
      await logs.insert(rows.map(bind));
    },
    async countLogs() {
      return db.select({ n: count() }).from(requestLogs).get()?.n ?? 0;
    },
    async listLogs(limit) {
      return db.select().from(requestLogs).orderBy(desc(requestLogs.id)).limit(limit).all().map(fromSelect);
    },
    async getLog(id) {
      const row = db.select().from(requestLogs).where(eq(requestLogs.id, id)).get();
      return row ? fromSelect(row) : null;
    },
    async queryLogs(q) {
      return queryLogs(db, q);
    },
    async findLogIds(suffix, limit) {
      return findLogIds(db, suffix, limit);
    },
    async loadLimitCounters() {
      return db.select({ upstreamId: limitCounters.upstreamId, snapshot: limitCounters.snapshot }).from(limitCounters).all();
    },
    async saveLimitCounters(rows, deletes) {
      const now = Date.now();
      db.transaction((tx) => {
        if (deletes.length > 0) tx.delete(limitCounters).where(inArray(limitCounters.upstreamId, deletes)).run();
        for (const r of rows) {
          tx.insert(limitCounters)
            .values({ upstreamId: r.upstreamId, snapshot: r.snapshot, updatedAt: now })
            .onConflictDoUpdate({ target: limitCounters.upstreamId, set: { snapshot: r.snapshot, updatedAt: now } })
            .run();
        }
      });
    },
    async close() {
      await logs.close(); // its inserts first, so the checkpoint below includes them
      sqlite.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      sqlite.close();
    },
  };
}
