// logs.*: paging queries on the store, one full row, and live `logs.entry` notifications fed by
// the log writer after each batch is written (so every notified id can be fetched with logs.get).
import type { ParsedParams } from "../../../shared/rpc/contract.ts";
import { RpcError } from "../../../shared/rpc/errors.ts";
import { statusRange } from "../../store/log-filter.ts";
import { toLogSummary, type LogQuery, type LogRow, type Store } from "../../store/types.ts";
import type { Connection, Handlers } from "../server.ts";

type Filter = ParsedParams<"logs.subscribe">;

/** An upstream reference as the log knows it: ids (digits or "#12") by id, anything else by name. */
function upstreamFilter(ref: number | string): number | string {
  if (typeof ref === "number") return ref;
  const id = /^#?(\d+)$/.exec(ref.trim());
  return id ? Number(id[1]) : ref.trim();
}

/** The same filter as logs.query, applied to a row in memory. */
export function matches(row: LogRow, f: Filter): boolean {
  if (f.upstream !== undefined) {
    const u = upstreamFilter(f.upstream);
    if (typeof u === "number" ? row.upstreamId !== u : row.upstreamName !== u) return false;
  }
  if (f.model !== undefined && row.model !== f.model) return false;
  if (f.key !== undefined && row.keyName !== f.key) return false;
  if (f.status !== undefined) {
    const r = statusRange(f.status);
    if (r && (row.status < r[0] || row.status >= r[1])) return false;
  }
  if (f.text !== undefined) {
    const t = f.text.toLowerCase(); // SQLite's LIKE ignores ASCII case too
    if (!(row.requestBody ?? "").toLowerCase().includes(t) && !(row.replyText ?? "").toLowerCase().includes(t)) return false;
  }
  return true;
}

export function logMethods(store: Store) {
  /** Listings show the end of the id: accept it when it names one row. */
  async function bySuffix(suffix: string) {
    const ids = await store.findLogIds(suffix, 2);
    if (ids.length > 1) throw new RpcError("not_found", `several request logs end in ${suffix}; give more of the id`, { id: suffix });
    return ids.length === 1 ? store.getLog(ids[0]!) : null;
  }

  const subs = new Map<string, { conn: Connection; filter: Filter }>();
  let nextSub = 1;

  const handlers = {
    "logs.query": async (p) => {
      const q: LogQuery = { ...p, upstream: p.upstream === undefined ? undefined : upstreamFilter(p.upstream), limit: p.limit ?? 50 };
      const entries = await store.queryLogs(q);
      return { entries, next: entries.length === q.limit ? entries.at(-1)!.id : null };
    },
    "logs.get": async (p) => {
      const row = (await store.getLog(p.id)) ?? (await bySuffix(p.id));
      if (!row) throw new RpcError("not_found", `no request log with id ${p.id}; ids come from logs, and from the x-request-id response header`, { id: p.id });
      return row;
    },
    "logs.subscribe": (p, conn) => {
      const subscription = `logs-${nextSub++}`;
      subs.set(subscription, { conn, filter: p });
      conn.onClose(() => subs.delete(subscription));
      return { subscription };
    },
    "logs.unsubscribe": (p) => ({ ok: subs.delete(p.subscription) }),
  } satisfies Partial<Handlers>;

  return {
    handlers,
    /** Called with each written batch. */
    publish(rows: LogRow[]): void {
      if (subs.size === 0) return;
      for (const row of rows) {
        let entry;
        for (const [subscription, s] of subs) {
          if (!matches(row, s.filter)) continue;
          entry ??= toLogSummary(row);
          s.conn.notify("logs.entry", { subscription, entry });
        }
      }
    },
  };
}
