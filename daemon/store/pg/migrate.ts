// Applies the embedded drizzle-kit migrations (migrations.gen.ts) under a session advisory lock, so
// nodes starting together on one database migrate it once: the first holds the lock and migrates,
// the others wait, then find every migration applied. The lock is per session, so the migrator runs
// on its own single-connection client (a pool could run the lock and the migration on different
// connections); closing that client releases the lock even if the migration failed.
import { drizzle } from "drizzle-orm/postgres-js";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { embeddedMigrations as fromJournal } from "../embedded-migrations.ts";
import { connectPg } from "./client.ts";
import { journal, sqlByTag } from "./migrations.gen.ts";
import PARTITIONS_SQL from "../../../drizzle/pg-manual/request-logs-partitions.sql" with { type: "text" };

export const embeddedMigrations = (): MigrationMeta[] => fromJournal(journal, sqlByTag);

/** A fixed key for pg_advisory_lock: "route" in ASCII, so other applications' keys are unlikely to collide. */
export const MIGRATION_LOCK_KEY = 0x726f757465;
/** Retention steps run on every node: one at a time (pg_advisory_xact_lock in each step's transaction). */
export const RETENTION_LOCK_KEY = MIGRATION_LOCK_KEY + 1;

type Internals = { dialect: { migrate(m: MigrationMeta[], session: unknown, config: object): Promise<void> }; session: unknown };

export async function migratePg(url: string): Promise<void> {
  const client = connectPg(url, { max: 1 });
  try {
    // Waiting for another node's migration has a deadline too: one stuck behind live traffic's
    // locks must not hang every node's start in silence.
    await client`set lock_timeout = '120s'`;
    await client`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    // drizzle's own postgres-js migrator, fed the embedded files instead of a folder.
    const { dialect, session } = drizzle({ client }) as unknown as Internals;
    await dialect.migrate(embeddedMigrations(), session, {});
    await client.unsafe(PARTITIONS_SQL); // what drizzle-kit cannot express; a no-op once applied
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}
