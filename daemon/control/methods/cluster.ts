// cluster.nodes: the nodes sharing this routed's database (on SQLite, this node alone).
import type { ClusterNode } from "../../cluster/index.ts";
import type { Handlers } from "../server.ts";

export const clusterMethods = (cluster: ClusterNode) => ({ "cluster.nodes": () => cluster.nodes() }) satisfies Partial<Handlers>;
