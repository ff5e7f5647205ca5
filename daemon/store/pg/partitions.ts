// request_logs' day partitions on Postgres (the table is partitioned by the hand-written
// drizzle/pg-manual/request-logs-partitions.sql). Partitions are UTC days named request_logs_pYYYYMMDD.
// A new one is built beside the table and attached, after moving in any rows of its day the DEFAULT
// partition caught (attaching over rows in the default would fail). A day wholly older than the
// retention is dropped in one transaction with the fold of its key spend, by local day.
import type { PgClient } from "./client.ts";
import { RETENTION_LOCK_KEY } from "./migrate.ts";
import { FOLD_SQL } from "../key-spend.ts";

const DAY = 86_400_000;
const nameOf = (lo: number) => `request_logs_p${new Date(lo).toISOString().slice(0, 10).replaceAll("-", "")}`;

/** The day partitions there are, with their bounds (parsed from the partition expression). */
export async function listPartitions(sql: PgClient): Promise<{ name: string; lo: number; hi: number }[]> {
  const rows = await sql<{ name: string; bound: string }[]>`SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'request_logs'::regclass`;
  const out: { name: string; lo: number; hi: number }[] = [];
  for (const r of rows) {
    const m = /FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)/.exec(r.bound);
    if (m) out.push({ name: r.name, lo: Number(m[1]), hi: Number(m[2]) });
  }
  return out.sort((a, b) => a.lo - b.lo);
}

async function createPartition(sql: PgClient, lo: number): Promise<void> {
  const name = nameOf(lo);
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${RETENTION_LOCK_KEY})`; // another node may be making it
    if ((await tx`SELECT to_regclass(${name}) AS t`)[0]?.t) return;
    // Rows of that day arriving meanwhile wait (briefly) instead of landing in the default after the move.
    await tx.unsafe("LOCK TABLE request_logs_default IN ACCESS EXCLUSIVE MODE");
    await tx.unsafe(`CREATE TABLE "${name}" (LIKE request_logs INCLUDING DEFAULTS)`);
    await tx.unsafe(`WITH moved AS (DELETE FROM request_logs_default WHERE ts >= $1 AND ts < $2 RETURNING *) INSERT INTO "${name}" SELECT * FROM moved`, [lo, lo + DAY]);
    await tx.unsafe(`ALTER TABLE request_logs ATTACH PARTITION "${name}" FOR VALUES FROM (${lo}) TO (${lo + DAY})`);
  });
}

export async function maintainPartitions(
  sql: PgClient,
  o: { from: number; ahead: number; before: number; dayOf: (t: number) => { start: number; end: number } },
): Promise<{ created: number; dropped: number; rowsDropped: number }> {
  const have = await listPartitions(sql);
  const days = new Set(have.map((p) => p.lo));
  let created = 0;
  // From today's UTC day to the one `ahead` falls in (the retention job passes now + 2 days).
  for (let lo = Math.floor(o.from / DAY) * DAY; lo <= o.ahead; lo += DAY) {
    if (days.has(lo)) continue;
    await createPartition(sql, lo);
    created++;
  }
  let dropped = 0;
  let rowsDropped = 0;
  for (const p of have.filter((p) => p.hi <= o.before)) {
    rowsDropped += await dropPartition(sql, p, o.dayOf);
    dropped++;
  }
  return { created, dropped, rowsDropped };
}

type DayOf = (t: number) => { start: number; end: number };

/** Folds the partition's key spend by local day and drops it, in one transaction; rows it held. */
async function dropPartition(sql: PgClient, p: { name: string; lo: number; hi: number }, dayOf: DayOf): Promise<number> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${RETENTION_LOCK_KEY})`; // another node may have dropped it
    if (!(await tx`SELECT to_regclass(${p.name}) AS t`)[0]?.t) return 0;
    for (let t = p.lo; t < p.hi; ) {
      const d = dayOf(t);
      const end = Math.min(d.end, p.hi);
      await tx.unsafe(FOLD_SQL((i) => `$${i}::bigint`), [d.start, t, end]);
      t = end;
    }
    const [n] = await tx.unsafe(`SELECT count(*)::bigint AS n FROM "${p.name}"`);
    await tx.unsafe(`DROP TABLE "${p.name}"`);
    return Number(n?.n ?? 0);
  });
}

/**
 * The size cap on Postgres: a deleted row's space is only reused, never returned, so the measure
 * would not move; the oldest day partition is dropped instead (never the one `keepFrom` falls in).
 * Rows dropped, or null when there is none to drop.
 */
export async function dropOldestPartition(sql: PgClient, keepFrom: number, dayOf: DayOf): Promise<number | null> {
  const p = (await listPartitions(sql)).find((p) => p.hi <= keepFrom);
  return p ? dropPartition(sql, p, dayOf) : null;
}
