// Text helpers for the screens: cell-width-aware truncation and padding (CJK names and emoji in
// replies must not break alignment), rows of fixed columns, and compact numbers that fit columns
// of five or six cells.
import { formatMs } from "../shared/duration.ts";
import { microsToUsd } from "../shared/money.ts";
import { displayWidth } from "../shared/table.ts";

export { displayWidth };

/** Cuts `s` to `width` cells, ending in `ellipsis` when cut; control characters become spaces. */
export function truncate(s: string, width: number, ellipsis = "…"): string {
  const flat = s.replace(/[\r\n\t\x00-\x1f\x7f]+/g, " ");
  if (displayWidth(flat) <= width) return flat;
  if (width <= 0) return "";
  const room = width - displayWidth(ellipsis);
  let out = "";
  let used = 0;
  for (const ch of flat) {
    const w = displayWidth(ch);
    if (used + w > room) break;
    out += ch;
    used += w;
  }
  return room > 0 ? out + ellipsis : flat.slice(0, width);
}

export function pad(s: string, width: number, align: "left" | "right" = "left"): string {
  const fill = " ".repeat(Math.max(0, width - displayWidth(s)));
  return align === "right" ? fill + s : s + fill;
}

export interface Col {
  header: string;
  width: number;
  align?: "left" | "right";
  /** Shares what is left of the line with the other growing columns (at least `width`). */
  grow?: number;
}

/** Widths of `cols` within `total` cells, one-cell gaps: growing columns get the rest. */
export function layout(cols: Col[], total: number): number[] {
  const fixed = cols.reduce((a, c) => a + c.width, 0) + cols.length - 1;
  const spare = Math.max(0, total - fixed);
  const weight = cols.reduce((a, c) => a + (c.grow ?? 0), 0);
  let given = 0;
  const widths = cols.map((c) => {
    if (!c.grow) return c.width;
    const extra = Math.floor((spare * c.grow) / weight);
    given += extra;
    return c.width + extra;
  });
  const last = cols.findLastIndex((c) => c.grow);
  if (last >= 0) widths[last]! += spare - given; // rounding leftovers
  return widths;
}

export function row(cols: Col[], widths: number[], cells: string[], ellipsis = "…"): string {
  return cols.map((c, i) => pad(truncate(cells[i] ?? "", widths[i]!, ellipsis), widths[i]!, c.align)).join(" ");
}

/** Integer micro-dollars as "$0.000123", "$12.50". */
export const usd = (micros: number): string => `$${microsToUsd(micros)}`;

export const ms = (v: number | null | undefined): string => (v === null || v === undefined ? "-" : formatMs(v));

export function pct(v: number | null | undefined): string {
  if (v === null || v === undefined) return "-";
  const p = v * 100;
  return p === 0 ? "0%" : p < 10 ? `${p.toFixed(1)}%` : `${Math.round(p)}%`;
}

export function rate(v: number): string {
  if (v === 0) return "0";
  if (v < 10) return v.toFixed(1);
  if (v < 10_000) return String(Math.round(v));
  return `${Math.round(v / 1000)}k`;
}

export function count(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 10_000_000) return `${Math.round(n / 1000)}k`;
  return `${Math.round(n / 1_000_000)}M`;
}

/** "api.openai.com", or the endpoint itself when it does not parse. */
export function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

const two = (n: number) => String(n).padStart(2, "0");

/** Local wall-clock time, HH:MM:SS. */
export function clock(ts: number): string {
  const d = new Date(ts);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Local date and time, YYYY-MM-DD HH:MM:SS. */
export function dateTime(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${clock(ts)}`;
}

export function duration(s: number): string {
  s = Math.max(0, Math.floor(s));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${two(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86_400)}d${two(Math.floor(s / 3600) % 24)}h`;
}

/** Word-wraps text to `width` cells (hard-breaking long words), keeping its own line breaks. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.replace(/\r\n?/g, "\n").replace(/\t/g, "  ").split("\n")) {
    let line = "";
    for (const word of para.split(/(\s+)/)) {
      if (displayWidth(line + word) <= width) {
        line += word;
        continue;
      }
      if (line.trim()) out.push(line.trimEnd());
      line = "";
      let rest = word.trimStart();
      while (displayWidth(rest) > width) {
        let cut = "";
        for (const ch of rest) {
          if (displayWidth(cut + ch) > width) break;
          cut += ch;
        }
        out.push(cut);
        rest = rest.slice(cut.length);
      }
      line = rest;
    }
    out.push(line.trimEnd());
  }
  return out;
}
