// How a client key reads on screen: its row on the Keys screen (state, spend against budget as a
// bar, requests today, limits, expiry) and the lines of its details view. Money is shown from
// integer micro-dollars, never through floats.
import type { KeyView } from "../shared/rpc/keys-contract.ts";
import { count, dateTime, usd, type Col } from "./format.ts";
import { plain, type StyledLine } from "./styled-line.ts";
import type { Role } from "./theme.ts";

type State = KeyView["standing"]["state"];

export function keyStateRole(state: State): Role {
  if (state === "active") return "ok";
  if (state === "disabled") return "muted";
  if (state === "expired") return "warn";
  return "error"; // exhausted: refused until the window resets
}

export const KEY_COLS: Col[] = [
  { header: "NAME", width: 8, grow: 1 },
  { header: "PREFIX", width: 13 },
  { header: "STATE", width: 9 },
  { header: "SPEND", width: 22, grow: 2 },
  { header: "TODAY", width: 5, align: "right" },
  { header: "LIMITS", width: 8, grow: 3 },
  { header: "EXPIRES", width: 7 },
];
export const SPEND_COL = 3;

/** "$1.20 / $10.00 (day)" ("$1.20/$10.00 day" compact); with no budget, what was spent. */
export function spendText(k: KeyView, compact = false): string {
  const spent = usd(k.standing.spentMicros);
  if (k.budgetMicros === null) return spent;
  return compact ? `${spent}/${usd(k.budgetMicros)} ${k.budgetWindow}` : `${spent} / ${usd(k.budgetMicros)} (${k.budgetWindow})`;
}

/** The share of the budget spent or held (0..1), and how it reads; null with no budget. */
export function spendShare(k: KeyView): { share: number; role: Role } | null {
  if (k.budgetMicros === null) return null;
  const used = k.standing.spentMicros + k.standing.reservedMicros;
  const share = k.budgetMicros === 0 ? 1 : Math.min(1, used / k.budgetMicros);
  const soft = k.softBudgetMicros !== null && used >= k.softBudgetMicros;
  return { share, role: share >= 1 ? "error" : soft || share >= 0.8 ? "warn" : "ok" };
}

/** A bar of `width` cells, filled by `share`; any spend shows at least one filled cell. */
export function bar(share: number, width: number, glyphs: [full: string, empty: string]): string {
  const filled = share <= 0 ? 0 : Math.max(1, Math.min(width, Math.round(share * width)));
  return glyphs[0].repeat(filled) + glyphs[1].repeat(width - filled);
}

/** "in 3d", "in 5h", "in 12m", "expired", "never". */
export function expiryText(expiresAt: number | null, now: number): string {
  if (expiresAt === null) return "never";
  const left = expiresAt - now;
  if (left <= 0) return "expired";
  if (left >= 86_400_000) return `in ${Math.floor(left / 86_400_000)}d`;
  if (left >= 3_600_000) return `in ${Math.floor(left / 3_600_000)}h`;
  return `in ${Math.max(1, Math.floor(left / 60_000))}m`;
}

/** "60rpm 1000rpd 10k tpm 4 inflight", compactly; "-" when none is set. */
export function limitsText(k: KeyView): string {
  const parts = [k.rpm !== null && `${count(k.rpm)}rpm`, k.rpd !== null && `${count(k.rpd)}rpd`, k.tpm !== null && `${count(k.tpm)}tpm`, k.maxInflight !== null && `${k.maxInflight}infl`];
  return parts.filter(Boolean).join(" ") || "-";
}

/** The row's cells; the SPEND cell holds the text only (the screen draws the bar before it). */
export function keyCells(k: KeyView, now: number, compact = false): string[] {
  return [k.name, k.prefix, k.standing.state, spendText(k, compact), count(k.standing.usage.rpd), limitsText(k), expiryText(k.expiresAt, now)];
}

const orAll = (l: string[] | null, all: string) => (l?.length ? l.join(", ") : all);
const orNone = (n: number | null) => (n === null ? "unlimited" : count(n));

export function keyDetails(k: KeyView, now: number): StyledLine[] {
  const s = k.standing;
  const field = (name: string, v: string, r?: Role) => plain(`${name.padEnd(16)}${v}`, r);
  const lines = [
    field("name", `${k.name} (id ${k.id})`),
    field("prefix", k.prefix),
    field("state", s.state, keyStateRole(s.state)),
    field("spent", spendText(k)),
    field("held", `${usd(s.reservedMicros)} by ${s.inflight} request(s) in flight`),
    field("remaining", s.remainingMicros === null ? "no budget" : usd(s.remainingMicros)),
    field("window", s.windowEnd === null ? `${k.budgetWindow} (never resets)` : `${k.budgetWindow}, resets ${dateTime(s.windowEnd)}`),
    field("soft budget", k.softBudgetMicros === null ? "none" : usd(k.softBudgetMicros)),
    field("use now", `${s.usage.rpm} req/min  ${s.usage.rpd} today  ${count(s.usage.tpm)} tokens/min`),
    field("limits", `rpm ${orNone(k.rpm)}  rpd ${orNone(k.rpd)}  tpm ${orNone(k.tpm)}  in flight ${orNone(k.maxInflight)}`),
    field("models", orAll(k.models, "all")),
    field("groups", orAll(k.groups, "all")),
    field("allowed IPs", orAll(k.allowIps, "any")),
    field("expires", k.expiresAt === null ? "never" : `${dateTime(k.expiresAt)} (${expiryText(k.expiresAt, now)})`),
    field("pinning", k.allowPinning ? "allowed" : "no"),
    field("created", dateTime(k.createdAt)),
    field("updated", dateTime(k.updatedAt)),
  ];
  if (k.rotatedUntil !== null && k.rotatedUntil > now) lines.push(field("old secret", `still accepted until ${dateTime(k.rotatedUntil)}`, "warn"));
  if (k.note) lines.push(field("note", k.note));
  return lines;
}
