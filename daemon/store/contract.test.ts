// The Store contract (contract.test-suite.ts) on every backend: SQLite in memory and on a file (its
// log thread), and Postgres when one is running (test-services.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { afterAll } from "bun:test";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testDatabase } from "../test-services.ts";
import { storeContract } from "./contract.test-suite.ts";
import { rollupContract } from "./rollup.test-suite.ts";
import { connectPg } from "./pg/client.ts";
import { openPgStore } from "./pg/open.ts";
import { openSqliteStore } from "./sqlite/open.ts";

const dir = mkdtempSync(join(tmpdir(), "route-contract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

storeContract({ name: "sqlite :memory:", open: async () => openSqliteStore(":memory:") });
storeContract({ name: "sqlite file", open: async () => openSqliteStore(join(dir, `db-${files++}.sqlite`)) });
rollupContract({ name: "sqlite :memory:", open: async () => openSqliteStore(":memory:") });
rollupContract({ name: "sqlite file", open: async () => openSqliteStore(join(dir, `db-${++files}.sqlite`)), reopen: async () => openSqliteStore(join(dir, `db-${files}.sqlite`)) });

const pg = await testDatabase();
if (pg) {
  const open = async () => {
    const store = await openPgStore(pg);
    await truncateAll(pg);
    return store;
  };
  storeContract({ name: "postgres", open });
  rollupContract({ name: "postgres", open, reopen: () => openPgStore(pg) });
}

/** Empties every table (identities restart), so each test starts as on a fresh database. */
async function truncateAll(url: string): Promise<void> {
  const sql = connectPg(url, { max: 1 });
  try {
    const tables = await sql<{ t: string }[]>`select quote_ident(tablename) as t from pg_tables where schemaname = 'public'`;
    await sql.unsafe(`truncate ${tables.map((r) => r.t).join(", ")} restart identity`);
  } finally {
    await sql.end();
  }
}
