// What the operator watches of client keys: each settled request in the per-key metrics, budget
// gauges read at scrape time, and alerts — soft budget passed and budget exhausted (once per
// budget window and amount), expiry within 3 days (once per key and expiry date). Alerts carry the
// key's name and amounts only.
import { microsToUsd } from "../../shared/money.ts";
import type { Metrics } from "../metrics/registry.ts";
import type { KeyStandingView } from "../../shared/rpc/keys-contract.ts";
import type { NotifyEvent } from "../notify/events.ts";
import type { LogRow } from "../store/types.ts";
import type { KeyEntry, KeyRegistry } from "./registry.ts";

export const EXPIRY_WARNING_MS = 3 * 86_400_000;
const EXPIRY_CHECK_MS = 3_600_000;

export interface KeyWatchDeps {
  registry: KeyRegistry;
  metrics: Pick<Metrics, "keyRequest" | "watchKeyBudgets">;
  emit: (e: NotifyEvent) => void;
  now: () => number;
}

const iso = (ms: number | null) => (ms === null ? "never (a total budget)" : new Date(ms).toISOString());

export function createKeyWatch(deps: KeyWatchDeps) {
  const { registry, now } = deps;
  // Per key id: the (window start, amount) an alert was sent for; a new window or a changed amount re-arms it.
  const soft = new Map<number, string>();
  const exhausted = new Map<number, string>();
  const expiring = new Map<number, number>(); // key id → the expiry it was warned of

  deps.metrics.watchKeyBudgets((max) => {
    const out: { key: string; remaining: number }[] = [];
    for (const e of registry.all()) {
      if (out.length >= max) break;
      const left = e.record.budgetMicros === null ? null : registry.standing(e.id)?.remainingMicros;
      if (left != null) out.push({ key: e.name, remaining: left });
    }
    return out;
  });

  /** Emits `type` when spent reached `limit`, unless already sent for this window and amount. */
  function crossing(sent: Map<number, string>, type: "key_soft_budget" | "key_exhausted", e: KeyEntry, s: KeyStandingView, limit: number | null): void {
    if (limit === null || s.spentMicros < limit) return;
    const mark = `${s.windowStart}:${limit}`;
    if (sent.get(e.id) === mark) return;
    sent.set(e.id, mark);
    const r = e.record;
    const budget = r.budgetMicros === null ? "no budget" : `its $${microsToUsd(r.budgetMicros)} ${r.budgetWindow} budget`;
    const what = type === "key_soft_budget" ? `passed its soft budget of $${microsToUsd(limit)}` : `exhausted ${budget}: further requests get 429 insufficient_quota`;
    deps.emit({
      type,
      key: e.name,
      summary: `key ${e.name} has spent $${microsToUsd(s.spentMicros)} and ${what}`,
      detail: { spent_usd: microsToUsd(s.spentMicros), budget_usd: r.budgetMicros === null ? null : microsToUsd(r.budgetMicros), soft_budget_usd: r.softBudgetMicros === null ? null : microsToUsd(r.softBudgetMicros), window: r.budgetWindow, resets_at: iso(s.windowEnd) },
      at: now(),
    });
  }

  /** Keys expiring within 3 days, each warned once per expiry date. */
  function checkExpiry(): void {
    const t = now();
    const live = new Set<number>();
    for (const e of registry.all()) {
      live.add(e.id);
      const at = e.record.expiresAt;
      if (at === null || !e.record.enabled || at <= t || at - t > EXPIRY_WARNING_MS || expiring.get(e.id) === at) continue;
      expiring.set(e.id, at);
      const hours = Math.round((at - t) / 3_600_000);
      deps.emit({ type: "key_expiring", key: e.name, summary: `key ${e.name} expires at ${new Date(at).toISOString()} (in about ${hours} h)`, detail: { expires_at: new Date(at).toISOString() }, at: t });
    }
    for (const marks of [soft, exhausted, expiring]) for (const id of marks.keys()) if (!live.has(id)) marks.delete(id);
  }

  let timer: ReturnType<typeof setInterval> | null = null;
  return {
    /** A request of this key was priced and settled (its row built). */
    settled(key: KeyEntry, row: Pick<LogRow, "costMicros" | "promptTokens" | "completionTokens">): void {
      deps.metrics.keyRequest(key.name, row.costMicros, row.promptTokens, row.completionTokens);
      const e = registry.get(key.id) ?? key; // the record as now (a reload may have changed the budget)
      if (e.record.softBudgetMicros === null && e.record.budgetMicros === null) return;
      const s = registry.standing(e.id);
      if (!s) return;
      crossing(soft, "key_soft_budget", e, s, e.record.softBudgetMicros);
      crossing(exhausted, "key_exhausted", e, s, e.record.budgetMicros);
    },
    checkExpiry,
    /** Checks now and then hourly. */
    start(): void {
      checkExpiry();
      timer ??= setInterval(checkExpiry, EXPIRY_CHECK_MS);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

export type KeyWatch = ReturnType<typeof createKeyWatch>;
