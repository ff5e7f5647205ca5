// Every node runs the retention job against the one database: two nodes deleting the same range at
// the same moment must fold its key spend once, not twice (the advisory lock in each step).
import { describe, expect, test } from "bun:test";
import { testDatabase } from "../../test-services.ts";
import { logRow } from "../contract.test-suite.ts";
import { openPgStore } from "./open.ts";

const pg = await testDatabase();
const DAY = 86_400_000;
const T = Date.UTC(2026, 0, 10);

describe.skipIf(!pg)("Postgres retention on several nodes", () => {
  test("two nodes deleting the same range together fold each key's spend once", async () => {
    const [a, b] = [await openPgStore(pg!), await openPgStore(pg!)];
    try {
      const rows = Array.from({ length: 400 }, (_, i) => ({ ...logRow(`0190-race-${String(i).padStart(4, "0")}`, i), ts: T + i * 1000, keyId: 1 + (i % 2), costMicros: 10 }));
      await a.insertLogs(rows);
      const before = await a.keyUsage({});
      const deleted = await Promise.all([a.retention.deleteRange(T, T, T + DAY), b.retention.deleteRange(T, T, T + DAY)]);
      expect(deleted[0] + deleted[1]).toBe(400); // one of them found the rows, the other nothing
      expect(await a.countLogs()).toBe(0);
      const after = await b.keyUsage({});
      expect(after.map((u) => [u.keyId, u.requests, u.costMicros]).sort()).toEqual(before.map((u) => [u.keyId, u.requests, u.costMicros]).sort());
    } finally {
      await a.close();
      await b.close();
    }
  });
});
