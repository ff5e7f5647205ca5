// The spool under the real daemon: a store that fails past the memory bound spools to disk, /health
// says degraded with the reason, the gauges show the spool; a restart with the spool present
// replays it, and every request's row is in the store exactly once, in order.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { openSqliteStore } from "../store/sqlite/open.ts";
import type { Store } from "../store/types.ts";
import { shortTempDir } from "./control-harness.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { chatBody, json, startRoute } from "./harness.ts";

let a: FakeUpstream;
const dir = shortTempDir();
beforeAll(async () => void (a = await startFakeUpstream("A")));
afterAll(() => {
  a.stop();
  rmSync(dir, { recursive: true, force: true });
});

let failing = false;
const failingStore = (): Store => {
  const real = openSqliteStore(join(dir, "db.sqlite"));
  return { ...real, insertLogs: (rows) => (failing ? Promise.reject(new Error("database or disk is full")) : real.insertLogs(rows)) };
};
const start = () => startRoute([{ name: "a", sk: "sk-upstream-a-secret", endpoint: a.url }], { store: failingStore(), spoolDir: dir, logQueueMaxBytes: 5000 });
const metric = async (url: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(await (await fetch(`${url}/metrics`)).text())?.[1]);

test("a store down past the memory bound: rows spooled, /health degraded; after a restart the spool is replayed, every row once, in order", async () => {
  failing = true;
  const first = await start();
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await first.post("/v1/chat/completions", chatBody({ messages: [{ role: "user", content: `${i}:${"x".repeat(1000)}` }] }));
    expect(res.status).toBe(200);
    ids.push(res.headers.get("x-request-id")!);
    await res.arrayBuffer();
    await first.daemon.writer.flush(); // a retry of the outage: fails, and what is over the bound moves to disk
  }
  const health = await fetch(`${first.url}/health`);
  const h = await json(health);
  expect(h.status).toBe("degraded");
  expect(h.reason).toContain("database or disk is full");
  expect(h.store.spooled_rows).toBeGreaterThan(0);
  const file = join(dir, "request-log.spool");
  expect(h.store.spooled_bytes).toBe(statSync(file).size);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(await metric(first.url, "route_log_spool_rows")).toBe(h.store.spooled_rows);
  expect(await metric(first.url, "route_log_bodies_dropped_total")).toBe(0); // the spool kept the bodies
  await first.stop(); // still failing: what is in memory joins the spool
  const look = openSqliteStore(join(dir, "db.sqlite"));
  expect(await look.countLogs()).toBe(0);
  await look.close();

  failing = false;
  const second = await start();
  const rows = await second.rows();
  expect(rows.map((r) => r.id)).toEqual(ids);
  expect(rows.every((r) => r.requestBody?.includes("x".repeat(1000)))).toBe(true);
  expect(await json(await fetch(`${second.url}/health`))).toMatchObject({ status: "ok", store: { spooled_rows: 0, spooled_bytes: 0 } });
  await second.stop();
});
