// Budgets decided by the shared database (store.budget, Postgres) when several nodes serve the same
// keys: admission holds a request's estimate there in one atomic statement, and the real cost is
// settled there off the response path, through an ordered retry queue that never drops a settlement.
// When the database cannot be asked, budgeted requests are refused (fail closed): a node must not
// spend money it cannot account for.
import { withDeadline } from "../deadline.ts";
import type { BudgetStore } from "../store/types.ts";
import type { KeyRegistry } from "./registry.ts";
import { createSettleQueue } from "./settle-queue.ts";

export interface Settlement {
  keyId: number;
  windowStart: number;
  heldMicros: number;
  /** The real cost (null: unknown), or a signed ledger adjustment with nothing held. */
  costMicros: number | null;
}

export interface SharedBudgetOptions {
  budget: BudgetStore;
  nodeId: string;
  /** How long admission waits for the database before refusing (default 5 s). */
  timeoutMs?: number;
  /** Settlements that may wait before admission refuses budgeted requests (default 10 000). */
  maxPending?: number;
  onRetry?: (err: unknown) => void;
  /** A reservation could not be decided (database down or silent): the reason, for the log. */
  onUnavailable?: (err: unknown) => void;
}

export type Reservation = { ok: boolean; spentMicros: number; heldMicros: number };

export function createSharedBudget(o: SharedBudgetOptions) {
  const { budget, nodeId } = o;
  const timeoutMs = o.timeoutMs ?? 5000;
  const late = `the budget database did not answer within ${timeoutMs} ms`;
  const queue = createSettleQueue<Settlement>({ run: (s) => budget.settle({ ...s, nodeId }), max: o.maxPending ?? 10_000, onRetry: o.onRetry });
  const settle = (s: Settlement) => void (s.heldMicros !== 0 || s.costMicros ? queue.push(s) : undefined);
  // A hold granted after admission gave up is released at once (nothing will settle it).
  const held = (r: { keyId: number; windowStart: number; budgetMicros: number; micros: number }) =>
    withDeadline(budget.reserve({ ...r, nodeId }), timeoutMs, late, (v) => v.ok && settle({ keyId: r.keyId, windowStart: r.windowStart, heldMicros: r.micros, costMicros: null }));

  return {
    /** Holds `micros` if the key's window has room; rejects when the database cannot be asked. */
    reserve(r: { keyId: number; windowStart: number; budgetMicros: number; micros: number }): Promise<Reservation> {
      if (queue.full) return Promise.reject(new Error(`${queue.size} budget settlements are waiting for the database`));
      return held(r).catch((err) => {
        o.onUnavailable?.(err); // the client gets a plain 503; the reason is for routed's log
        throw err;
      });
    },
    settle,
    /**
     * The window's spend as the database has it, once every queued settlement has landed; rejects
     * while the database is out.
     */
    async spent(keyId: number, windowStart: number): Promise<number> {
      const waiting = await queue.drain();
      if (waiting > 0) throw new Error(`${waiting} budget settlements are still waiting for the database`);
      return withDeadline(budget.spent(keyId, windowStart), timeoutMs, late);
    },
    get pending() {
      return queue.size;
    },
    /** At stop: settles what is queued, then releases this node's holds; returns settlements left unsent. */
    async close(): Promise<number> {
      const left = await queue.drain();
      queue.stop();
      if (left === 0) await budget.releaseNode(nodeId).catch(() => {});
      return left;
    },
  };
}

export type SharedBudget = ReturnType<typeof createSharedBudget>;

/**
 * The key service's ledger hooks with a shared budget: an adjustment is settled into the window's
 * spend in the database (as a cost with nothing held, queued like any settlement), and a reset
 * reads the spend it cancels from the database, so reserve checks what the ledger says.
 */
export function sharedLedgerHooks(shared: SharedBudget, registry: KeyRegistry) {
  return {
    async spentNow(id: number): Promise<number> {
      const e = registry.get(id);
      if (!e) return 0;
      const n = await shared.spent(id, registry.roll(e).window.start);
      e.money.spent = n;
      return n;
    },
    onAdjust(id: number, amountMicros: number): void {
      registry.adjust(id, amountMicros);
      const e = registry.get(id);
      if (e) shared.settle({ keyId: id, windowStart: e.money.window.start, heldMicros: 0, costMicros: amountMicros });
    },
  };
}
