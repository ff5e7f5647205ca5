// The crash journal under the real daemon: a process whose log writer never got to write (the store
// hangs; then the process is gone without a stop) leaves receipts; a new process on the same state
// directory writes a row for every request its predecessor answered, and a full row that did make it
// is kept as it is. (The kill -9 of a real routed on Postgres is in cluster-pg.test.ts.)
import { afterAll, beforeAll, expect, test } from "bun:test";
import { cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { openSqliteStore } from "../store/sqlite/open.ts";
import type { Store } from "../store/types.ts";
import { shortTempDir } from "./control-harness.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { chatBody, startRoute } from "./harness.ts";

let a: FakeUpstream;
const dir = shortTempDir();
beforeAll(async () => void (a = await startFakeUpstream("A")));
afterAll(() => {
  a.stop();
  rmSync(dir, { recursive: true, force: true });
});

const upstream = () => [{ name: "a", sk: "sk-upstream-a-secret", endpoint: a.url }];

test("receipts of answered requests survive a process that never wrote its rows, and become rows at the next start", async () => {
  const db = join(dir, "db.sqlite");
  const stateA = join(dir, "a");
  mkdirSync(stateA);
  const real = openSqliteStore(db);
  // The first request's row is written; after that the store hangs (as a database would mid-outage).
  let hang = false;
  const hanging: Store = { ...real, insertLogs: (rows) => (hang ? new Promise(() => {}) : real.insertLogs(rows)) };
  const first = await startRoute(upstream(), { store: hanging, spoolDir: stateA, crashJournal: true });
  const ids: string[] = [];
  const send = async (i: number) => {
    const res = await first.post("/v1/chat/completions", chatBody({ messages: [{ role: "user", content: `hello ${i}` }] }));
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    ids.push(res.headers.get("x-request-id")!);
  };
  await send(0);
  await first.daemon.writer.flush();
  expect(await real.countLogs()).toBe(1);
  hang = true;
  for (let i = 1; i < 5; i++) await send(i);
  // The process "dies" here: its state directory is all that is left (copied, as the first daemon
  // still holds its files open; it is abandoned, never stopped).
  const stateB = join(dir, "b");
  cpSync(stateA, stateB, { recursive: true });
  expect(readdirSync(stateB).some((f) => f.startsWith("crash-journal-"))).toBe(true);

  const second = await startRoute(upstream(), { store: openSqliteStore(db), spoolDir: stateB, crashJournal: true });
  await second.daemon.writer.flush();
  const rows = await second.rows();
  expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
  const byId = new Map(rows.map((r) => [r.id, r]));
  // The row that was written before keeps its bodies; the others are the receipts' metadata.
  expect(byId.get(ids[0]!)!.requestBody).toContain("hello 0");
  for (const id of ids.slice(1)) expect(byId.get(id)).toMatchObject({ status: 200, path: "/v1/chat/completions", upstreamName: "a", bodiesDropped: true, requestBody: null });
  await second.stop();
  first.daemon.server.stop(true); // the abandoned one: only its port is released
  // A clean stop removes the journal.
  expect(readdirSync(stateB).filter((f) => f.startsWith("crash-journal-"))).toEqual([]);
});
