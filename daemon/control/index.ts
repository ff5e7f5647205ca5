// Assembles the control socket from the daemon's services: every contract method gets its
// handler here (the type checker fails the build if one is missing).
import type { Logger } from "../log.ts";
import type { ReloadResult } from "../config/reload.ts";
import type { Live } from "../routing/live.ts";
import type { Pool } from "../routing/pool.ts";
import type { StatsCollector } from "../stats/collector.ts";
import type { LogRow, Store } from "../store/types.ts";
import type { UpstreamService } from "../upstreams/service.ts";
import type { KeyService } from "../keys/service.ts";
import type { ClusterNode } from "../cluster/index.ts";
import { clusterMethods } from "./methods/cluster.ts";
import { daemonMethods, type DaemonInfo } from "./methods/daemon.ts";
import { historyMethods } from "./methods/history.ts";
import { keyMethods } from "./methods/keys.ts";
import { logMethods } from "./methods/logs.ts";
import { notifyMethods } from "./methods/notify.ts";
import type { Notifier } from "../notify/notifier.ts";
import { statsMethods } from "./methods/stats.ts";
import { upstreamMethods } from "./methods/upstreams.ts";
import { startControlServer, type Handlers } from "./server.ts";

export interface ControlDeps {
  path: string;
  log: Logger;
  info: DaemonInfo;
  store: Store;
  pool: Pool;
  upstreams: UpstreamService;
  keys: KeyService;
  stats: StatsCollector;
  /** Limit counters (and health) beside the pool. */
  live: Live;
  reload: () => Promise<ReloadResult>;
  notifier: () => Notifier;
  cluster: ClusterNode;
  statsTickMs?: number;
}

export async function startControl(deps: ControlDeps) {
  const logs = logMethods(deps.store);
  const stats = statsMethods(deps.stats, deps.pool, deps.info.inflight, deps.statsTickMs ?? 1000, deps.live);
  const handlers: Handlers = {
    ...daemonMethods(deps.info, deps.store, deps.pool, deps.reload),
    ...upstreamMethods(deps.upstreams, deps.pool, deps.live),
    ...logs.handlers,
    ...stats.handlers,
    ...historyMethods(deps.store),
    ...notifyMethods(deps.notifier),
    ...keyMethods(deps.keys),
    ...clusterMethods(deps.cluster),
  };
  const server = await startControlServer({ path: deps.path, handlers, log: deps.log });
  return {
    path: server.path,
    /** Live `logs.entry` notifications for rows just written. */
    publishRows: (rows: LogRow[]) => logs.publish(rows),
    async close() {
      stats.close();
      await server.close();
    },
  };
}

export type Control = Awaited<ReturnType<typeof startControl>>;
