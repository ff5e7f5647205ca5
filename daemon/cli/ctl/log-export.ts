// `routectl logs export`: every row matching the filters, as JSON lines or CSV on stdout, paged
// through logs.query with its cursor (or the store, with --db and no daemon). Each page is written,
// and stdout drained, before the next is asked for, so memory stays flat however many rows match.
import type { LogRecordView, LogSummaryView } from "../../../shared/rpc/contract.ts";
import type { RpcClient } from "../../../shared/rpc/client.ts";
import { LOG_COLUMNS } from "../../store/log-columns.ts";
import { LOG_SUMMARY_FIELDS, type LogQuery, type Store } from "../../store/types.ts";
import { withDaemonOrDb, type Ctx } from "./backend.ts";
import { queryFilter, type QueryFilter } from "./log-filters.ts";
import { EXIT } from "./output.ts";

export const EXPORT_PAGE = 500;
const BODY_FETCHES = 20; // full rows (bodies) asked for at once: each may be megabytes

type Row = LogSummaryView | LogRecordView;
interface Source {
  page(filter: QueryFilter, before: string | undefined): Promise<{ entries: LogSummaryView[]; next: string | null }>;
  full(id: string): Promise<LogRecordView | null>;
}

const SUMMARY_COLUMNS: string[] = [...LOG_SUMMARY_FIELDS, "replyPreview"];
const FULL_COLUMNS: string[] = [...LOG_COLUMNS];

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, its quotes doubled; null is empty. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export const csvLine = (columns: string[], row: Record<string, unknown>) => `${columns.map((c) => csvField(row[c])).join(",")}\r\n`;

/** Writes to a stream, waiting for it to drain when its buffer is full (a slow pipe slows the export). */
function drainingWriter(stream: NodeJS.WritableStream) {
  return (text: string) => new Promise<void>((resolve, reject) => {
    const ok = stream.write(text, (err) => err && reject(err));
    if (ok) resolve();
    else stream.once("drain", resolve);
  });
}

export async function exportRows(source: Source, filter: QueryFilter, o: { format: "jsonl" | "csv"; bodies: boolean }, write: (text: string) => Promise<void>): Promise<number> {
  const columns = o.bodies ? FULL_COLUMNS : SUMMARY_COLUMNS;
  if (o.format === "csv") await write(`${columns.join(",")}\r\n`);
  let before: string | undefined;
  let n = 0;
  for (;;) {
    const { entries, next } = await source.page(filter, before);
    let rows: Row[] = entries;
    if (o.bodies) {
      rows = [];
      for (let i = 0; i < entries.length; i += BODY_FETCHES) {
        const full = await Promise.all(entries.slice(i, i + BODY_FETCHES).map((e) => source.full(e.id)));
        rows.push(...full.filter((r): r is LogRecordView => r !== null)); // deleted meanwhile: skipped
      }
    }
    await write(rows.map((r) => (o.format === "csv" ? csvLine(columns, r as never) : `${JSON.stringify(r)}\n`)).join(""));
    n += rows.length;
    if (next === null) return n;
    before = next;
  }
}

const daemonSource = (rpc: RpcClient): Source => ({
  page: (filter, before) => rpc.call("logs.query", { ...filter, before, limit: EXPORT_PAGE }),
  full: (id) => rpc.call("logs.get", { id }),
});

/** The store directly (--db, routed not running): the same pages logs.query would give. */
export const storeSource = (store: Store): Source => ({
  async page(filter, before) {
    const entries = (await store.queryLogs({ ...(filter as Omit<LogQuery, "limit">), before, limit: EXPORT_PAGE })) as LogSummaryView[];
    return { entries, next: entries.length === EXPORT_PAGE ? entries.at(-1)!.id : null };
  },
  full: (id) => store.getLog(id) as Promise<LogRecordView | null>,
});

export async function exportLogs(ctx: Ctx, opts: Record<string, any>): Promise<number> {
  // The filter options after `export` are parsed by `logs` (commander reads a parent's options
  // anywhere on the line): they arrive merged in the globals, beside export's own.
  const filter = queryFilter({ ...(ctx.g as object), ...opts });
  const o = { format: opts.format as "jsonl" | "csv", bodies: Boolean(opts.bodies) };
  const write = drainingWriter(process.stdout);
  const n = await withDaemonOrDb(ctx, (rpc) => exportRows(daemonSource(rpc), filter, o, write), (_u, store) => exportRows(storeSource(store), filter, o, write));
  ctx.o.err(`routectl: exported ${n} request log${n === 1 ? "" : "s"}`);
  return EXIT.ok;
}
