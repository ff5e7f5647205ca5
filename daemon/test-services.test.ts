import { describe, expect, test } from "bun:test";
import postgres from "postgres";
import { testDatabase, testRedis } from "./test-services.ts";

const pg = await testDatabase();
const redis = await testRedis();

describe.skipIf(!pg)("testDatabase", () => {
  test("is a fresh, empty database", async () => {
    const sql = postgres(pg!, { max: 1 });
    const rows = await sql`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`;
    expect(rows[0]?.n).toBe(0);
    await sql.end();
  });
});

describe.skipIf(!redis)("testRedis", () => {
  test("gives each file its own prefix", () => {
    expect(redis!.prefix).toMatch(/^route-test:[0-9a-f]{16}:$/);
  });
});
