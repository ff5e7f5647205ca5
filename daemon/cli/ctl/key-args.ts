// routectl keys' option values: money as exact USD text, durations with days and weeks, dates or
// durations resolved to absolute times here (the daemon only ever sees milliseconds since epoch).
import { InvalidArgumentError } from "commander";
import { parseDurationMs } from "../../../shared/duration.ts";
import { usdToMicros } from "../../../shared/money.ts";
import type { Params } from "../../../shared/rpc/contract.ts";
import { parseCapture } from "../../../shared/log-capture.ts";

/** "90m", "12h", "30d", "2w" → ms; null unless it has a unit (a bare number is too easily a date typo). */
function spanMs(v: string): number | null {
  return /[a-z]$/i.test(v.trim()) ? parseDurationMs(v) : null;
}

/** "2026-12-31" (midnight UTC) or a full ISO time → ms; null otherwise. */
export function dateMs(v: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v.trim())) return null;
  const t = Date.parse(v.trim());
  return Number.isFinite(t) ? t : null;
}

const DATE_OR_SPAN = 'use a date (2026-12-31, 2026-12-31T18:00Z) or a duration with a unit (90m, 12h, 30d, 2w)';

export function expiresArg(v: string): number {
  const span = spanMs(v);
  const at = span !== null ? Date.now() + span : dateMs(v);
  if (at === null) throw new InvalidArgumentError(DATE_OR_SPAN);
  return at;
}

export function sinceArg(v: string): number {
  const span = spanMs(v);
  const at = span !== null ? Math.max(0, Date.now() - span) : dateMs(v);
  if (at === null) throw new InvalidArgumentError(DATE_OR_SPAN);
  return at;
}

export function graceArg(v: string): number {
  const span = v.trim() === "0" ? 0 : spanMs(v);
  if (span === null) throw new InvalidArgumentError("use a duration with a unit (30m, 1h, 2d), or 0 to refuse the old secret at once");
  return span;
}

export function usdArg(v: string): number {
  const micros = usdToMicros(v);
  if (micros === null) throw new InvalidArgumentError("use an amount in USD such as 10 or 0.25 (at most 6 decimals)");
  return micros;
}

/** A signed amount: "-1.5" credits, "2" charges. */
export function signedUsdArg(v: string): number {
  const negative = v.trim().startsWith("-");
  const micros = usdArg(v.trim().replace(/^[+-]/, ""));
  return negative ? -micros : micros;
}

export function countArg(v: string): number {
  if (!/^\d{1,12}$/.test(v.trim())) throw new InvalidArgumentError("use a whole number, 0 or more");
  return Number(v);
}

export function captureArg(v: string): string {
  if (!parseCapture(v)) throw new InvalidArgumentError('use full, metadata or truncate:<size> (such as "truncate:4KiB")');
  return v.trim().toLowerCase();
}

/** "a,b" (and repeated flags) → a list. */
export const listArg = (v: string, acc?: string[]): string[] => [...(acc ?? []), ...v.split(",").map((s) => s.trim()).filter(Boolean)];

type Settings = Omit<Params<"keys.add">, "name">;

/**
 * The settings flags given, as the socket takes them. A flag not given is left out (unchanged on
 * edit); its `--no-…` form (edit only) is false here and clears the setting (null).
 */
export function settingsFromOpts(o: Record<string, unknown>): Settings {
  const clearable = (v: unknown) => (v === false ? null : v);
  const out: Record<string, unknown> = {
    budgetMicros: clearable(o.budget),
    budgetWindow: o.budgetWindow,
    softBudgetMicros: clearable(o.softBudget),
    models: clearable(o.models),
    groups: clearable(o.groups),
    allowIps: clearable(o.allowIp),
    rpm: clearable(o.rpm),
    rpd: clearable(o.rpd),
    tpm: clearable(o.tpm),
    maxInflight: clearable(o.maxInflight),
    expiresAt: clearable(o.expires),
    allowPinning: o.allowPinning,
    logCapture: clearable(o.logCapture),
    note: clearable(o.note),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Settings;
}
