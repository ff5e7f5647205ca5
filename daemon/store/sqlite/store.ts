import type { Database } from "bun:sqlite";
import { and, asc, count, desc, eq, getTableColumns, inArray } from "drizzle-orm";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { checkLogColumns, fromStored, LOG_COLUMNS, logBinder } from "../log-columns.ts";
import { FOLD_LAYOUT, foldBatch, KEY_COLUMNS, mergingUpsert, rollupBatch, toRollupRecord, type RollupBatch } from "../rollup.ts";
import { rollupConditions, sqliteRollupStatements } from "../rollup-sql.ts";
import { keyMethods } from "./key-store.ts";
import { findLogIds, queryLogs } from "./log-query.ts";
import { startLogWorker, type LogSql, type LogWorker, type Statement } from "./log-worker.ts";
import { sqliteRetention } from "./retention.ts";
import * as schema from "./schema.ts";
import type { Store, UpstreamRecord } from "../types.ts";

type Db = BunSQLiteDatabase<typeof schema>;
/**
 * Log rows are the hottest write (one per request), so they skip drizzle's query builder (~30 µs a
 * row in CPU profiles): one statement prepared once, each row bound as a plain array in LOG_COLUMNS
 * order (log-columns.ts).
 */
const bindLog = logBinder((b) => (b ? 1 : 0));

function logInsert() {
  const columns = getTableColumns(schema.requestLogs);
  checkLogColumns(Object.keys(columns));
  const names = LOG_COLUMNS.map((k) => `"${columns[k].name}"`);
  // A row already there (a spooled batch replayed after a crash before its position was saved) is skipped: written once.
  return `INSERT INTO request_logs (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")}) ON CONFLICT ("id") DO NOTHING`;
}

/** Inserts on the calling thread: for an in-memory database, which a worker cannot share. */
function localLogInsert(sqlite: Database, sql: LogSql): LogWorker {
  const stmt = sqlite.prepare(sql.insert);
  const stored = sqlite.prepare<{ l: string; t: string }, string[]>(sql.rollup.select);
  const write = sqlite.prepare(sql.rollup.upsert);
  const [counters, buckets] = FOLD_LAYOUT;
  const upsert = mergingUpsert((k) => stored.get(...(k as string[])), (v) => write.run(...(v as string[])), KEY_COLUMNS, counters);
  const insertMany = sqlite.transaction((b: RollupBatch & { rows: unknown[][] }) => foldBatch(b.rows, b, (r) => stmt.run(...(r as string[])).changes, upsert, counters, buckets));
  const runAll = sqlite.transaction((list: Statement[]) => list.map((s) => sqlite.query(s.sql).run(...(s.params as string[])).changes));
  return { insert: async (batch) => insertMany(JSON.parse(batch)), run: async (list) => runAll(list), exec: async (sql) => void sqlite.exec(sql), close: async () => {} };
}

export function createSqliteStore(sqlite: Database, db: Db, location: string): Store {
  const { upstreams, requestLogs, limitCounters } = schema;
  const sql = { insert: logInsert(), rollup: sqliteRollupStatements(schema.logRollup) };
  const logs = location === ":memory:" ? localLogInsert(sqlite, sql) : startLogWorker(location, sql, () => localLogInsert(sqlite, sql));
  return {
    kind: "sqlite",
    location,
    retention: sqliteRetention(sqlite, logs),
    ...keyMethods(db),
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
      // One JSON string crosses to the log thread: half the cost of structured-cloning the arrays.
      await logs.insert(JSON.stringify({ rows: rows.map(bindLog), ...rollupBatch(rows) }));
    },
    async readRollup(q) {
      return db.select().from(schema.logRollup).where(and(...rollupConditions(schema.logRollup, q))).orderBy(asc(schema.logRollup.hour)).limit(q.limit ?? -1).all().map(toRollupRecord);
    },
    async countLogs() {
      return db.select({ n: count() }).from(requestLogs).get()?.n ?? 0;
    },
    async listLogs(limit) {
      return db.select().from(requestLogs).orderBy(desc(requestLogs.id)).limit(limit).all().map(fromStored);
    },
    async getLog(id) {
      const row = db.select().from(requestLogs).where(eq(requestLogs.id, id)).get();
      return row ? fromStored(row) : null;
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
      // Built here, written on the log thread (see log-worker.ts): no wait on its write lock.
      const now = Date.now();
      const statements: Statement[] = [];
      if (deletes.length > 0) statements.push(db.delete(limitCounters).where(inArray(limitCounters.upstreamId, deletes)).toSQL());
      for (const r of rows) {
        const upsert = db
          .insert(limitCounters)
          .values({ upstreamId: r.upstreamId, snapshot: r.snapshot, updatedAt: now })
          .onConflictDoUpdate({ target: limitCounters.upstreamId, set: { snapshot: r.snapshot, updatedAt: now } });
        statements.push(upsert.toSQL());
      }
      if (statements.length > 0) await logs.run(statements).then(() => {});
    },
    async close() {
      await logs.close(); // its inserts first, so the checkpoint below includes them
      sqlite.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      sqlite.close();
    },
  };
}
