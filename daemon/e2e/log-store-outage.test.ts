// The request-log store fails under the real daemon: clients are still served, /health and
// daemon.status show the failure and the backlog, rows past the small byte bound lose their
// bodies (not their metadata), and every row arrives exactly once when the store is back.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { printStatus } from "../cli/ctl/format.ts";
import { createOutput } from "../cli/ctl/output.ts";
import { openSqliteStore } from "../store/sqlite/open.ts";
import type { Store } from "../store/types.ts";
import { rpcClient, shortTempDir } from "./control-harness.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { chatBody, json, startRoute, type Route } from "./harness.ts";

let a: FakeUpstream;
let route: Route;
let failing = false;
const socketPath = join(shortTempDir(), "r.sock");

beforeAll(async () => {
  a = await startFakeUpstream("A");
  const real = openSqliteStore(":memory:");
  // The real SQLite store, whose log inserts fail while `failing` is set (a full disk, say).
  const store: Store = { ...real, insertLogs: (rows) => (failing ? Promise.reject(new Error("database or disk is full")) : real.insertLogs(rows)) };
  // ~2.4 KB counted per request below (body, its text, the reply): two fit, later ones do not.
  route = await startRoute([{ name: "a", sk: "sk-upstream-a-secret", endpoint: a.url }], { store, socketPath, logQueueMaxBytes: 5000 });
});
afterAll(async () => {
  await route.stop();
  a.stop();
});

const metric = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(await (await fetch(`${route.url}/metrics`)).text())?.[1]);

test("a failing store: shown by /health and daemon.status; bodies dropped past the byte bound; rows arrive exactly once after recovery", async () => {
  failing = true;
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await route.post("/v1/chat/completions", chatBody({ messages: [{ role: "user", content: `${i}:${"x".repeat(1000)}` }] }));
    expect(res.status).toBe(200); // the store's failure is not the client's
    ids.push(res.headers.get("x-request-id")!);
    await res.arrayBuffer();
  }
  await route.daemon.writer.flush(); // one write attempt, which fails

  const health = await fetch(`${route.url}/health`);
  expect(health.status).toBe(503);
  const h = await json(health);
  expect(h.error.code).toBe("store_unavailable");
  expect(h.store).toMatchObject({ state: "failing", queued_rows: 4, last_error: "database or disk is full" });
  expect(h.store.queued_bytes).toBeGreaterThan(0);
  expect(h.store.queued_bytes).toBeLessThanOrEqual(5000);
  expect(Date.parse(h.store.since)).toBeGreaterThan(0);

  const client = await rpcClient(socketPath);
  const status = await client.call("daemon.status", {});
  client.close();
  expect(status.logStore).toMatchObject({ state: "failing", queuedRows: 4, queuedBytes: h.store.queued_bytes, lastError: "database or disk is full" });
  let printed = "";
  printStatus(createOutput(false, { write: (t: string) => (printed += t) } as never, process.stderr, {}), status);
  expect(printed).toMatch(/request log +FAILING since \S+: database or disk is full; 4 rows \(\d+ bytes of bodies\) queued/);

  expect(await metric("route_log_queue_rows")).toBe(4);
  expect(await metric("route_log_queue_bytes")).toBe(h.store.queued_bytes);
  expect(await metric("route_log_bodies_dropped_total")).toBe(2);

  failing = false;
  const rows = await route.rows();
  expect(rows.map((r) => r.id)).toEqual(ids); // each exactly once, in order
  expect(rows.map((r) => r.bodiesDropped)).toEqual([false, false, true, true]);
  for (const r of rows.slice(2)) {
    expect(r).toMatchObject({ requestBody: null, replyText: null, toolCalls: null, status: 200, upstreamName: "a", model: "gpt-4o-mini" });
    expect(r.requestBytes).toBeGreaterThan(1000);
  }
  expect(rows[0]!.requestBody).toContain("0:xxx");
  expect(rows[0]!.replyText).not.toBeNull();

  const after = await json(await fetch(`${route.url}/health`));
  expect(after).toMatchObject({ status: "ok", store: { state: "healthy", queued_rows: 0, queued_bytes: 0, last_error: null } });
  expect(await metric("route_log_queue_rows")).toBe(0);
});
