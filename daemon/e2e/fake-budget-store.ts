// A BudgetStore in memory, honouring the contract as one database would: each call is atomic (one
// synchronous step), per-node holds so releaseNode frees a dead node's money. Shared by several
// in-process daemons, it is the one database they all ask. `down` makes every call fail (the
// database unreachable); `failSettles(n)` fails the next n settlements only.
import type { BudgetStore } from "../store/types.ts";

interface WindowRow {
  spent: number;
  holds: Map<string, number>; // node id → micro-dollars held
}

export function fakeBudgetStore() {
  const rows = new Map<string, WindowRow>();
  let down = false;
  let settleFailures = 0;
  const calls = { reserve: 0, settle: 0, failedSettles: 0 };
  const rowOf = (keyId: number, windowStart: number) => {
    const k = `${keyId}:${windowStart}`;
    let r = rows.get(k);
    if (!r) rows.set(k, (r = { spent: 0, holds: new Map() }));
    return r;
  };
  const held = (r: WindowRow) => [...r.holds.values()].reduce((a, b) => a + b, 0);
  const unreachable = () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"));

  const budget: BudgetStore = {
    async reserve({ keyId, windowStart, budgetMicros, micros, nodeId }) {
      calls.reserve++;
      if (down) return unreachable();
      const r = rowOf(keyId, windowStart);
      const ok = r.spent + held(r) + micros <= budgetMicros;
      if (ok) r.holds.set(nodeId, (r.holds.get(nodeId) ?? 0) + micros);
      return { ok, spentMicros: r.spent, heldMicros: held(r) };
    },
    async settle({ keyId, windowStart, heldMicros, costMicros, nodeId }) {
      calls.settle++;
      if (down) return unreachable();
      if (settleFailures > 0) {
        settleFailures--;
        calls.failedSettles++;
        throw new Error("connection terminated unexpectedly");
      }
      const r = rowOf(keyId, windowStart);
      const h = (r.holds.get(nodeId) ?? 0) - heldMicros;
      if (h < 0) throw new Error(`node ${nodeId} releases ${heldMicros} µ$ but holds ${h + heldMicros}`);
      r.holds.set(nodeId, h);
      r.spent += costMicros ?? 0;
    },
    async releaseNode(nodeId) {
      if (down) return unreachable();
      for (const r of rows.values()) r.holds.delete(nodeId);
    },
    async spent(keyId, windowStart) {
      if (down) return unreachable();
      return rows.get(`${keyId}:${windowStart}`)?.spent ?? 0;
    },
  };
  return {
    budget,
    calls,
    setDown: (v: boolean) => void (down = v),
    failSettles: (n: number) => void (settleFailures = n),
    window: (keyId: number, windowStart: number) => {
      const r = rowOf(keyId, windowStart);
      return { spent: r.spent, held: held(r) };
    },
  };
}
