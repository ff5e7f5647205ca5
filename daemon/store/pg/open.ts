import { drizzle } from "drizzle-orm/postgres-js";
import type { Store } from "../types.ts";
import { connectPg, maskUrl } from "./client.ts";
import { migratePg } from "./migrate.ts";
import { maintainPartitions } from "./partitions.ts";
import { createPgStore } from "./store.ts";

/**
 * Connects to the database at `url`, migrates it (once across nodes starting together), and
 * returns the store. A failure names the database by its masked URL, never with the password.
 */
export async function openPgStore(url: string, o: { max?: number } = {}): Promise<Store> {
  try {
    await migratePg(url);
  } catch (err) {
    throw new Error(`cannot migrate the database at ${maskUrl(url)}: ${(err as Error).message}`);
  }
  const client = connectPg(url, { max: o.max });
  try {
    await client`select 1`; // connects, and the driver learns the array types the log insert binds
    // Today's and the next days' partitions exist before the first row is written: an insert routed
    // to the default partition while a partition for its day is being attached fails (the row no
    // longer fits the default's constraint). The retention job keeps them ahead from then on.
    const now = Date.now();
    await maintainPartitions(client, { from: now, ahead: now + 2 * 86_400_000, before: 0, dayOf: (t) => ({ start: t, end: t }) });
  } catch (err) {
    await client.end({ timeout: 1 });
    throw new Error(`cannot connect to the database at ${maskUrl(url)}: ${(err as Error).message}`);
  }
  return createPgStore(client, drizzle({ client }), url);
}
