import { Database } from "bun:sqlite";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { applyLogSearch } from "./log-search.ts";
import { migrateEmbedded } from "./migrate.ts";
import * as schema from "./schema.ts";
import { createSqliteStore } from "./store.ts";
import type { Store } from "../types.ts";

/** Opens (creating 0600 and migrating) the SQLite file. WAL + busy_timeout: readers never block the log writer. */
export function openSqliteStore(path: string): Store {
  if (path !== ":memory:" && !existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    closeSync(openSync(path, "a", 0o600)); // the file holds upstream keys: owner-only from the first byte
  }
  const sqlite = new Database(path, { create: true, strict: true });
  sqlite.exec("PRAGMA journal_mode = WAL");
  sqlite.exec("PRAGMA busy_timeout = 5000");
  sqlite.exec("PRAGMA synchronous = NORMAL");
  sqlite.exec("PRAGMA foreign_keys = ON");
  const db = drizzle({ client: sqlite, schema });
  migrateEmbedded(db);
  applyLogSearch(sqlite); // FTS5 DDL drizzle-kit cannot express (log-search.ts)
  return createSqliteStore(sqlite, db, path);
}
