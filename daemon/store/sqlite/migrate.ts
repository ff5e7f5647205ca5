// Applies drizzle-kit's migrations from the embedded copy (migrations.gen.ts), see embedded-migrations.ts.
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { embeddedMigrations as fromJournal } from "../embedded-migrations.ts";
import { journal, sqlByTag } from "./migrations.gen.ts";

export const embeddedMigrations = (): MigrationMeta[] => fromJournal(journal, sqlByTag);

// `dialect` and `session` are drizzle internals its own bun-sqlite migrator uses the same way.
type Internals = { dialect: { migrate(m: MigrationMeta[], session: unknown, config: object): void }; session: unknown };

export function migrateEmbedded(db: BunSQLiteDatabase<any>): void {
  const { dialect, session } = db as unknown as Internals;
  dialect.migrate(embeddedMigrations(), session, {});
}
