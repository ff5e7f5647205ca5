// Client keys and their ledger on SQLite. Settlements are not written here: a request's charge is
// its request_logs row (cost_micros, key_id), written with the log, so spend always equals the sum
// of the rows; the ledger holds only what no request explains (manual adjustments, resets). Rows the
// retention job deleted are folded into key_spend_days first (retention.ts): their days count too.
import { and, asc, eq, gte, sql } from "drizzle-orm";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import * as schema from "./schema.ts";
import { addUsage } from "../key-spend.ts";
import type { ClientKeyRecord, LedgerEntry, Store } from "../types.ts";

type Db = BunSQLiteDatabase<typeof schema>;
type KeyMethods = Pick<Store, "listKeys" | "insertKey" | "updateKey" | "deleteKey" | "insertLedger" | "listLedger" | "spendSince" | "keyUsage">;

export function keyMethods(db: Db): KeyMethods {
  const { clientKeys, keyLedger, keySpendDays, requestLogs } = schema;
  return {
    async listKeys() {
      return db.select().from(clientKeys).orderBy(asc(clientKeys.id)).all() as ClientKeyRecord[];
    },
    async insertKey(k) {
      const now = Date.now();
      return db.insert(clientKeys).values({ ...k, createdAt: now, updatedAt: now }).returning().get() as ClientKeyRecord;
    },
    async updateKey(id, patch) {
      const row = db.update(clientKeys).set({ ...patch, updatedAt: Date.now() }).where(eq(clientKeys.id, id)).returning().get();
      return (row as ClientKeyRecord | undefined) ?? null;
    },
    async deleteKey(id) {
      return db.delete(clientKeys).where(eq(clientKeys.id, id)).returning({ id: clientKeys.id }).all().length > 0;
    },
    async insertLedger(e) {
      return db.insert(keyLedger).values(e).returning().get() as LedgerEntry;
    },
    async listLedger(keyId, since = 0) {
      return db.select().from(keyLedger).where(and(eq(keyLedger.keyId, keyId), gte(keyLedger.ts, since))).orderBy(asc(keyLedger.ts), asc(keyLedger.id)).all() as LedgerEntry[];
    },
    async spendSince(keyId, since) {
      const rows = db
        .select({ n: sql<number>`coalesce(sum(${requestLogs.costMicros}), 0)` })
        .from(requestLogs)
        .where(and(eq(requestLogs.keyId, keyId), gte(requestLogs.ts, since)))
        .get();
      const adjusted = db
        .select({ n: sql<number>`coalesce(sum(${keyLedger.amountMicros}), 0)` })
        .from(keyLedger)
        .where(and(eq(keyLedger.keyId, keyId), gte(keyLedger.ts, since)))
        .get();
      const archived = db
        .select({ n: sql<number>`coalesce(sum(${keySpendDays.costMicros}), 0)` })
        .from(keySpendDays)
        .where(and(eq(keySpendDays.keyId, keyId), gte(keySpendDays.dayStart, since)))
        .get();
      return Number(rows?.n ?? 0) + Number(adjusted?.n ?? 0) + Number(archived?.n ?? 0);
    },
    async keyUsage(q) {
      const where = and(sql`${requestLogs.keyId} is not null`, q.keyId === undefined ? undefined : eq(requestLogs.keyId, q.keyId), q.since === undefined ? undefined : gte(requestLogs.ts, q.since));
      const rows = db
        .select({
          keyId: requestLogs.keyId,
          requests: sql<number>`count(*)`,
          promptTokens: sql<number>`coalesce(sum(${requestLogs.promptTokens}), 0)`,
          completionTokens: sql<number>`coalesce(sum(${requestLogs.completionTokens}), 0)`,
          costMicros: sql<number>`coalesce(sum(${requestLogs.costMicros}), 0)`,
          unpriced: sql<number>`sum(case when ${requestLogs.costMicros} is null and ${requestLogs.totalTokens} is not null then 1 else 0 end)`,
        })
        .from(requestLogs)
        .where(where)
        .groupBy(requestLogs.keyId)
        .all();
      const archived = db
        .select({
          keyId: keySpendDays.keyId,
          requests: sql<number>`sum(${keySpendDays.requests})`,
          promptTokens: sql<number>`sum(${keySpendDays.promptTokens})`,
          completionTokens: sql<number>`sum(${keySpendDays.completionTokens})`,
          costMicros: sql<number>`sum(${keySpendDays.costMicros})`,
          unpriced: sql<number>`sum(${keySpendDays.unpriced})`,
        })
        .from(keySpendDays)
        .where(and(q.keyId === undefined ? undefined : eq(keySpendDays.keyId, q.keyId), q.since === undefined ? undefined : gte(keySpendDays.dayStart, q.since)))
        .groupBy(keySpendDays.keyId)
        .all();
      return addUsage(rows.map((r) => ({ ...r, keyId: r.keyId!, unpriced: Number(r.unpriced ?? 0) })), archived);
    },
  };
}
