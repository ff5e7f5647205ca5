// The full-text index survives the conversion of request_logs into day partitions (the hand-written
// partition script recreates it), with the very expression log-query.ts searches by.
import { describe, expect, test } from "bun:test";
import postgres from "postgres";
import { testDatabase } from "../../test-services.ts";
import { openPgStore } from "./open.ts";
import { SEARCH_VECTOR } from "./schema-logs.ts";

const pg = await testDatabase();

describe.skipIf(!pg)("Postgres search index on the partitioned log", () => {
  test("request_logs is partitioned and carries request_logs_search over SEARCH_VECTOR", async () => {
    const store = await openPgStore(pg!);
    const sql = postgres(pg!, { max: 1, onnotice: () => {} });
    try {
      const [t] = await sql`SELECT relkind FROM pg_class WHERE relname = 'request_logs'`;
      expect(t?.relkind).toBe("p");
      const [idx] = await sql`SELECT count(*)::int AS n FROM pg_class WHERE relname = 'request_logs_search'`;
      expect(idx?.n).toBe(1);
      // The planner can answer a search by the index only if its expression is SEARCH_VECTOR's.
      const plan = await sql.begin(async (tx) => {
        await tx`SET LOCAL enable_seqscan = off`;
        return tx.unsafe(`EXPLAIN SELECT id FROM request_logs WHERE ${SEARCH_VECTOR} @@ plainto_tsquery('simple', 'hello')`);
      });
      expect(plan.map((r) => r["QUERY PLAN"]).join("\n")).toContain("Bitmap Index Scan");
    } finally {
      await sql.end();
      await store.close();
    }
  });
});
