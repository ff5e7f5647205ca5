// Which store a location means: a postgres:// or postgresql:// URL is PostgreSQL (several nodes
// can share it), anything else a SQLite file (the default, one node).
import { isPostgresUrl } from "./location.ts";
import { openSqliteStore } from "./sqlite/open.ts";
import type { Store } from "./types.ts";

export async function openStore(location: string): Promise<Store> {
  if (!isPostgresUrl(location)) return openSqliteStore(location);
  // Loaded only when asked for: a SQLite node starts exactly as before.
  const { openPgStore } = await import("./pg/open.ts");
  return openPgStore(location);
}
