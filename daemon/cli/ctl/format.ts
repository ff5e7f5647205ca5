// Human renderings of what the daemon returns: the upstream list, log lines, one log in full,
// stats, status. Fixed-width log columns, so `logs -f` lines align with the header printed once.
import { formatMs } from "../../../shared/duration.ts";
import { formatBytes } from "../../../shared/size.ts";
import type { DaemonStatusView, LogRecordView, LogSummaryView, StatsView, UpstreamView } from "../../../shared/rpc/contract.ts";
import { fitWidths, renderRow, type Column } from "../../../shared/table.ts";
import { paint, printFields, printTable, type Colour, type Output } from "./output.ts";

const STATE_COLOUR: Record<string, Colour> = { up: "green", down: "red", disabled: "dim", enabled: "green" };
const ms = (v: number | null) => (v === null ? "-" : formatMs(v));

export function printUpstreams(o: Output, list: UpstreamView[]): void {
  if (list.length === 0) return o.out("no upstreams; add one with `routectl add --endpoint URL --sk-file FILE` (or `--sk -` to read the key from stdin)");
  const columns: Column[] = [{ header: "#", align: "right" }, { header: "ID", align: "right" }, { header: "NAME", flex: true, min: 6 }, { header: "ENDPOINT", flex: true, min: 16 }, { header: "KEY" }, { header: "STATE" }, { header: "SOURCE" }];
  const rows = list.map((u) => [String(u.position), String(u.id), u.name ?? "-", u.endpoint, u.sk, u.state ?? (u.enabled ? "enabled" : "disabled"), u.source]);
  printTable(o, columns, rows, (text, row, col) => (col === 5 ? paint(o, STATE_COLOUR[rows[row]![5]!] ?? "bold", text) : text));
}

export const shortId = (id: string) => id.slice(-12);

const clock = (ts: number) => new Date(ts).toTimeString().slice(0, 8);

export function logTable(o: Output) {
  const columns: Column[] = [
    { header: "TIME", width: 8 },
    { header: "ID", width: 12 },
    { header: "ST", width: 3, align: "right" },
    { header: "UPSTREAM", width: 8 },
    { header: "MODEL", width: 12 },
    { header: "TOTAL", width: 6, align: "right" },
    { header: "REPLY", flex: true, min: 10 },
  ];
  const widths = fitWidths(columns, [], o.width);
  widths[6] = Math.max(10, o.width - widths.slice(0, 6).reduce((a, b) => a + b, 0) - 12);
  const cells = (e: LogSummaryView) => [clock(e.ts), shortId(e.id), String(e.status), e.upstreamName ?? "-", e.model ?? "-", ms(e.totalMs), e.replyPreview ?? (e.errorCode ? `error: ${e.errorCode}` : e.path)];
  return {
    header: () => o.out(paint(o, "dim", renderRow(columns, widths, columns.map((c) => c.header)))),
    line: (e: LogSummaryView) =>
      o.out(renderRow(columns, widths, cells(e), (text, _r, col) => (col === 2 ? paint(o, e.status >= 500 ? "red" : e.status >= 400 ? "yellow" : "green", text) : text))),
  };
}

function prettyBody(text: string | null): string {
  if (text === null) return "(none)";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function printLogRecord(o: Output, r: LogRecordView): void {
  const attempts = r.attempts.map((a) => `${a.upstream}=${a.outcome}${a.status ? ` ${a.status}` : ""} ${formatMs(a.ms)}`).join(", ");
  printFields(o, [
    ["id", r.id],
    ["time", new Date(r.ts).toISOString()],
    ["request", `${r.method} ${r.path}${r.model ? `  model ${r.model}` : ""}${r.stream ? "  stream" : ""}`],
    ["client", `${r.clientIp ?? "-"}  ${r.userAgent ?? ""}`.trim()],
    ["upstream", r.upstreamName ?? "-"],
    ["attempts", attempts || "-"],
    ["status", `${r.status}  ttfb ${ms(r.ttfbMs)}  ttft ${ms(r.ttftMs)}  total ${ms(r.totalMs)}`],
    ["tokens", `prompt ${r.promptTokens ?? "-"}  completion ${r.completionTokens ?? "-"}  total ${r.totalTokens ?? "-"}`],
    ...(r.errorCode || r.errorMessage ? ([["error", `${r.errorCode ?? ""} ${r.errorMessage ?? ""}`.trim()]] as [string, string][]) : []),
  ]);
  o.out(paint(o, "bold", `\n── request body (${r.requestBytes} bytes${r.requestTruncated ? ", truncated" : ""}) ──`));
  o.out(prettyBody(r.requestBody));
  if (r.bodiesOmitted) o.out(`(bodies not kept: ${OMITTED[r.bodiesOmitted]})`);
  o.out(paint(o, "bold", `\n── reply${r.replyTruncated ? " (truncated)" : ""} ──`));
  o.out(r.replyText ?? "(none)");
  if (r.toolCalls?.length) {
    o.out(paint(o, "bold", "\n── tool calls ──"));
    o.out(JSON.stringify(r.toolCalls, null, 2));
  }
}

const OMITTED = { capture: "log.capture is metadata", disk_low: "the disk was nearly full", expired: "older than log.body_retention", max_size: "cleared to keep the log under log.max_size" } as const;

const pct = (v: number | null) => (v === null ? "-" : `${(v * 100).toFixed(1)}%`);

export function printStats(o: Output, s: StatsView): void {
  const columns: Column[] = ["#", "UPSTREAM", "STATE", "REQ/S", "ERR", "P50", "P95", "TTFT50", "TTFT95", "INFL"].map((header, i) => ({ header, align: i === 1 || i === 2 ? "left" : "right", flex: i === 1, min: 6 }));
  const rows = s.upstreams.map((u) => [String(u.position), u.label, u.state, u.rps.toFixed(2), pct(u.errorRate), ms(u.latencyMs?.p50 ?? null), ms(u.latencyMs?.p95 ?? null), ms(u.ttftMs?.p50 ?? null), ms(u.ttftMs?.p95 ?? null), String(u.inflight)]);
  printTable(o, columns, rows, (text, row, col) => (col === 2 ? paint(o, STATE_COLOUR[rows[row]![2]!] ?? "bold", text) : text));
  const classes = Object.entries(s.totals.statusClasses).map(([k, v]) => `${k} ${v}`).join(", ");
  o.out(`\n${s.totals.rps.toFixed(2)} req/s, ${s.totals.requests} requests in the last ${s.windowS}s${classes ? ` (${classes})` : ""}, ${s.totals.inflight} in flight`);
}

export const uptime = (s: number) => (s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${s % 60}s` : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`);

function logStoreLine(l: NonNullable<DaemonStatusView["logStore"]>): string {
  const queued = `${l.queuedRows} rows (${l.queuedBytes} bytes of bodies) queued`;
  const since = new Date(l.since).toISOString();
  return l.state === "healthy" ? `healthy, ${queued}` : `FAILING since ${since}: ${l.lastError ?? "unknown error"}; ${queued}`;
}

function retentionLines(r: NonNullable<DaemonStatusView["retention"]>): [string, string][] {
  const settings = `rows ${r.retention}, bodies ${r.bodyRetention}, max size ${r.maxSize}, capture ${r.capture}, min free ${r.minFree}`;
  const p = r.lastPass;
  const pass = !p ? "none yet" : p.error ? `${new Date(p.at).toISOString()}: stopped on an error: ${p.error}` : `${new Date(p.at).toISOString()}: ${p.rowsDeleted} rows deleted, ${p.bodiesCleared} bodies cleared, ${formatBytes(p.bytesFreed)} freed; log ${formatBytes(p.logBytes)}`;
  const d = r.disk;
  const disk: [string, string][] = d ? [["disk", `${d.low ? "NEARLY FULL: rows stored without bodies" : "ok"}, ${formatBytes(d.free)} free of ${formatBytes(d.total)}${d.rowsWithoutBodies > 0 ? `; ${d.rowsWithoutBodies} rows without bodies since start` : ""}`]] : [];
  return [["retention", settings], ["last retention", pass], ...disk];
}

function clusterLine(c: NonNullable<DaemonStatusView["cluster"]>): string {
  const version = c.configVersion === null ? "no config version yet" : `config version ${c.configVersion}`;
  return `node ${c.node}, ${c.liveNodes} live nodes, ${version} (listener ${c.listener}); upstream edits go to the database, not to the upstreams file`;
}

export function printStatus(o: Output, s: DaemonStatusView): void {
  printFields(o, [
    ["routed", `${s.version} (protocol ${s.protocol}), pid ${s.pid}, up ${uptime(s.uptimeS)}${s.draining ? ", draining" : ""}`],
    ["listening", s.addr],
    ["socket", s.socket],
    ["database", `${s.db} (${s.counts.logs} requests logged)`],
    ["config", s.upstreamsFile ?? "(none)"],
    ["upstreams", `${s.counts.upstreams} (${s.counts.enabled} enabled), ${s.counts.inflight} requests in flight`],
    ...(s.lastReloadError ? ([["reload failed", `${new Date(s.lastReloadError.at).toISOString()}: ${s.lastReloadError.message}`]] as [string, string][]) : []),
    ...(s.logStore ? ([["request log", logStoreLine(s.logStore)]] as [string, string][]) : []),
    ...(s.retention ? retentionLines(s.retention) : []),
    ...(s.cluster ? ([["cluster", clusterLine(s.cluster)]] as [string, string][]) : []),
  ]);
}
