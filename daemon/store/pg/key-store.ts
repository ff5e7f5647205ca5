// Client keys and their ledger on Postgres: the SQLite semantics (sqlite/key-store.ts). Every key
// and ledger edit bumps the config version in its own transaction (cluster.ts), so other nodes reload.
import { and, asc, eq, gte, sql } from "drizzle-orm";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { addUsage } from "../key-spend.ts";
import type { ClientKeyRecord, LedgerEntry, Store } from "../types.ts";
import { bumpConfig } from "./cluster.ts";
import { clientKeys, keyLedger, keySpendDays } from "./schema-config.ts";
import { requestLogs } from "./schema-logs.ts";

type Db = PostgresJsDatabase<any>;
type KeyMethods = Pick<Store, "listKeys" | "insertKey" | "updateKey" | "deleteKey" | "insertLedger" | "listLedger" | "spendSince" | "keyUsage">;

/** sum() over bigint is numeric (a string from the driver): back to a number, 0 for no rows. */
const total = (column: unknown) => sql<number>`coalesce(sum(${column}), 0)::bigint`.mapWith(Number);

/** Runs `edit` and the config bump in one transaction. */
export const announced = <T>(db: Db, edit: (tx: Db) => Promise<T>): Promise<T> =>
  db.transaction(async (tx) => {
    const out = await edit(tx as unknown as Db);
    await bumpConfig(tx);
    return out;
  });

export function keyMethods(db: Db): KeyMethods {
  return {
    async listKeys() {
      return (await db.select().from(clientKeys).orderBy(asc(clientKeys.id))) as ClientKeyRecord[];
    },
    async insertKey(k) {
      const now = Date.now();
      return announced(db, async (tx) => (await tx.insert(clientKeys).values({ ...k, createdAt: now, updatedAt: now }).returning())[0] as ClientKeyRecord);
    },
    async updateKey(id, patch) {
      return announced(db, async (tx) => ((await tx.update(clientKeys).set({ ...patch, updatedAt: Date.now() }).where(eq(clientKeys.id, id)).returning())[0] as ClientKeyRecord | undefined) ?? null);
    },
    async deleteKey(id) {
      return announced(db, async (tx) => (await tx.delete(clientKeys).where(eq(clientKeys.id, id)).returning({ id: clientKeys.id })).length > 0);
    },
    async insertLedger(e) {
      return announced(db, async (tx) => (await tx.insert(keyLedger).values(e).returning())[0] as LedgerEntry);
    },
    async listLedger(keyId, since = 0) {
      return (await db.select().from(keyLedger).where(and(eq(keyLedger.keyId, keyId), gte(keyLedger.ts, since))).orderBy(asc(keyLedger.ts), asc(keyLedger.id))) as LedgerEntry[];
    },
    async spendSince(keyId, since) {
      const [rows] = await db.select({ n: total(requestLogs.costMicros) }).from(requestLogs).where(and(eq(requestLogs.keyId, keyId), gte(requestLogs.ts, since)));
      const [adjusted] = await db.select({ n: total(keyLedger.amountMicros) }).from(keyLedger).where(and(eq(keyLedger.keyId, keyId), gte(keyLedger.ts, since)));
      const [archived] = await db.select({ n: total(keySpendDays.costMicros) }).from(keySpendDays).where(and(eq(keySpendDays.keyId, keyId), gte(keySpendDays.dayStart, since)));
      return (rows?.n ?? 0) + (adjusted?.n ?? 0) + (archived?.n ?? 0);
    },
    async keyUsage(q) {
      const where = and(sql`${requestLogs.keyId} is not null`, q.keyId === undefined ? undefined : eq(requestLogs.keyId, q.keyId), q.since === undefined ? undefined : gte(requestLogs.ts, q.since));
      const rows = await db
        .select({
          keyId: requestLogs.keyId,
          requests: sql<number>`count(*)`.mapWith(Number),
          promptTokens: total(requestLogs.promptTokens),
          completionTokens: total(requestLogs.completionTokens),
          costMicros: total(requestLogs.costMicros),
          unpriced: sql<number>`count(*) filter (where ${requestLogs.costMicros} is null and ${requestLogs.totalTokens} is not null)`.mapWith(Number),
        })
        .from(requestLogs)
        .where(where)
        .groupBy(requestLogs.keyId);
      const archived = await db
        .select({
          keyId: keySpendDays.keyId,
          requests: total(keySpendDays.requests),
          promptTokens: total(keySpendDays.promptTokens),
          completionTokens: total(keySpendDays.completionTokens),
          costMicros: total(keySpendDays.costMicros),
          unpriced: total(keySpendDays.unpriced),
        })
        .from(keySpendDays)
        .where(and(q.keyId === undefined ? undefined : eq(keySpendDays.keyId, q.keyId), q.since === undefined ? undefined : gte(keySpendDays.dayStart, q.since)))
        .groupBy(keySpendDays.keyId);
      return addUsage(rows.map((r) => ({ ...r, keyId: r.keyId! })), archived);
    },
  };
}
