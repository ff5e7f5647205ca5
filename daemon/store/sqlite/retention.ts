// The retention steps on SQLite (store/retention.ts drives them). Reads run on the main connection
// (WAL: they never wait for the writer, and each is an index lookup); every write goes to the log
// thread (log-worker.ts), one short transaction per step, so the event loop never waits on a write
// lock and inserts interleave with a long retention pass between its batches.
import type { Database } from "bun:sqlite";
import { FOLD_SQL } from "../key-spend.ts";
import type { LogRetentionStore } from "../types.ts";
import type { LogWorker } from "./log-worker.ts";

const BODIES_PRESENT = "(request_body IS NOT NULL OR reply_text IS NOT NULL OR tool_calls IS NOT NULL)";

/** Pages in use (the file minus its free list), in bytes: O(1), from the header. */
export function usedBytes(sqlite: Database): number {
  const n = (pragma: string) => Object.values(sqlite.query(`PRAGMA ${pragma}`).get() as object)[0] as number;
  return (n("page_count") - n("freelist_count")) * n("page_size");
}

export function sqliteRetention(sqlite: Database, logs: LogWorker): LogRetentionStore {
  const nth = sqlite.query<{ ts: number }, [number, number, number]>("SELECT ts FROM request_logs WHERE ts >= ? AND ts < ? ORDER BY ts LIMIT 1 OFFSET ?");
  const pages = () => (sqlite.query("PRAGMA page_count").get() as { page_count: number }).page_count;
  return {
    async logBytes() {
      return usedBytes(sqlite);
    },
    async nthTs(from, before, n) {
      return nth.get(from, before, n - 1)?.ts ?? null;
    },
    async deleteRange(day, from, to) {
      const [, deleted] = await logs.run([
        { sql: FOLD_SQL(() => "?"), params: [day, from, to] },
        { sql: "DELETE FROM request_logs WHERE ts >= ? AND ts < ?", params: [from, to] },
      ]);
      return deleted ?? 0;
    },
    async clearBodies(from, to, reason) {
      const sql = `UPDATE request_logs SET request_body = NULL, reply_text = NULL, tool_calls = NULL, bodies_omitted = ? WHERE ts >= ? AND ts < ? AND ${BODIES_PRESENT}`;
      const [changed] = await logs.run([{ sql, params: [reason, from, to] }]);
      return changed ?? 0;
    },
    async compact() {
      const before = pages();
      // Free pages back to the file system, then a checkpoint that waits for no reader, so the file
      // itself shrinks (in WAL mode the truncation happens when the checkpoint copies the last commit).
      await logs.exec("PRAGMA incremental_vacuum");
      await logs.exec("PRAGMA wal_checkpoint(PASSIVE)");
      const size = (sqlite.query("PRAGMA page_size").get() as { page_size: number }).page_size;
      return Math.max(0, before - pages()) * size;
    },
  };
}
