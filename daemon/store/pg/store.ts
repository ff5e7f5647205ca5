// The Store contract on Postgres, with the SQLite store's semantics (sqlite/store.ts); plus the
// cluster and budget surfaces. Every upstream and key edit announces itself (key-store.ts `announced`).
import { and, asc, count, desc, eq, inArray, sql } from "drizzle-orm";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { fromStored } from "../log-columns.ts";
import { toRollupRecord } from "../rollup.ts";
import { rollupConditions } from "../rollup-sql.ts";
import { logRollup } from "./schema-rollup.ts";
import type { Store, UpstreamRecord } from "../types.ts";
import { createBudgetStore } from "./budget.ts";
import { maskUrl, type PgClient } from "./client.ts";
import { createClusterStore } from "./cluster.ts";
import { announced, keyMethods } from "./key-store.ts";
import { unnestInserter } from "./log-insert.ts";
import { findLogIds, queryLogs } from "./log-query.ts";
import { limitCounters, upstreams } from "./schema-config.ts";
import { pgRetention } from "./retention.ts";
import { requestLogs } from "./schema-logs.ts";

type Db = PostgresJsDatabase<any>;

export function createPgStore(client: PgClient, db: Db, url: string): Store {
  const insertLogs = unnestInserter();
  return {
    kind: "postgres",
    location: maskUrl(url),
    cluster: createClusterStore(db, url),
    budget: createBudgetStore(client),
    retention: pgRetention(client),
    ...keyMethods(db),
    async listUpstreams() {
      return (await db.select().from(upstreams).orderBy(asc(upstreams.position), asc(upstreams.id))) as UpstreamRecord[];
    },
    async insertUpstream(u) {
      const now = Date.now();
      return announced(db, async (tx) => (await tx.insert(upstreams).values({ ...u, createdAt: now, updatedAt: now }).returning())[0] as UpstreamRecord);
    },
    async updateUpstream(id, patch) {
      return announced(db, async (tx) => ((await tx.update(upstreams).set({ ...patch, updatedAt: Date.now() }).where(eq(upstreams.id, id)).returning())[0] as UpstreamRecord | undefined) ?? null);
    },
    async deleteUpstream(id) {
      return announced(db, async (tx) => (await tx.delete(upstreams).where(eq(upstreams.id, id)).returning({ id: upstreams.id })).length > 0);
    },
    async applyUpstreamChanges(changes) {
      const now = Date.now();
      return announced(db, async (tx) => {
        for (const id of changes.deletes) await tx.delete(upstreams).where(eq(upstreams.id, id));
        for (const { id, patch } of changes.updates) await tx.update(upstreams).set({ ...patch, updatedAt: now }).where(eq(upstreams.id, id));
        const inserted: UpstreamRecord[] = [];
        for (const u of changes.inserts) inserted.push((await tx.insert(upstreams).values({ ...u, createdAt: now, updatedAt: now }).returning())[0] as UpstreamRecord);
        return inserted;
      });
    },
    async insertLogs(rows) {
      if (rows.length > 0) await insertLogs(client, rows);
    },
    async readRollup(q) {
      return (await db.select().from(logRollup).where(and(...rollupConditions(logRollup, q))).orderBy(asc(logRollup.hour)).limit(q.limit ?? Number.MAX_SAFE_INTEGER)).map(toRollupRecord);
    },
    async countLogs() {
      return (await db.select({ n: count() }).from(requestLogs))[0]?.n ?? 0;
    },
    async listLogs(limit) {
      return (await db.select().from(requestLogs).orderBy(desc(requestLogs.id)).limit(limit)).map(fromStored);
    },
    async getLog(id) {
      const [row] = await db.select().from(requestLogs).where(eq(requestLogs.id, id));
      return row ? fromStored(row) : null;
    },
    queryLogs: (q) => queryLogs(db, q),
    findLogIds: (suffix, limit) => findLogIds(db, suffix, limit),
    async loadLimitCounters() {
      return db.select({ upstreamId: limitCounters.upstreamId, snapshot: limitCounters.snapshot }).from(limitCounters);
    },
    async saveLimitCounters(rows, deletes) {
      if (rows.length === 0 && deletes.length === 0) return;
      const now = Date.now();
      await db.transaction(async (tx) => {
        if (deletes.length > 0) await tx.delete(limitCounters).where(inArray(limitCounters.upstreamId, deletes));
        if (rows.length > 0) {
          const values = rows.map((r) => ({ upstreamId: r.upstreamId, snapshot: r.snapshot, updatedAt: now }));
          await tx.insert(limitCounters).values(values).onConflictDoUpdate({ target: limitCounters.upstreamId, set: { snapshot: sql`excluded.snapshot`, updatedAt: now } });
        }
      });
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}
