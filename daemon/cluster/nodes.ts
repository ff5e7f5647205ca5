// The nodes of a cluster: each routed upserts its row every few seconds (its heartbeat) and deletes
// it on a graceful stop. A node is stale when it has not beaten for STALE_BEATS intervals. Ages
// are measured on the database's clock (the freshest beat in the list, normally this node's own,
// just written), never against this machine's clock, so clock skew between hosts cannot make a
// live node look stale. `liveNodes()` is synchronous (the last list seen) for hot callers such as
// a limit shared between nodes (each takes limit ÷ live nodes).
import { withDeadline } from "../deadline.ts";
import type { Logger } from "../log.ts";
import type { ClusterStore, NodeRecord } from "../store/types.ts";

export const DEFAULT_HEARTBEAT_MS = 5_000;
export const STALE_BEATS = 3;
/** A node silent this many intervals is gone: its row is removed and its budget holds released. */
export const DEAD_BEATS = 12;

export type NodeState = "live" | "stale";
export type NodeStatus = NodeRecord & { state: NodeState; self: boolean };

/** Each node with its state; `selfId` marks this node. */
export function nodeStates(nodes: NodeRecord[], selfId: string, intervalMs: number): NodeStatus[] {
  const ref = nodes.reduce((m, n) => Math.max(m, n.beatAt), 0);
  return nodes.map((n) => ({ ...n, state: ref - n.beatAt > STALE_BEATS * intervalMs ? "stale" : "live", self: n.id === selfId }));
}

/** Non-stale nodes, this one included (it counts even while its own beat fails): at least 1. */
export const countLive = (nodes: NodeStatus[]): number => 1 + nodes.filter((n) => n.state === "live" && !n.self).length;

export interface HeartbeatDeps {
  cluster: ClusterStore;
  /** This node's row as of now (inflight and stats change between beats). */
  self: () => Omit<NodeRecord, "beatAt">;
  intervalMs?: number;
  log: Logger;
  onFailure?: () => void;
  /**
   * A node silent for DEAD_BEATS intervals (killed, its machine gone): release what it held (budget
   * holds its requests will never settle) before its row is removed. Any live node may do it; the
   * release is idempotent.
   */
  onDead?: (id: string) => Promise<void>;
}

export function createNodeHeartbeat(deps: HeartbeatDeps) {
  const { cluster, log } = deps;
  const intervalMs = deps.intervalMs ?? DEFAULT_HEARTBEAT_MS;
  const id = deps.self().id;
  let nodes: NodeStatus[] = [];
  let beating: Promise<void> | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;

  const list = async () => nodeStates(await cluster.listNodes(), id, intervalMs);

  /** Beats and refreshes the list; a beat still under way (a slow database) skips this tick. */
  function beat(): Promise<void> {
    beating ??= (async () => {
      try {
        await cluster.heartbeat(deps.self());
        const all = await cluster.listNodes();
        nodes = nodeStates(all, id, intervalMs);
        const ref = all.reduce((m, n) => Math.max(m, n.beatAt), 0);
        for (const n of all) {
          if (ref - n.beatAt <= DEAD_BEATS * intervalMs) continue;
          await deps.onDead?.(n.id);
          await cluster.removeNode(n.id);
          log.warn("a node stopped beating long ago: its budget holds are released and it leaves the node list", { node: n.id });
        }
      } catch (err) {
        deps.onFailure?.();
        log.warn("cluster heartbeat failed; retrying at the next beat", { err });
      } finally {
        beating = null;
      }
    })();
    return beating;
  }

  return {
    id,
    intervalMs,
    async start(): Promise<void> {
      await beat();
      timer = setInterval(() => void beat(), intervalMs);
      timer.unref();
    },
    beat,
    /** A fresh list from the database (routectl nodes). */
    list,
    liveNodes: () => countLive(nodes),
    /** Stops beating and removes this node's row, so the others stop counting it at once. */
    async stop(): Promise<void> {
      clearInterval(timer);
      // A stop is not held by a silent database: the row turns stale by itself if it stays.
      const bounded = <T>(p: Promise<T> | null) => p && withDeadline(p, 5000, "the database did not answer within 5 s").catch(() => {});
      await bounded(beating);
      await bounded(cluster.removeNode(id).catch((err) => log.warn("could not remove this node from the cluster's list; it turns stale by itself", { err })));
    },
  };
}

export type NodeHeartbeat = ReturnType<typeof createNodeHeartbeat>;
