// daemon.status, config.reload and config.export.
import type { ClusterStatusView } from "../../../shared/rpc/cluster-contract.ts";
import { PROTOCOL_VERSION } from "../../../shared/rpc/contract.ts";
import type { ConfigFile } from "../../config/schema.ts";
import type { ReloadResult } from "../../config/reload.ts";
import type { Pool } from "../../routing/pool.ts";
import type { LogStoreState } from "../../store/log-writer.ts";
import type { Store } from "../../store/types.ts";
import { renderRouteYaml } from "../../upstreams/export.ts";
import type { Handlers } from "../server.ts";
import type { RetentionStatusView } from "../../../shared/rpc/contract.ts";

export interface DaemonInfo {
  version: string;
  startedAt: number;
  addr: string;
  upstreamsFile: string | null;
  socket: string;
  inflight: () => number;
  draining: () => boolean;
  /** The config as last applied (start or reload). */
  config: () => ConfigFile;
  /** The last refused reload, until one succeeds. */
  lastReloadError?: () => { at: number; message: string } | null;
  logStore?: () => LogStoreState;
  /** Request-log rows this process has written so far (keeps the logged count current between counts). */
  rowsWritten?: () => number;
  /** Retention settings, the last retention pass and the disk guard (store/log-lifecycle.ts). */
  retention?: () => RetentionStatusView;
  /** The cluster this node is part of; undefined on one node. */
  cluster?: () => ClusterStatusView | undefined;
}

/** COUNT(*) over the whole log at most this often (route-tui asks every 10 s; a million rows is not free). */
const RECOUNT_MS = 60_000;

export function daemonMethods(info: DaemonInfo, store: Store, pool: Pool, reload: () => Promise<ReloadResult>) {
  let counted: { at: number; rows: number; written: number } | null = null;
  /** The last count plus what was written since (retention's deletions show at the next count). */
  async function logged(): Promise<number> {
    const written = info.rowsWritten?.() ?? 0;
    if (!counted || !info.rowsWritten || Date.now() - counted.at > RECOUNT_MS) counted = { at: Date.now(), rows: await store.countLogs(), written };
    return counted.rows + (written - counted.written);
  }
  return {
    "daemon.status": async () => ({
      version: info.version,
      protocol: PROTOCOL_VERSION,
      pid: process.pid,
      startedAt: info.startedAt,
      uptimeS: Math.round((Date.now() - info.startedAt) / 1000),
      addr: info.addr,
      db: store.location,
      upstreamsFile: info.upstreamsFile,
      socket: info.socket,
      draining: info.draining(),
      counts: { upstreams: pool.all().length, enabled: pool.candidates().length, inflight: info.inflight(), logs: await logged() },
      lastReloadError: info.lastReloadError?.() ?? null,
      logStore: info.logStore?.(),
      retention: info.retention?.(),
      cluster: info.cluster?.(),
    }),
    "config.reload": () => reload(),
    "config.export": async () => {
      const c = info.config();
      const defaults = { timeout: c.timeout, stream_timeout: c.stream_timeout, stall_timeout: c.stall_timeout };
      const billing = { prices: c.prices, group_ratio: c.group_ratio, unknown_price: c.unknown_price };
      return { yaml: renderRouteYaml(await store.listUpstreams(), { maskKeys: true, defaults, billing }) };
    },
  } satisfies Partial<Handlers>;
}
