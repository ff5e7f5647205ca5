// BudgetStore against real Postgres with real concurrency: separate stores (separate pools and
// connections), reservations fired together; the database alone keeps the budget.
import { afterAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { testDatabase } from "../../test-services.ts";
import type { BudgetStore, Store } from "../types.ts";
import { openPgStore } from "./open.ts";

const pg = await testDatabase();

describe.skipIf(!pg)("budget reservations on Postgres", () => {
  const stores: Store[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
  });
  const three = async () => {
    const opened = await Promise.all([openPgStore(pg!), openPgStore(pg!), openPgStore(pg!)]);
    stores.push(...opened);
    return opened.map((s) => s.budget!);
  };
  let nextKey = 1;

  test("50 concurrent reserves from 3 stores against a budget that fits exactly 17: exactly 17 succeed", async () => {
    const nodes = await three();
    const keyId = nextKey++;
    const micros = 1_000_003;
    const budgetMicros = 17 * micros + micros - 1; // 17 fit, the 18th misses by one micro-dollar
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => nodes[i % 3]!.reserve({ keyId, windowStart: 0, budgetMicros, micros, nodeId: `node-${i % 3}` })),
    );
    expect(results.filter((r) => r.ok).length).toBe(17);
    for (const r of results.filter((r) => !r.ok)) expect(r.heldMicros).toBe(17 * micros);
    expect(Math.max(...results.map((r) => r.heldMicros))).toBe(17 * micros);
  });

  test("settle releases the hold and adds the cost; a cost of null adds nothing; windows are separate", async () => {
    const [a, b] = await three();
    const keyId = nextKey++;
    const r = (s: BudgetStore, micros: number, nodeId: string, windowStart = 100) => s.reserve({ keyId, windowStart, budgetMicros: 1000, micros, nodeId });
    expect(await r(a!, 600, "a")).toEqual({ ok: true, spentMicros: 0, heldMicros: 600 });
    expect(await r(b!, 500, "b")).toEqual({ ok: false, spentMicros: 0, heldMicros: 600 });
    expect(await r(b!, 500, "b", 200)).toEqual({ ok: true, spentMicros: 0, heldMicros: 500 }); // another window
    await a!.settle({ keyId, windowStart: 100, heldMicros: 600, costMicros: 250, nodeId: "a" });
    expect(await r(b!, 750, "b")).toEqual({ ok: true, spentMicros: 250, heldMicros: 750 });
    expect(await r(a!, 1, "a")).toEqual({ ok: false, spentMicros: 250, heldMicros: 750 });
    await b!.settle({ keyId, windowStart: 100, heldMicros: 750, costMicros: null, nodeId: "b" });
    expect(await r(a!, 750, "a")).toEqual({ ok: true, spentMicros: 250, heldMicros: 750 });
  });

  test("releaseNode frees a dead node's holds only; its late settle cannot free another node's", async () => {
    const [a, b, c] = await three();
    const keyId = nextKey++;
    const r = (s: BudgetStore, micros: number, nodeId: string) => s.reserve({ keyId, windowStart: 0, budgetMicros: 1000, micros, nodeId });
    expect((await r(a!, 300, "dead")).ok).toBe(true);
    expect((await r(a!, 200, "dead")).ok).toBe(true);
    expect((await r(b!, 400, "live")).ok).toBe(true);
    expect((await r(c!, 101, "live")).ok).toBe(false);
    await c!.releaseNode("dead");
    expect(await r(c!, 600, "live")).toEqual({ ok: true, spentMicros: 0, heldMicros: 1000 });
    // The "dead" node settles late: its hold is gone, so nothing is released from the live holds.
    await a!.settle({ keyId, windowStart: 0, heldMicros: 300, costMicros: 0, nodeId: "dead" });
    expect((await r(c!, 1, "live")).ok).toBe(false);
    await c!.releaseNode("nobody"); // no holds: nothing happens
  });

  test("settles and reserves racing on one window from 3 stores keep held = the sum of open holds", async () => {
    const nodes = await three();
    const keyId = nextKey++;
    const budgetMicros = 10_000;
    const rounds = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const s = nodes[i % 3]!;
        const nodeId = `n${i % 3}`;
        const got = await s.reserve({ keyId, windowStart: 0, budgetMicros, micros: 100, nodeId });
        if (got.ok && i % 2 === 0) await s.settle({ keyId, windowStart: 0, heldMicros: 100, costMicros: 40, nodeId });
        return got.ok && i % 2 === 0;
      }),
    );
    const settled = rounds.filter(Boolean).length;
    const open = 30 - settled;
    expect(await nodes[0]!.reserve({ keyId, windowStart: 0, budgetMicros, micros: 0, nodeId: "probe" })).toEqual({ ok: true, spentMicros: settled * 40, heldMicros: open * 100 });
  });
});

describe.skipIf(!pg)("Postgres budget reads", () => {
  test("spent reads a window's spend without creating or holding anything", async () => {
    const store = await openPgStore(pg!);
    try {
      const b = store.budget!;
      expect(await b.spent(901, 0)).toBe(0);
      await b.settle({ keyId: 901, windowStart: 0, heldMicros: 0, costMicros: 42, nodeId: "n1" });
      expect(await b.spent(901, 0)).toBe(42);
      const sql = postgres(pg!, { max: 1, onnotice: () => {} });
      const [h] = await sql`SELECT count(*)::int AS n FROM budget_holds WHERE key_id = 901`;
      const [w] = await sql`SELECT count(*)::int AS n FROM budget_windows WHERE key_id = 902`;
      await b.spent(902, 0);
      const [w2] = await sql`SELECT count(*)::int AS n FROM budget_windows WHERE key_id = 902`;
      await sql.end();
      expect(h?.n).toBe(0);
      expect([w?.n, w2?.n]).toEqual([0, 0]);
    } finally {
      await store.close();
    }
  });
});
