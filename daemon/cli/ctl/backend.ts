// Where routectl's commands run: the daemon over the control socket, or, for the commands a
// first-time setup needs (list, add, import, export --db), the database directly when the daemon
// is not running. Offline work goes through the same upstream service the daemon uses.
import { existsSync } from "node:fs";
import { createRpcClient, type RpcClient } from "../../../shared/rpc/client.ts";
import { RpcError } from "../../../shared/rpc/errors.ts";
import { isPostgresUrl, shownLocation } from "../../store/location.ts";
import { openStore } from "../../store/open.ts";
import type { Store } from "../../store/types.ts";
import { createUpstreamService, type UpstreamService } from "../../upstreams/service.ts";
import { CliError, type Output } from "./output.ts";

export interface Globals {
  socket: string;
  db?: string;
  json: boolean;
}

export interface Ctx {
  g: Globals;
  o: Output;
  /** The command running (where an option's value came from: flag or environment). */
  cmd?: { getOptionValueSourceWithGlobals(key: string): string | undefined };
}

export async function withDaemon<T>(ctx: Ctx, fn: (rpc: RpcClient) => Promise<T>): Promise<T> {
  const rpc = createRpcClient({ socketPath: ctx.g.socket });
  await rpc.connect();
  try {
    return await fn(rpc);
  } finally {
    rpc.close();
  }
}

export async function withDb<T>(ctx: Ctx, create: boolean, fn: (upstreams: UpstreamService, store: Store) => Promise<T>): Promise<T> {
  const path = ctx.g.db!;
  if (!create && !isPostgresUrl(path) && !existsSync(path)) throw new CliError(`no database at ${shownLocation(path)}; check --db (or ROUTE_DB)`);
  const store = await openStore(path);
  try {
    return await fn(createUpstreamService({ store }), store);
  } finally {
    await store.close();
  }
}

/** The daemon if it answers; else, with --db, the database (and says so on stderr). `create`: a write. */
export async function withDaemonOrDb<T>(ctx: Ctx, viaDaemon: (rpc: RpcClient) => Promise<T>, viaDb: (upstreams: UpstreamService, store: Store) => Promise<T>, create = false): Promise<T> {
  let rpc: RpcClient | null = createRpcClient({ socketPath: ctx.g.socket });
  try {
    await rpc.connect();
  } catch (err) {
    if (!(err instanceof RpcError && err.code === "daemon_unreachable")) throw err;
    if (!ctx.g.db) throw new RpcError("daemon_unreachable", `${err.message}; or pass --db FILE to work on the database directly`, err.data);
    rpc = null;
  }
  if (rpc) {
    try {
      return await viaDaemon(rpc);
    } finally {
      rpc.close();
    }
  }
  const writes = create ? " (routed picks the change up when it starts)" : "";
  ctx.o.err(`routectl: routed is not reachable at ${ctx.g.socket}; working on the database ${shownLocation(ctx.g.db!)} directly${writes}`);
  return withDb(ctx, create, viaDb);
}

/** "3" → 3 (an id); anything else is a name. The daemon resolves both. */
export const upstreamArg = (s: string): number | string => (/^\d+$/.test(s) ? Number(s) : s);
