// What upstreams.yaml means when several nodes share one database. The database is the truth; a
// node's file is an import source, applied on start or reload only when its upstream list differs
// from the list last imported by any node (its hash is kept in cluster_meta). So a node restarting
// with an old copy of the file never undoes edits made since through routectl, the TUI or the admin
// API, and nodes started with the same file never flap: the first imports, the others see the same
// hash and leave the database alone. A changed file is imported once, by the first node to read it.
// Only the `upstreams:` list is hashed and imported: the rest of the file (timeouts, notify,
// routing, …) stays per node, as with one node. Edits on a node are not written back to its file:
// the other nodes' copies could not follow, and the next changed file would be imported anyway.
import { createHash } from "node:crypto";
import type { FileUpstream } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import type { ReconcilePlan } from "../store/reconcile.ts";
import type { ClusterStore } from "../store/types.ts";
import type { UpstreamsFile } from "../upstreams/file.ts";
import type { UpstreamService } from "../upstreams/service.ts";

export const FILE_HASH_META = "upstreams_file_hash";

/** Imports a file's upstream list, then rebuilds the pool; null: nothing was imported (the cluster has it already). */
export type ImportUpstreams = (list: FileUpstream[] | undefined) => Promise<ReconcilePlan | null>;

/** JSON with sorted keys: the same list hashes the same whatever the key order in the YAML. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stable(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** SHA-256 of the parsed list (never the keys themselves: only this digest is stored). */
export const upstreamsHash = (list: FileUpstream[]): string => createHash("sha256").update(stable(list)).digest("hex");

/** One node (SQLite): the file is the truth for the upstreams it lists, at every start and reload. */
export const localImport = (upstreams: UpstreamService): ImportUpstreams => (list) => upstreams.reconcile(list ?? []);

export function clusterImport(cluster: ClusterStore, upstreams: UpstreamService, log: Logger): ImportUpstreams {
  return async (list) => {
    // A node without a file (or a file without `upstreams:`) says nothing about the cluster's list.
    // Either way the pool is rebuilt, as a reconcile would: it is empty at start, and a reload may
    // have changed the default timeouts it reads.
    const hash = list === undefined ? null : upstreamsHash(list);
    if (hash === null || (await cluster.getMeta(FILE_HASH_META)) === hash) {
      await upstreams.refresh();
      return null;
    }
    const plan = await upstreams.reconcile(list!);
    await cluster.setMeta(FILE_HASH_META, hash);
    log.info("upstreams file differs from the last one imported into the cluster; imported", { added: plan.inserts.length, updated: plan.updates.length, removed: plan.deletes.length });
    return plan;
  };
}

/** With a cluster store, edits of file-imported upstreams go to the database only (see above). */
export const databaseOnlyFile = (path: string | null): UpstreamsFile => ({ path: path ?? "(cluster database)", write() {} });
