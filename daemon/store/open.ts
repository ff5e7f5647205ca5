// Which store a location means: a postgres:// or postgresql:// URL is PostgreSQL (several nodes
// can share it), anything else a SQLite file (the default, one node).
import { isPostgresUrl } from "./location.ts";
import { openSqliteStore, type SqliteOpenOptions } from "./sqlite/open.ts";
import type { Store } from "./types.ts";

export async function openStore(location: string, o: SqliteOpenOptions = {}): Promise<Store> {
  if (!isPostgresUrl(location)) return openSqliteStore(location, o);
  // Loaded only when asked for: a SQLite node starts exactly as before.
  const { openPgStore } = await import("./pg/open.ts");
  return openPgStore(location);
}
