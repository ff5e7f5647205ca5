// The daemon's side of a cluster, wired in one place so daemon.ts calls a few functions. With a
// cluster store (Postgres): the config follows the database (follow.ts), the upstreams file is an
// import source gated by its hash (file-import.ts), the node heartbeats (nodes.ts), and /health,
// daemon.status and cluster.nodes say so. Without one (SQLite, one node) nothing here runs: the
// file is imported and written back as before, and the cluster is this node alone.
import { hostname as machineName } from "node:os";
import { Counter, Gauge } from "prom-client";
import type { ClusterStatusView, NodeView } from "../../shared/rpc/cluster-contract.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/registry.ts";
import type { NodeRecord, Store } from "../store/types.ts";
import { bindUpstreamsFile } from "../upstreams/file.ts";
import type { UpstreamService } from "../upstreams/service.ts";
import { clusterImport, databaseOnlyFile, localImport, type ImportUpstreams } from "./file-import.ts";
import { createConfigFollower, type ConfigFollower } from "./follow.ts";
import { createNodeHeartbeat, DEFAULT_HEARTBEAT_MS, type NodeHeartbeat } from "./nodes.ts";

export interface ClusterOptions {
  /** Safety-net poll of the config version (default 30 s). */
  pollMs?: number;
  /** Heartbeat interval (default 5 s); stale after 3 missed. */
  heartbeatMs?: number;
}

export interface NodeIdentity {
  id: string;
  version: string;
  startedAt: number;
}

export interface ClusterRuntime {
  /** "host:port" this node serves on (the machine's name for a wildcard address). */
  hostname: string;
  port: number;
  inflight: () => number;
  stats: () => NodeRecord["stats"];
  /** Re-reads upstreams and keys (serialised with this node's own edits). */
  apply: () => Promise<void>;
  metrics: Metrics;
}

/** The small per-node snapshot a heartbeat carries: requests and 5xx answers over the stats window. */
export function statsForBeat(s: { windowS: number; totals: { rps: number; requests: number; statusClasses: Record<string, number> } }) {
  return { windowS: s.windowS, requests: s.totals.requests, errors: s.totals.statusClasses["5xx"] ?? 0, rps: s.totals.rps };
}

export const nodeAddress = (hostname: string, port: number) => `${hostname === "0.0.0.0" || hostname === "::" ? machineName() : hostname}:${port}`;

export function createClusterNode(store: Store, me: NodeIdentity, log: Logger, opts: ClusterOptions = {}) {
  const cluster = store.cluster;
  let follower: ConfigFollower | null = null;
  let heartbeat: NodeHeartbeat | null = null;
  let address = "";
  let inflight = () => 0;
  let stats = (): NodeRecord["stats"] => null;
  let apply = async (): Promise<void> => {}; // set by start: nothing changes before the node serves
  const heartbeatMs = opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const failures = { config: 0, heartbeat: 0 };

  return {
    clustered: cluster !== undefined,
    /** Where socket/admin edits of file-imported upstreams go besides the store. */
    file: (path: string | undefined) => (cluster ? databaseOnlyFile(path ?? null) : path ? bindUpstreamsFile(path) : null),
    importer: (upstreams: UpstreamService): ImportUpstreams => (cluster ? clusterImport(cluster, upstreams, log) : localImport(upstreams)),

    /** Before the first load: remembers the version it reads. */
    async prime(): Promise<void> {
      if (!cluster) return;
      follower = createConfigFollower({ cluster, apply: () => apply(), log, pollMs: opts.pollMs, onFailure: () => failures.config++ });
      await follower.prime();
    },

    /** Once serving: listen, poll, heartbeat. */
    async start(rt: ClusterRuntime): Promise<void> {
      address = nodeAddress(rt.hostname, rt.port);
      inflight = rt.inflight;
      stats = rt.stats;
      if (!cluster || !follower) return;
      apply = rt.apply;
      heartbeat = createNodeHeartbeat({ cluster, self: () => ({ ...me, address, inflight: inflight(), stats: stats() }), intervalMs: heartbeatMs, log, onFailure: () => failures.heartbeat++, onDead: async (id) => void (await store.budget?.releaseNode(id)) });
      const registers = [rt.metrics.registry];
      new Counter({ name: "route_cluster_failures_total", help: "Failed cluster config re-reads and heartbeats (retried).", labelNames: ["kind"], registers, collect() { this.reset(); for (const [kind, n] of Object.entries(failures)) this.inc({ kind }, n); } });
      const live = () => heartbeat?.liveNodes() ?? 1;
      new Gauge({ name: "route_cluster_live_nodes", help: "Nodes that beat within 3 heartbeat intervals, this one included.", registers, collect() { this.set(live()); } });
      await follower.start();
      await heartbeat.start();
    },

    /** Non-stale nodes including this one (1 without a cluster); synchronous, from the last beat. */
    liveNodes: (): number => heartbeat?.liveNodes() ?? 1,
    follower: () => follower,
    heartbeat: () => heartbeat,

    async nodes(): Promise<{ clustered: boolean; heartbeatMs: number; nodes: NodeView[] }> {
      if (heartbeat) return { clustered: true, heartbeatMs, nodes: (await heartbeat.list()).map(viewOf) };
      const now = Date.now();
      return { clustered: false, heartbeatMs, nodes: [viewOf({ ...me, address, inflight: inflight(), stats: stats(), beatAt: now, state: "live", self: true })] };
    },

    status(): ClusterStatusView | undefined {
      if (!follower) return undefined;
      const s = follower.state();
      return { node: me.id, liveNodes: heartbeat?.liveNodes() ?? 1, configVersion: s.appliedVersion, listener: s.listener, reloads: s.reloads, fileWriteBack: false };
    },

    /** /health's `cluster` part; null on one node. */
    health() {
      const s = this.status();
      return s ? { node: s.node, live_nodes: s.liveNodes, config_version: s.configVersion, listener: s.listener } : null;
    },

    async stop(): Promise<void> {
      await follower?.stop();
      await heartbeat?.stop();
    },
  };
}

export type ClusterNode = ReturnType<typeof createClusterNode>;

/** A row's stats come from another node through the database: shown only when well-formed. */
function viewOf(n: NodeView | (Omit<NodeView, "stats"> & { stats: unknown })): NodeView {
  const s = n.stats as Record<string, unknown> | null;
  const ok = s !== null && typeof s === "object" && ["windowS", "requests", "errors", "rps"].every((k) => typeof s[k] === "number");
  return { id: n.id, address: n.address, version: n.version, startedAt: n.startedAt, inflight: n.inflight, beatAt: n.beatAt, state: n.state, self: n.self, stats: ok ? { windowS: s.windowS as number, requests: s.requests as number, errors: s.errors as number, rps: s.rps as number } : null };
}
