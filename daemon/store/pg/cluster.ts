// The cluster surface on Postgres: the config version every edit bumps (with its notification, in
// the edit's own transaction), node heartbeats stamped by the database's clock, shared meta.
import { asc, eq, sql } from "drizzle-orm";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type { ClusterStore, NodeRecord } from "../types.ts";
import { watchChannel } from "./config-listener.ts";
import { clusterMeta, nodes } from "./schema-cluster.ts";

export const CONFIG_CHANNEL = "route_config";
const VERSION_KEY = "config_version";
const dbNowMs = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

type Executor = Pick<PostgresJsDatabase<any>, "execute">;

/**
 * Bumps config_version and queues its notification, as one statement inside the caller's
 * transaction: PG delivers a NOTIFY only at commit, so a rolled-back edit is never announced and a
 * node that hears the version and re-reads sees the edit. The version row's lock orders the edits.
 */
export async function bumpConfig(tx: Executor): Promise<void> {
  await tx.execute(sql`
    with v as (
      insert into ${clusterMeta} (key, value) values (${VERSION_KEY}, '1')
      on conflict (key) do update set value = (${clusterMeta.value}::bigint + 1)::text
      returning value
    )
    select pg_notify(${CONFIG_CHANNEL}, value) from v`);
}

export function createClusterStore(db: PostgresJsDatabase<any>, url: string): ClusterStore {
  const getMeta = async (key: string) => (await db.select({ value: clusterMeta.value }).from(clusterMeta).where(eq(clusterMeta.key, key)))[0]?.value ?? null;
  return {
    async configVersion() {
      return Number((await getMeta(VERSION_KEY)) ?? 0);
    },
    watchConfig(onChange) {
      return watchChannel(url, CONFIG_CHANNEL, (payload) => onChange(payload === null ? null : Number(payload)));
    },
    async heartbeat(n) {
      const row = { ...n, stats: n.stats ?? null, beatAt: dbNowMs };
      const { id: _, ...set } = row;
      await db.insert(nodes).values(row).onConflictDoUpdate({ target: nodes.id, set });
    },
    async listNodes() {
      return (await db.select().from(nodes).orderBy(asc(nodes.id))) as NodeRecord[];
    },
    async removeNode(id) {
      await db.delete(nodes).where(eq(nodes.id, id));
    },
    getMeta,
    async setMeta(key, value) {
      await db.insert(clusterMeta).values({ key, value }).onConflictDoUpdate({ target: clusterMeta.key, set: { value } });
    },
  };
}
