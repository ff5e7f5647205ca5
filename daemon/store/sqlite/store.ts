import type { Database } from "bun:sqlite";
import { asc, count, desc, eq } from "drizzle-orm";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import * as schema from "./schema.ts";
import type { LogRow, Store, UpstreamRecord } from "../types.ts";

type Db = BunSQLiteDatabase<typeof schema>;
type LogInsert = typeof schema.requestLogs.$inferInsert;
type LogSelect = typeof schema.requestLogs.$inferSelect;

function toInsert(r: LogRow): LogInsert {
  return {
    ...r,
    attempts: JSON.stringify(r.attempts),
    toolCalls: r.toolCalls ? JSON.stringify(r.toolCalls) : null,
  };
}

function fromSelect(r: LogSelect): LogRow {
  return {
    ...r,
    attempts: JSON.parse(r.attempts),
    toolCalls: r.toolCalls ? JSON.parse(r.toolCalls) : null,
  };
}

export function createSqliteStore(sqlite: Database, db: Db, location: string): Store {
  const { upstreams, requestLogs } = schema;
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
    async insertLogs(rows) {
      if (rows.length === 0) return;
      db.transaction((tx) => {
        // Chunked: SQLite caps bound parameters per statement.
        for (let i = 0; i < rows.length; i += 200) tx.insert(requestLogs).values(rows.slice(i, i + 200).map(toInsert)).run();
      });
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
    async close() {
      sqlite.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      sqlite.close();
    },
  };
}
