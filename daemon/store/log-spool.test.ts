// The spool with the real SQLite store behind a switch that makes its log inserts fail (a full
// disk, a database down): nothing is lost, nothing written twice, order kept, across a restart.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLogSpool } from "./log-spool.ts";
import { createLogWriter } from "./log-writer.ts";
import { openSqliteStore } from "./sqlite/open.ts";
import type { LogRow, Store } from "./types.ts";

const root = mkdtempSync(join(tmpdir(), "route-spool-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `t${n++}`);

const id = (i: number) => `0190-${String(i).padStart(6, "0")}`;
const row = (i: number, body = 100): LogRow =>
  ({
    id: id(i), ts: 1_700_000_000_000 + i, clientIp: null, method: "POST", path: "/v1/chat/completions", model: "m", stream: false,
    requestBody: "b".repeat(body), requestBytes: body, requestTruncated: false, upstreamId: null, upstreamName: null, upstreamModel: null,
    plan: null, attempts: [], status: 200, ttfbMs: 1, ttftMs: null, totalMs: 2, replyText: "r", toolCalls: null, promptTokens: null,
    completionTokens: null, totalTokens: null, tokensEstimated: false, errorCode: null, errorMessage: null, userAgent: null,
    upstreamRequestId: null, bodiesDropped: false, keyId: null, keyName: null, costMicros: null, priceSource: null, cachedTokens: null,
    cacheWriteTokens: null, reasoningTokens: null, affinity: false, bodiesOmitted: null, replyTruncated: false,
  }) as LogRow;

/** The SQLite store in `dir`, whose log inserts fail while `failing`; `inserted`: ids in the order written. */
function switchable(dir: string) {
  const real = openSqliteStore(join(dir, "db.sqlite"));
  const s = { failing: false, inserted: [] as string[] };
  const store: Store = {
    ...real,
    async insertLogs(rows) {
      if (s.failing) throw new Error("database or disk is full");
      await real.insertLogs(rows);
      s.inserted.push(...rows.map((r) => r.id));
    },
  };
  return { s, store, real };
}

function writerOf(store: Store, spool: Awaited<ReturnType<typeof openLogSpool>>) {
  const events: string[] = [];
  const lost = { rows: 0, bodies: 0 };
  const w = createLogWriter<LogRow>({
    store, spool, toRow: (r) => r, flushMs: 60_000, batchSize: 16, maxQueue: 40, maxQueueBytes: 4000,
    sizeOf: (r) => r.requestBody?.length ?? 0,
    dropBodies: (r) => ((r.requestBody = null), (r.bodiesDropped = true)),
    onSpooling: (rows) => events.push(`spooling ${rows}`),
    onSpoolReplayed: (rows) => events.push(`replayed ${rows}`),
    onRowsLost: (k) => (lost.rows += k),
    onBodiesDropped: () => lost.bodies++,
  });
  return { w, events, lost };
}
const allIds = async (real: Store) => (await real.listLogs(100_000)).map((r) => r.id).reverse();

describe("log spool", () => {
  test("an outage longer than the memory bound: the backlog goes to an owner-only spool file, and after recovery every row is in the store once, in order", async () => {
    const dir = fresh();
    const { s, store, real } = switchable(dir);
    const spool = await openLogSpool(dir);
    const { w, events, lost } = writerOf(store, spool);
    s.failing = true;
    for (let i = 0; i < 200; i++) {
      w.enqueue(row(i));
      if (i % 25 === 24) await w.flush(); // the retries of an outage: each fails
    }
    await w.flush();
    expect(spool.rows).toBeGreaterThan(100);
    expect(w.queued).toBeLessThan(40);
    expect(w.queuedBytes).toBeLessThanOrEqual(4000);
    expect(statSync(spool.file).mode & 0o777).toBe(0o600);
    expect(w.state()).toMatchObject({ state: "failing", spooledRows: spool.rows, spooledBytes: statSync(spool.file).size });
    expect(events.length).toBe(1); // one alert for the episode
    expect(events[0]).toMatch(/^spooling \d+$/);
    expect(lost).toEqual({ rows: 0, bodies: 0 }); // the spool took them whole
    const spooled = spool.rows;
    s.failing = false;
    expect(await w.drain()).toBe(0);
    const want = Array.from({ length: 200 }, (_, i) => id(i));
    expect(s.inserted).toEqual(want); // written in order: the spool before newer rows
    expect(await allIds(real)).toEqual(want);
    expect((await real.getLog(id(0)))!.requestBody).toBe("b".repeat(100)); // bodies kept on disk
    expect(existsSync(spool.file)).toBe(false);
    expect(events).toEqual([events[0]!, `replayed ${spooled}`]);
    expect(w.state()).toMatchObject({ state: "healthy", queuedRows: 0, spooledRows: 0, spooledBytes: 0 });
    await real.close();
  });

  test("a stop while the store fails spools what is queued; the next start replays it first; a batch already in the store is not written twice", async () => {
    const dir = fresh();
    const first = switchable(dir);
    const a = writerOf(first.store, await openLogSpool(dir));
    first.s.failing = true;
    for (let i = 0; i < 30; i++) a.w.enqueue(row(i));
    expect(await a.w.drain()).toBe(0); // nothing lost: all of it in the spool
    await first.real.insertLogs([row(0), row(1)]); // as if the first batch had committed just before a crash
    await first.real.close();

    const second = switchable(dir);
    const spool = await openLogSpool(dir);
    expect(spool.rows).toBe(30);
    const b = writerOf(second.store, spool);
    b.w.enqueue(row(30)); // newer than everything spooled
    expect(await b.w.drain()).toBe(0);
    const want = Array.from({ length: 31 }, (_, i) => id(i));
    expect(second.s.inserted).toEqual(want);
    expect(await allIds(second.real)).toEqual(want); // rows 0 and 1 once
    expect(existsSync(spool.file)).toBe(false);
    await second.real.close();
  });

  test("the spool's byte bound: past it rows lose their bodies, then whole rows are dropped, each counted", async () => {
    const dir = fresh();
    const spool = await openLogSpool(dir, 3000);
    const meta = Buffer.byteLength(`${JSON.stringify({ ...row(0, 0), requestBody: null, replyText: null, bodiesDropped: true })}\n`);
    const full = Buffer.byteLength(`${JSON.stringify(row(0, 500))}\n`);
    const r = await spool.append(Array.from({ length: 12 }, (_, i) => row(i, 500)));
    const whole = Math.floor(3000 / full);
    const bare = Math.floor((3000 - whole * full) / meta);
    expect(r).toEqual({ bodiesDropped: 12 - whole, rowsDropped: 12 - whole - bare });
    expect(spool.rows).toBe(whole + bare);
    expect(statSync(spool.file).size).toBeLessThanOrEqual(3000);
    expect(spool.bytes).toBe(statSync(spool.file).size);
    const back = await spool.peek(100);
    expect(back.map((x) => x.requestBody === null)).toEqual([...Array(whole).fill(false), ...Array(bare).fill(true)]);
    expect(back.every((x, i) => x.id === id(i))).toBe(true);
  });

  test("a line torn by a crash mid-append is cut at the next start; the rows before it replay", async () => {
    const dir = fresh();
    const spool = await openLogSpool(dir);
    await spool.append([row(0), row(1)]);
    writeFileSync(spool.file, '{"id":"0190-torn', { flag: "a" });
    const again = await openLogSpool(dir);
    expect(again.rows).toBe(2);
    expect((await again.peek(10)).map((x) => x.id)).toEqual([id(0), id(1)]);
    await again.commit();
    expect(existsSync(again.file)).toBe(false);
  });
});

test("a spool directory is one process's: a second live routed is refused, a dead one's is taken over", async () => {
  const d = mkdtempSync(join(tmpdir(), "route-spool-lock-"));
  const other = Bun.spawn(["sleep", "30"]);
  try {
    writeFileSync(join(d, "routed.pid"), `${other.pid}\n`);
    await expect(openLogSpool(d)).rejects.toThrow(`another routed (pid ${other.pid}) uses ${d}`);
    other.kill();
    await other.exited;
    await openLogSpool(d); // its holder is gone
  } finally {
    other.kill();
    rmSync(d, { recursive: true, force: true });
  }
});
