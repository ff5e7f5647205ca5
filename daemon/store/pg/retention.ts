// The retention steps on Postgres (store/retention.ts drives them): the same batched fold-then-
// delete as SQLite for rows inside a day, and whole day partitions dropped once older than the
// retention (partitions.ts), so most of the log goes without a DELETE or the bloat it leaves.
import { FOLD_SQL } from "../key-spend.ts";
import type { LogRetentionStore } from "../types.ts";
import type { PgClient } from "./client.ts";
import { RETENTION_LOCK_KEY } from "./migrate.ts";
import { dropOldestPartition, maintainPartitions } from "./partitions.ts";

const BODIES_PRESENT = "(request_body IS NOT NULL OR reply_text IS NOT NULL OR tool_calls IS NOT NULL)";

export function pgRetention(sql: PgClient): LogRetentionStore {
  return {
    async logBytes() {
      // A partitioned table has no storage of its own: its partitions' sizes, plus its own for an unpartitioned one.
      const [r] = await sql<{ n: string }[]>`SELECT (pg_total_relation_size('request_logs') + coalesce((SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'request_logs'::regclass), 0))::bigint AS n`;
      return Number(r?.n ?? 0);
    },
    async nthTs(from, before, n) {
      const [r] = await sql<{ ts: string }[]>`SELECT ts FROM request_logs WHERE ts >= ${from} AND ts < ${before} ORDER BY ts LIMIT 1 OFFSET ${n - 1}`;
      return r ? Number(r.ts) : null;
    },
    async deleteRange(day, from, to) {
      return sql.begin(async (tx) => {
        // Every node runs retention: one step at a time, and the statements after the lock see
        // what another node's step committed (a range it deleted is folded and deleted once).
        await tx`SELECT pg_advisory_xact_lock(${RETENTION_LOCK_KEY})`;
        await tx.unsafe(FOLD_SQL((i) => `$${i}::bigint`), [day, from, to]);
        return (await tx`DELETE FROM request_logs WHERE ts >= ${from} AND ts < ${to}`).count;
      });
    },
    async clearBodies(from, to, reason) {
      const r = await sql.unsafe(`UPDATE request_logs SET request_body = NULL, reply_text = NULL, tool_calls = NULL, bodies_omitted = $1 WHERE ts >= $2 AND ts < $3 AND ${BODIES_PRESENT}`, [reason, from, to]);
      return r.count;
    },
    async compact() {
      return 0; // autovacuum reuses the space of deleted rows; dropped partitions give theirs back at once
    },
    partitions: (o) => maintainPartitions(sql, o),
    dropOldestDay: (keepFrom, dayOf) => dropOldestPartition(sql, keepFrom, dayOf),
  };
}
