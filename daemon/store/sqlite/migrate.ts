// Applies drizzle-kit's migrations from the embedded copy (migrations.gen.ts) instead of reading
// drizzle/sqlite at run time, so a compiled `routed` migrates its database with no files beside it.
// Mirrors drizzle-orm's readMigrationFiles: same statement split, same hash, same timestamps.
import { createHash } from "node:crypto";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { journal, sqlByTag } from "./migrations.gen.ts";

export function embeddedMigrations(): MigrationMeta[] {
  return journal.entries.map((e) => {
    const query = sqlByTag[e.tag];
    if (query === undefined) throw new Error(`migration ${e.tag} is in the journal but not embedded; run npm run db:generate`);
    return {
      sql: query.split("--> statement-breakpoint"),
      bps: e.breakpoints,
      folderMillis: e.when,
      hash: createHash("sha256").update(query).digest("hex"),
    };
  });
}

// `dialect` and `session` are drizzle internals its own bun-sqlite migrator uses the same way.
type Internals = { dialect: { migrate(m: MigrationMeta[], session: unknown, config: object): void }; session: unknown };

export function migrateEmbedded(db: BunSQLiteDatabase<any>): void {
  const { dialect, session } = db as unknown as Internals;
  dialect.migrate(embeddedMigrations(), session, {});
}
