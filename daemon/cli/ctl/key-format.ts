// Human renderings of client keys: the list, one key in full, usage and the ledger. Money is
// printed from integer micro-dollars through shared/money.ts, never through floats.
import { microsToUsd } from "../../../shared/money.ts";
import type { Result } from "../../../shared/rpc/contract.ts";
import type { KeyView } from "../../../shared/rpc/keys-contract.ts";
import { paint, printFields, printTable, type Colour, type Output } from "./output.ts";

const STATE_COLOUR: Record<string, Colour> = { active: "green", disabled: "dim", expired: "yellow", exhausted: "red" };
const when = (ms: number | null) => (ms === null ? "never" : new Date(ms).toISOString().slice(0, 16).replace("T", " "));
const day = (ms: number | null) => (ms === null ? "never" : new Date(ms).toISOString().slice(0, 10));
const orAll = (list: string[] | null) => (list?.length ? list.join(", ") : "all");

export function spentText(k: KeyView): string {
  const spent = microsToUsd(k.standing.spentMicros);
  if (k.budgetMicros === null) return spent;
  return `${spent}/${microsToUsd(k.budgetMicros)}${k.budgetWindow === "total" ? "" : ` ${k.budgetWindow}`}`;
}

function limitsText(k: KeyView): string {
  const parts = [["rpm", k.rpm], ["rpd", k.rpd], ["tpm", k.tpm], ["inflight", k.maxInflight]].filter(([, v]) => v !== null);
  return parts.map(([n, v]) => `${n} ${v}`).join(" ") || "-";
}

export function printKeys(o: Output, keys: KeyView[]): void {
  if (keys.length === 0) return o.out("no client keys; create one with `routectl keys add NAME [--budget USD]`");
  printTable(
    o,
    [{ header: "NAME", flex: true, min: 4 }, { header: "PREFIX" }, { header: "STATE" }, { header: "SPENT/BUDGET" }, { header: "TODAY", align: "right" }, { header: "LIMITS", flex: true, min: 6 }, { header: "EXPIRES" }],
    keys.map((k) => [k.name, k.prefix, k.standing.state, spentText(k), String(k.standing.usage.rpd), limitsText(k), day(k.expiresAt)]),
    (text, row, col) => (col === 2 ? paint(o, STATE_COLOUR[keys[row]!.standing.state] ?? "bold", text) : text),
  );
}

export function printKey(o: Output, k: KeyView): void {
  const s = k.standing;
  const usd = (m: number | null) => (m === null ? "none" : `${microsToUsd(m)} USD`);
  const used = (n: number, limit: number | null) => (limit === null ? `${n}` : `${n}/${limit}`);
  printFields(o, [
    ["name", `${k.name} (id ${k.id})`],
    ["prefix", `${k.prefix}…`],
    ["state", `${s.state}${k.enabled ? "" : " (disabled by hand)"}`],
    ["budget", k.budgetMicros === null ? "none" : `${usd(k.budgetMicros)} per ${k.budgetWindow === "total" ? "lifetime" : k.budgetWindow}`],
    ["spent", `${usd(s.spentMicros)}${s.reservedMicros ? `, ${usd(s.reservedMicros)} reserved` : ""}${s.remainingMicros === null ? "" : `, ${usd(s.remainingMicros)} left`}`],
    ["window resets", s.windowEnd === null ? "never" : when(s.windowEnd)],
    ["soft budget", usd(k.softBudgetMicros)],
    ["requests", `rpm ${used(s.usage.rpm, k.rpm)}  rpd ${used(s.usage.rpd, k.rpd)}  tpm ${used(s.usage.tpm, k.tpm)}  in flight ${used(s.inflight, k.maxInflight)}`],
    ["models", orAll(k.models)],
    ["groups", orAll(k.groups)],
    ["allowed IPs", k.allowIps?.length ? k.allowIps.join(", ") : "any"],
    ["pinning", k.allowPinning ? "allowed" : "no"],
    ["log capture", k.logCapture ?? "log.capture (global)"],
    ["expires", when(k.expiresAt)],
    ...(k.rotatedUntil === null ? [] : [["previous secret", `valid until ${when(k.rotatedUntil)}`] as [string, string]]),
    ["note", k.note ?? "-"],
    ["created", when(k.createdAt)],
  ]);
}

export function printUsage(o: Output, r: Result<"keys.usage">): void {
  if (r.usage.length === 0) o.out("no client keys and no requests made with one");
  else {
    printTable(
      o,
      [{ header: "KEY", flex: true, min: 4 }, { header: "REQUESTS", align: "right" }, { header: "PROMPT", align: "right" }, { header: "COMPLETION", align: "right" }, { header: "COST USD", align: "right" }, { header: "UNPRICED", align: "right" }],
      r.usage.map((u) => [u.key, String(u.requests), String(u.promptTokens), String(u.completionTokens), microsToUsd(u.costMicros), String(u.unpriced)]),
    );
  }
  if (r.ledger.length === 0) return;
  o.out("\nledger (adjustments and resets):");
  printTable(
    o,
    [{ header: "TIME" }, { header: "KIND" }, { header: "AMOUNT USD", align: "right" }, { header: "NOTE", flex: true, min: 4 }],
    r.ledger.map((e) => [when(e.ts), e.kind, `${e.amountMicros > 0 ? "+" : ""}${microsToUsd(e.amountMicros)}`, e.note ?? ""]),
  );
}
