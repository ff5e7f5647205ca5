// The control socket's cluster methods (spread into contract.ts's `methods`): the nodes sharing this
// routed's database, and what daemon.status says about the cluster. On SQLite the cluster is this
// one node.
import { z } from "zod";

/** A node's request counts over its stats window (the last minute), as of its last beat. */
export const nodeStatsSchema = z.object({ windowS: z.number(), requests: z.number(), errors: z.number(), rps: z.number() });

export const nodeSchema = z.object({
  id: z.string(), // its Via mark, "route-…"
  address: z.string(),
  version: z.string(),
  startedAt: z.number(),
  inflight: z.number(),
  beatAt: z.number(), // the database's clock
  state: z.enum(["live", "stale"]), // stale: no beat for 3 intervals
  self: z.boolean(), // the node answering
  stats: nodeStatsSchema.nullable(),
});

/** daemon.status's `cluster` (absent on SQLite). */
export const clusterStatusSchema = z.object({
  node: z.string(),
  liveNodes: z.number(),
  configVersion: z.number().nullable(), // the version of the config in force
  listener: z.enum(["connecting", "connected", "down"]),
  reloads: z.number(), // re-reads of upstreams and keys after other nodes' edits
  /** Always false: with a cluster, edits go to the database, never to this node's upstreams file. */
  fileWriteBack: z.boolean(),
});

export const clusterMethods = {
  "cluster.nodes": {
    params: z.strictObject({}),
    result: z.object({ clustered: z.boolean(), heartbeatMs: z.number(), nodes: z.array(nodeSchema) }),
  },
} as const;

export type NodeView = z.output<typeof nodeSchema>;
export type ClusterStatusView = z.output<typeof clusterStatusSchema>;
