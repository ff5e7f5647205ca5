// The Store contract (contract.test-suite.ts, search.test-suite.ts) on every backend: SQLite in
// memory and on a file (its log thread), and Postgres when one is running (test-services.ts).
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { afterAll } from "bun:test";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testDatabase } from "../test-services.ts";
import { storeContract } from "./contract.test-suite.ts";
import { rollupContract } from "./rollup.test-suite.ts";
import { connectPg } from "./pg/client.ts";
import { openPgStore } from "./pg/open.ts";
import { searchContract } from "./search.test-suite.ts";
import { openSqliteStore } from "./sqlite/open.ts";

const dir = mkdtempSync(join(tmpdir(), "route-contract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const sqliteFile = { name: "sqlite file", open: async () => openSqliteStore(join(dir, `db-${files++}.sqlite`)) };
storeContract({ name: "sqlite :memory:", open: async () => openSqliteStore(":memory:") });
storeContract(sqliteFile);
searchContract({
  ...sqliteFile,
  async exec(statement) {
    const db = new Database(join(dir, `db-${files - 1}.sqlite`), { strict: true }); // a second connection, as retention's would be
    try {
      db.exec("PRAGMA busy_timeout = 5000");
      db.exec(statement);
    } finally {
      db.close();
    }
  },
});
rollupContract({ name: "sqlite :memory:", open: async () => openSqliteStore(":memory:") });
rollupContract({ name: "sqlite file", open: async () => openSqliteStore(join(dir, `db-${++files}.sqlite`)), reopen: async () => openSqliteStore(join(dir, `db-${files}.sqlite`)) });

const pg = await testDatabase();
if (pg) {
  const postgres = {
    name: "postgres",
    async open() {
      const store = await openPgStore(pg);
      await truncateAll(pg);
      return store;
    },
  };
  storeContract(postgres);
  searchContract({ ...postgres, exec: (statement) => withPg(pg, (sql) => sql.unsafe(statement)) });
  rollupContract({ ...postgres, reopen: () => openPgStore(pg) });
}

async function withPg<T>(url: string, fn: (sql: ReturnType<typeof connectPg>) => Promise<T>): Promise<void> {
  const sql = connectPg(url, { max: 1 });
  try {
    await fn(sql);
  } finally {
    await sql.end();
  }
}

/** Empties every table (identities restart), so each test starts as on a fresh database. */
async function truncateAll(url: string): Promise<void> {
  await withPg(url, async (sql) => {
    const tables = await sql<{ t: string }[]>`select quote_ident(tablename) as t from pg_tables where schemaname = 'public'`;
    await sql.unsafe(`truncate ${tables.map((r) => r.t).join(", ")} restart identity`);
  });
}
