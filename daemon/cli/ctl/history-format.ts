// `routectl stats --since 24h|7d|30d [--by upstream|model|key]`: the rollup over a period (stats.history)
// as one line per upstream (model, key) and a total, within the terminal's width (80 columns off a tty).
import { formatMs } from "../../../shared/duration.ts";
import { microsToUsd } from "../../../shared/money.ts";
import type { HistorySummaryView, HistoryView } from "../../../shared/rpc/history-contract.ts";
import type { Column } from "../../../shared/table.ts";
import { paint, printTable, type Output } from "./output.ts";

/** 1234 → "1234", 12345 → "12.3k", 1234567 → "1.23M": counts that fit six cells. */
export function compact(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 1_000_000) return `${+(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  if (n < 1_000_000_000) return `${+(n / 1e6).toFixed(n < 1e8 ? 2 : 0)}M`;
  return `${+(n / 1e9).toFixed(2)}G`;
}

/** Micro-dollars to at most 2 decimals for a table ("$0.0012" below a cent, so small spend shows). */
const cost = (micros: number, unpriced: number) => `${micros >= 10_000 ? `$${(micros / 1e6).toFixed(2)}` : micros > 0 ? `$${microsToUsd(micros)}` : "-"}${unpriced ? "+" : ""}`;
const ms = (v: number | null | undefined) => (v === null || v === undefined ? "-" : formatMs(v));
const pct = (v: number | null) => (v === null ? "-" : `${(v * 100).toFixed(1)}%`);

function cells(name: string, s: HistorySummaryView): string[] {
  const tokens = s.tokens.prompt + s.tokens.completion;
  return [name, compact(s.requests), pct(s.errorRate), compact(tokens), cost(s.costMicros, s.unpriced), ms(s.latencyMs?.p50), ms(s.latencyMs?.p95), ms(s.ttftMs?.p50), ms(s.ttftMs?.p95)];
}

export function printHistory(o: Output, h: HistoryView, span: string): void {
  const by = h.by.toUpperCase();
  const columns: Column[] = [by, "REQS", "ERR", "TOKENS", "COST", "P50", "P95", "TTFT50", "TTFT95"].map((header, i) => ({ header, align: i === 0 ? "left" : "right", flex: i === 0, min: 6 }));
  const rows = h.groups.map((g) => cells(g.name, g));
  rows.push(cells("TOTAL", h.totals));
  o.out(paint(o, "dim", `last ${span} (from ${new Date(h.since).toISOString().slice(0, 16)}Z, hourly rollup; percentiles within ~19%)`));
  if (h.totals.requests === 0) return o.out("no requests in that period");
  printTable(o, columns, rows, (text, row) => (row === rows.length - 1 ? paint(o, "bold", text) : text));
  const e = Object.entries(h.totals.errorsByClass).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(", ");
  o.out(`errors: ${e || "none"}${h.totals.unpriced ? `; ${h.totals.unpriced} requests without a price (COST "+")` : ""}`);
}
