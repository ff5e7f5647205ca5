// Budgets several nodes share: two real daemons on one SQLite file and one budget database (an
// in-memory BudgetStore honouring the contract), so only the database can keep their sum exact.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { openSqliteStore } from "../store/sqlite/open.ts";
import { shortTempDir } from "./control-harness.ts";
import { fakeBudgetStore } from "./fake-budget-store.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { chatBody, startRoute, type Route } from "./harness.ts";
import { addKey, clientFor } from "./key-fixtures.ts";

// One micro-dollar per completion token: the fake's 7 completion tokens cost 7 µ$, max_tokens 7 reserves 7 µ$.
const priced = { prices: { "gpt-4o*": { input: 0, output: 1 } } };
let a: FakeUpstream;
let dir: string;
const routes: Route[] = [];
beforeAll(async () => {
  a = await startFakeUpstream("A");
  dir = shortTempDir();
});
afterEach(async () => {
  await Promise.all(routes.splice(0).map((r) => r.stop()));
  a.reset();
});
afterAll(() => {
  a.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Two nodes on one database; a key made on the first, loaded by the second. */
async function twoNodes(file: string) {
  const db = fakeBudgetStore();
  const start = async () => {
    const r = await startRoute([{ name: "a", sk: "sk-upstream-a-secret", endpoint: a.url }], { store: { ...openSqliteStore(join(dir, file)), budget: db.budget }, config: priced });
    routes.push(r);
    return r;
  };
  const [n1, n2] = [await start(), await start()];
  return { db, n1, n2 };
}
const keyOf = async (n1: Route, n2: Route, name: string, budgetMicros: number | null) => {
  const secret = await addKey(n1, name, { budgetMicros });
  await n2.daemon.reloadKeys();
  return { secret, id: n1.daemon.registry.all().find((e) => e.name === name)!.id };
};
const outcome = (p: Promise<unknown>) => p.then(() => "ok", (e) => (e instanceof OpenAI.APIError ? `${e.status} ${e.code}` : String(e)));

test("a budget that fits 10 requests admits exactly 10 of 40 sent at once to two nodes; the database's spend is the rows' costs", async () => {
  const { db, n1, n2 } = await twoNodes("fits.sqlite");
  const { secret, id } = await keyOf(n1, n2, "ten", 70);
  const clients = [clientFor(n1, secret), clientFor(n2, secret)];
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => outcome(clients[i % 2]!.chat.completions.create(chatBody({ max_tokens: 7 })))));
  expect(results.filter((x) => x === "ok")).toHaveLength(10);
  expect(results.filter((x) => x !== "ok").every((x) => x === "429 insufficient_quota")).toBe(true);
  expect(a.received.length).toBe(10); // nothing refused was forwarded
  await Promise.all([n1.daemon.pipeline.idle(), n2.daemon.pipeline.idle()]);
  await Promise.all([n1.rows(), n2.rows()]); // rows built: every request settled
  await Promise.all([n1.stop(), n2.stop()]); // settlements drained
  expect(db.window(id, 0)).toEqual({ spent: 70, held: 0 });
  const store = openSqliteStore(join(dir, "fits.sqlite"));
  expect(await store.spendSince(id, 0)).toBe(70); // the rows of both nodes agree with the database
  await store.close();
});

test("the budget database unreachable: a budgeted key is refused with 503 (fail closed) and nothing is forwarded; a key without a budget is served", async () => {
  const { db, n1, n2 } = await twoNodes("down.sqlite");
  const { secret } = await keyOf(n1, n2, "capped", 1_000_000);
  const free = await keyOf(n1, n2, "free", null);
  db.setDown(true);
  const refused = await clientFor(n1, secret).chat.completions.create(chatBody({ max_tokens: 7 })).catch((e) => e);
  expect(refused).toBeInstanceOf(OpenAI.APIError);
  expect(refused.status).toBe(503);
  expect(refused.code).toBe("budget_unavailable");
  expect(refused.message).toContain("cannot be asked");
  expect(refused.message).not.toContain("ECONNREFUSED"); // the driver's text (hosts, users) stays in routed's log
  expect(a.received.length).toBe(0);
  expect(n1.daemon.registry.standing(n1.daemon.registry.all()[0]!.id)).toMatchObject({ inflight: 0, reservedMicros: 0 });
  expect(await outcome(clientFor(n2, free.secret).chat.completions.create(chatBody()))).toBe("ok");
  db.setDown(false);
  expect(await outcome(clientFor(n1, secret).chat.completions.create(chatBody({ max_tokens: 7 })))).toBe("ok");
});

test("a settlement that fails is retried in order and counted; the hold is released and the cost added exactly once", async () => {
  const { db, n1, n2 } = await twoNodes("retry.sqlite");
  const { secret, id } = await keyOf(n1, n2, "retry", 1_000_000);
  db.failSettles(1);
  await clientFor(n1, secret).chat.completions.create(chatBody({ max_tokens: 50 }));
  await n1.rows(); // the row is built: its settlement was tried, and failed
  expect(db.calls.failedSettles).toBe(1);
  const metrics = await (await fetch(`${n1.url}/metrics`)).text();
  expect(metrics).toMatch(/^route_budget_settle_retries_total 1$/m);
  expect(db.window(id, 0)).toEqual({ spent: 0, held: 50 }); // still held while the settlement waits
  await n1.stop(); // drains the queue: the retry lands
  expect(db.window(id, 0)).toEqual({ spent: 7, held: 0 });
});

test("adjustments and resets through the key service change the spend the database checks", async () => {
  const { db, n1, n2 } = await twoNodes("ledger.sqlite");
  const { secret, id } = await keyOf(n1, n2, "ledger", 100);
  await clientFor(n2, secret).chat.completions.create(chatBody({ max_tokens: 7 }));
  await n2.rows();
  await n1.daemon.keys.adjust("ledger", { amountMicros: 90 });
  // 7 + 90 spent: another request's 7 µ$ hold does not fit on the other node
  expect(await outcome(clientFor(n2, secret).chat.completions.create(chatBody({ max_tokens: 7 })))).toBe("429 insufficient_quota");
  const reset = await n1.daemon.keys.adjust("ledger", { reset: true });
  expect(reset.standing.spentMicros).toBe(0);
  const ledger = await n1.daemon.store.listLedger(id);
  expect(ledger.map((l) => [l.kind, l.amountMicros])).toEqual([["adjust", 90], ["reset", -97]]);
  expect(await outcome(clientFor(n2, secret).chat.completions.create(chatBody({ max_tokens: 7 })))).toBe("ok");
  await n2.rows();
  await Promise.all([n1.stop(), n2.stop()]);
  expect(db.window(id, 0)).toEqual({ spent: 7, held: 0 });
  const store = openSqliteStore(join(dir, "ledger.sqlite"));
  expect(await store.spendSince(id, 0)).toBe(7); // rows + ledger: what the database has
  await store.close();
});
