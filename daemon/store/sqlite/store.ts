import type { Database } from "bun:sqlite";
import { asc, count, desc, eq, getTableColumns, inArray } from "drizzle-orm";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { keyMethods } from "./key-store.ts";
import { findLogIds, queryLogs } from "./log-query.ts";
import { startLogWorker, type LogWorker, type Statement } from "./log-worker.ts";
import * as schema from "./schema.ts";
import type { LogRow, Store, UpstreamRecord } from "../types.ts";

type Db = BunSQLiteDatabase<typeof schema>;
type LogSelect = typeof schema.requestLogs.$inferSelect;

function fromSelect(r: LogSelect): LogRow {
  return {
    ...r,
    attempts: JSON.parse(r.attempts),
    plan: r.plan ? JSON.parse(r.plan) : null,
    toolCalls: r.toolCalls ? JSON.parse(r.toolCalls) : null,
  };
}

/**
 * Log rows are the hottest write (one per request), so they skip drizzle's query builder (~30 µs a
 * row in CPU profiles) and its per-column mapping: one statement prepared once, each row bound as a
 * plain array in the column order below. The order is checked against the schema when the store
 * opens, so a new column cannot be bound in the wrong place silently.
 */
const LOG_COLUMNS = [
  "id", "ts", "clientIp", "method", "path", "model", "stream", "requestBody", "requestBytes", "requestTruncated",
  "upstreamId", "upstreamName", "upstreamModel", "plan", "attempts", "status", "ttfbMs", "ttftMs", "totalMs",
  "replyText", "toolCalls", "promptTokens", "completionTokens", "totalTokens", "tokensEstimated", "errorCode",
  "errorMessage", "userAgent", "upstreamRequestId", "bodiesDropped", "keyId", "keyName", "costMicros", "priceSource",
  "cachedTokens", "cacheWriteTokens", "reasoningTokens", "affinity",
] as const satisfies readonly (keyof LogRow)[];

const flag = (b: boolean) => (b ? 1 : 0);
const bindLog = (r: LogRow): unknown[] => [
  r.id, r.ts, r.clientIp, r.method, r.path, r.model, flag(r.stream), r.requestBody, r.requestBytes, flag(r.requestTruncated),
  r.upstreamId, r.upstreamName, r.upstreamModel, r.plan && JSON.stringify(r.plan), JSON.stringify(r.attempts), r.status, r.ttfbMs, r.ttftMs, r.totalMs,
  r.replyText, r.toolCalls && JSON.stringify(r.toolCalls), r.promptTokens, r.completionTokens, r.totalTokens, flag(r.tokensEstimated), r.errorCode,
  r.errorMessage, r.userAgent, r.upstreamRequestId, flag(r.bodiesDropped), r.keyId, r.keyName, r.costMicros, r.priceSource,
  r.cachedTokens, r.cacheWriteTokens, r.reasoningTokens, flag(r.affinity),
];

function logInsert() {
  const columns = getTableColumns(schema.requestLogs);
  const keys = Object.keys(columns);
  if (keys.join() !== LOG_COLUMNS.join()) throw new Error(`request_logs columns changed (${keys.join(", ")}); update LOG_COLUMNS and bindLog in store.ts`);
  const names = LOG_COLUMNS.map((k) => `"${columns[k].name}"`);
  // A row already there (a spooled batch replayed after a crash before its position was saved) is skipped: written once.
  return `INSERT INTO request_logs (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")}) ON CONFLICT ("id") DO NOTHING`;
}

/** Inserts on the calling thread: for an in-memory database, which a worker cannot share. */
function localLogInsert(sqlite: Database, sql: string): LogWorker {
  const stmt = sqlite.prepare(sql);
  const insertMany = sqlite.transaction((rows: unknown[][]) => {
    for (const r of rows) stmt.run(...(r as string[]));
  });
  const runAll = sqlite.transaction((list: Statement[]) => {
    for (const s of list) sqlite.query(s.sql).run(...(s.params as string[]));
  });
  return { insert: async (batch) => insertMany(JSON.parse(batch)), run: async (list) => runAll(list), close: async () => {} };
}

export function createSqliteStore(sqlite: Database, db: Db, location: string): Store {
  const { upstreams, requestLogs, limitCounters } = schema;
  const sql = logInsert();
  const logs = location === ":memory:" ? localLogInsert(sqlite, sql) : startLogWorker(location, sql, () => localLogInsert(sqlite, sql));
  return {
    kind: "sqlite",
    location,
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
      await logs.insert(JSON.stringify(rows.map(bindLog)));
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
      if (statements.length > 0) await logs.run(statements);
    },
    async close() {
      await logs.close(); // its inserts first, so the checkpoint below includes them
      sqlite.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      sqlite.close();
    },
  };
}
