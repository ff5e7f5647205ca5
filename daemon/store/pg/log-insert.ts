// Batched request-log inserts: one statement per batch, all values bound, atomic. `unnest` binds
// one array per column (38 parameters whatever the batch size), so the statement text never
// changes: prepared once per connection, and no 65535-parameter limit to chunk around. Measured
// against a multi-row VALUES insert chunked under that limit (README.md, bench-log-insert.ts):
// unnest writes 2.5x the rows per second. A row id the table has is skipped: the spool and the crash
// journal may replay a batch that made it (log-spool.ts), and the first row of an id is the fullest.
// The key is (id, ts), as the table is partitioned on ts; a replayed row has both the same.
// The rows it inserted (RETURNING id) are folded into log_rollup (../rollup.ts) in the same
// transaction: one more unnest statement, an upsert per distinct hour × upstream × model × key.
import { FOLD_LAYOUT, foldBatch, rollupBatch } from "../rollup.ts";
import { pgRollupUpsert } from "../rollup-sql.ts";
import type { LogRow } from "../types.ts";
import type { PgClient } from "./client.ts";
import { bindLog, logColumnSpecs } from "./log-rows.ts";
import { logRollup } from "./schema-rollup.ts";

export type LogInserter = (sql: PgClient, rows: LogRow[]) => Promise<void>;

// postgres.js types an array parameter by its first element (boolean, not boolean[]): each column
// is given its element type explicitly, and the driver sends it as that type's array, from the
// array types it fetches on its first connection (openPgStore connects before the first insert).
const ELEMENT_OID: Record<string, number> = { text: 25, bigint: 20, integer: 23, boolean: 16 };
const fail = (type: string): never => {
  throw new Error(`request_logs: no array binding for column type ${type}`);
};

/** Columns as arrays, `unnest`ed back into rows by the server. */
export function unnestInserter(): LogInserter {
  const specs = logColumnSpecs();
  const oids = specs.map((c) => ELEMENT_OID[c.type] ?? fail(c.type));
  const text = `INSERT INTO request_logs (${specs.map((c) => `"${c.name}"`).join(", ")}) SELECT * FROM unnest(${specs.map((c, i) => `$${i + 1}::${c.type}[]`).join(", ")}) ON CONFLICT ("id", "ts") DO NOTHING RETURNING "id"`;
  const rollup = pgRollupUpsert(logRollup);
  const rollupOids = rollup.types.map((t) => ELEMENT_OID[t] ?? fail(t));
  const [counters, buckets] = FOLD_LAYOUT;
  return async (sql, rows) => {
    const columns: unknown[][] = specs.map(() => new Array(rows.length));
    const bound = rows.map(bindLog);
    bound.forEach((r, j) => r.forEach((v, i) => (columns[i]![j] = v)));
    const batch = rollupBatch(rows);
    await sql.begin(async (tx) => {
      const inserted = new Set((await tx.unsafe(text, columns.map((c, i) => sql.array(c as never[], oids[i])) as never[])).map((r) => r.id as string));
      if (inserted.size === 0) return; // all replays: their numbers are in the rollup already
      const groups: unknown[][] = rollup.types.map(() => []);
      foldBatch(bound, batch, (_r, i) => (inserted.delete(rows[i]!.id) ? 1 : 0), (v) => v.forEach((x, i) => groups[i]!.push(Array.isArray(x) ? `{${x.join(",")}}` : x)), counters, buckets);
      await tx.unsafe(rollup.text, groups.map((c, i) => sql.array(c as never[], rollupOids[i])) as never[]);
    });
  };
}
