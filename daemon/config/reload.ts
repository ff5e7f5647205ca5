// config.reload / SIGHUP: re-reads upstreams.yaml and applies it without a restart: upstreams
// reconciled (through the upstream service, so it never interleaves with socket edits), client
// keys swapped, default timeouts updated. A file with errors changes nothing.
import { RpcError } from "../../shared/rpc/errors.ts";
import type { KeyChecker } from "../proxy/auth.ts";
import type { Pool } from "../routing/pool.ts";
import type { UpstreamService } from "../upstreams/service.ts";
import type { ImportUpstreams } from "../cluster/file-import.ts";
import { ConfigError, loadConfigFile } from "./load.ts";
import { DEFAULT_STALL_TIMEOUT_MS, DEFAULT_STREAM_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, type ConfigFile } from "./schema.ts";

export interface ReloadResult {
  file: string | null;
  found: boolean;
  added: number;
  updated: number;
  removed: number;
  upstreams: number;
  /** false: a cluster node whose file's upstreams were imported already (cluster/file-import.ts). */
  imported?: boolean;
}

export const timeoutsOf = (c: ConfigFile) => ({
  timeoutMs: c.timeout ?? DEFAULT_TIMEOUT_MS,
  streamTimeoutMs: c.stream_timeout ?? DEFAULT_STREAM_TIMEOUT_MS,
  stallTimeoutMs: c.stall_timeout ?? DEFAULT_STALL_TIMEOUT_MS,
  streamTimeoutMinMs: c.stream_timeout_min,
  streamTimeoutMaxMs: c.stream_timeout_max,
});

export interface ReloadDeps {
  file: string | null;
  upstreams: UpstreamService;
  /** How the file's list is applied; default: reconciled (one node). */
  importUpstreams?: ImportUpstreams;
  keys: KeyChecker | null;
  pool: Pool;
  /** Receives the new config once applied (export reads the global timeouts from it). */
  onApplied?: (config: ConfigFile) => void;
}

export function createConfigReloader(deps: ReloadDeps) {
  return async function reload(): Promise<ReloadResult> {
    if (!deps.file) return { file: null, found: false, added: 0, updated: 0, removed: 0, upstreams: deps.pool.all().length };
    let loaded;
    try {
      loaded = loadConfigFile(deps.file);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      throw new RpcError("file_invalid", `${deps.file} was not applied: ${err.problems.join("; ")}`, { problems: err.problems });
    }
    const { config } = loaded;
    // The pool reads its defaults object when it rebuilds, which the import below triggers.
    Object.assign(deps.pool.defaults, timeoutsOf(config));
    const imported = await (deps.importUpstreams ?? ((l) => deps.upstreams.reconcile(l ?? [])))(config.upstreams);
    const plan = imported ?? { inserts: [], updates: [], deletes: [] };
    deps.keys?.set(config.authorization ?? []);
    deps.onApplied?.(config);
    return {
      file: deps.file,
      found: loaded.found,
      added: plan.inserts.length,
      updated: plan.updates.filter((u) => Object.keys(u.patch).some((k) => k !== "position")).length,
      removed: plan.deletes.length,
      upstreams: deps.pool.all().length,
      ...(imported ? {} : { imported: false }),
    };
  };
}
