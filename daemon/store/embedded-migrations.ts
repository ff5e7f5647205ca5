// drizzle-kit's migrations from an embedded copy (<dialect>/migrations.gen.ts) instead of a folder
// read at run time, so a compiled `routed` migrates its database with no files beside it.
// Mirrors drizzle-orm's readMigrationFiles: same statement split, same hash, same timestamps.
import { createHash } from "node:crypto";
import type { MigrationMeta } from "drizzle-orm/migrator";

type Journal = { entries: { tag: string; when: number; breakpoints: boolean }[] };

export function embeddedMigrations(journal: Journal, sqlByTag: Record<string, string>): MigrationMeta[] {
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
