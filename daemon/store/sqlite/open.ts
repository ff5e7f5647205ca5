import { Database } from "bun:sqlite";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { applyLogSearch, FTS_TABLE, rebuildLogSearch } from "./log-search.ts";
import { migrateEmbedded } from "./migrate.ts";
import * as schema from "./schema.ts";
import { createSqliteStore } from "./store.ts";
import type { Store } from "../types.ts";

export interface SqliteOpenOptions {
  /**
   * Convert an existing file to auto_vacuum=INCREMENTAL (one VACUUM, which rewrites the file: the
   * daemon does it at start and says so through `onVacuum`), so retention passes shrink the file.
   * A new file is created with it whatever this says.
   */
  convert?: { onVacuum: (bytes: number) => void };
}

const pragma = (sqlite: Database, name: string) => Object.values(sqlite.query(`PRAGMA ${name}`).get() as object)[0] as number;

/** auto_vacuum=INCREMENTAL: set before the first table on a new file, or by one VACUUM on an old one. */
function incrementalVacuum(sqlite: Database, o: SqliteOpenOptions): void {
  if (pragma(sqlite, "auto_vacuum") === 2) return;
  const fresh = sqlite.query("SELECT count(*) AS n FROM sqlite_master").get() as { n: number };
  if (fresh.n > 0 && !o.convert) return;
  sqlite.exec("PRAGMA auto_vacuum = INCREMENTAL");
  if (fresh.n === 0) return;
  o.convert!.onVacuum(pragma(sqlite, "page_count") * pragma(sqlite, "page_size"));
  sqlite.exec("VACUUM");
  // VACUUM may renumber rowids, which the full-text index is keyed by (log-search.ts).
  if (sqlite.query("SELECT 1 FROM sqlite_master WHERE name = ?").get(FTS_TABLE)) rebuildLogSearch(sqlite);
}

/** Opens (creating 0600 and migrating) the SQLite file. WAL + busy_timeout: readers never block the log writer. */
export function openSqliteStore(path: string, o: SqliteOpenOptions = {}): Store {
  if (path !== ":memory:" && !existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    closeSync(openSync(path, "a", 0o600)); // the file holds upstream keys: owner-only from the first byte
  }
  const sqlite = new Database(path, { create: true, strict: true });
  if (path !== ":memory:") incrementalVacuum(sqlite, o);
  sqlite.exec("PRAGMA journal_mode = WAL");
  sqlite.exec("PRAGMA busy_timeout = 5000");
  sqlite.exec("PRAGMA synchronous = NORMAL");
  sqlite.exec("PRAGMA foreign_keys = ON");
  const db = drizzle({ client: sqlite, schema });
  migrateEmbedded(db);
  applyLogSearch(sqlite); // FTS5 DDL drizzle-kit cannot express (log-search.ts)
  return createSqliteStore(sqlite, db, path);
}
