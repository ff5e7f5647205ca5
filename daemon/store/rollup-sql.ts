// The rollup's SQL on both dialects (rollup.ts): the fold's upsert, one row per group, adding the
// batch's sums to what the hour already has (histograms element by element), and the read filter.
import { and, eq, getTableColumns, gte, lt, type SQL } from "drizzle-orm";
import { checkRollupColumns, HOUR_MS, ROLLUP_COLUMNS, ROLLUP_COUNTERS, ROLLUP_KEY, type RollupQuery } from "./rollup.ts";

type Table = Parameters<typeof getTableColumns>[0];

/** Column names in ROLLUP_COLUMNS order; throws if the schema drifted. */
function names(table: Table): Record<(typeof ROLLUP_COLUMNS)[number], string> {
  const columns = getTableColumns(table) as Record<string, { name: string }>;
  checkRollupColumns(Object.keys(columns));
  return Object.fromEntries(ROLLUP_COLUMNS.map((k) => [k, `"${columns[k]!.name}"`])) as never;
}

function conflictSet(n: Record<string, string>, histMerge: (col: string) => string): string {
  const sums = ROLLUP_COUNTERS.map((k) => `${n[k]} = log_rollup.${n[k]} + excluded.${n[k]}`);
  return `ON CONFLICT (${ROLLUP_KEY.map((k) => n[k]).join(", ")}) DO UPDATE SET ${[...sums, ...["latencyHist", "ttftHist"].map((k) => `${n[k]} = ${histMerge(n[k]!)}`)].join(", ")}`;
}

/** SQLite: the stored histograms of a key, and the upsert of one group (histograms merged by mergingUpsert). */
export function sqliteRollupStatements(table: Table): { select: string; upsert: string } {
  const n = names(table);
  const cols = ROLLUP_COLUMNS.map((k) => n[k]);
  return {
    select: `SELECT ${n.latencyHist} AS l, ${n.ttftHist} AS t FROM log_rollup WHERE ${ROLLUP_KEY.map((k) => `${n[k]} = ?`).join(" AND ")}`,
    upsert: `INSERT INTO log_rollup (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")}) ${conflictSet(n, (c) => `excluded.${c}`)}`,
  };
}

/** Postgres: every group of a batch in one statement, one array per column (histograms as array literals). */
export function pgRollupUpsert(table: Table): { text: string; types: string[] } {
  const n = names(table);
  const types = ROLLUP_COLUMNS.map((k) => (k === "upstream" || k === "model" || k.endsWith("Hist") ? "text" : k === "keyId" ? "integer" : "bigint"));
  const alias = ROLLUP_COLUMNS.map((_, i) => `c${i}`);
  const select = alias.map((a, i) => (ROLLUP_COLUMNS[i]!.endsWith("Hist") ? `${a}::bigint[]` : a));
  const merge = (c: string) => `ARRAY(SELECT x + y FROM unnest(log_rollup.${c}, excluded.${c}) WITH ORDINALITY AS u(x, y, i) ORDER BY i)`;
  const text =
    `INSERT INTO log_rollup (${ROLLUP_COLUMNS.map((k) => n[k]).join(", ")}) SELECT ${select.join(", ")} ` +
    `FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(", ")}) AS t(${alias.join(", ")}) ${conflictSet(n, merge)}`;
  return { text, types };
}

/** The rows of `q` (hours that start in [since's hour, until)), as drizzle conditions on either table. */
export function rollupConditions(t: any, q: RollupQuery): SQL[] {
  const c: SQL[] = [gte(t.hour, Math.floor(q.since / HOUR_MS) * HOUR_MS)];
  if (q.until !== undefined) c.push(lt(t.hour, q.until));
  if (q.upstream !== undefined) c.push(eq(t.upstream, q.upstream));
  if (q.model !== undefined) c.push(eq(t.model, q.model));
  if (q.keyId !== undefined) c.push(eq(t.keyId, q.keyId));
  return [and(...c)!];
}
