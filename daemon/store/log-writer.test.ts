import { describe, expect, test } from "bun:test";
import { createLogWriter } from "./log-writer.ts";
import type { LogRow, Store } from "./types.ts";

function fakeStore() {
  const written: LogRow[] = [];
  let failing = false;
  const store = {
    async insertLogs(rows: LogRow[]) {
      if (failing) throw new Error("database is locked");
      written.push(...rows);
    },
  } as unknown as Store;
  return { store, written, fail: (v: boolean) => (failing = v) };
}
const row = (id: string) => ({ id }) as LogRow;

describe("log writer", () => {
  test("rows are batched and written once each", async () => {
    const s = fakeStore();
    const w = createLogWriter<string>({ store: s.store, toRow: row, flushMs: 1000 });
    for (let i = 0; i < 5; i++) w.enqueue(String(i));
    expect(s.written.length).toBe(0); // nothing on the caller's path
    await w.flush();
    expect(s.written.map((r) => r.id)).toEqual(["0", "1", "2", "3", "4"]);
  });

  test("a failing store keeps rows and delivers them exactly once when it is back", async () => {
    const s = fakeStore();
    const errors: number[] = [];
    const w = createLogWriter<string>({ store: s.store, toRow: row, flushMs: 1000, onError: (_, q) => errors.push(q) });
    s.fail(true);
    w.enqueue("a");
    w.enqueue("b");
    await w.flush();
    expect(w.healthy).toBe(false);
    expect(w.queued).toBe(2);
    w.enqueue("c");
    s.fail(false);
    expect(await w.drain()).toBe(0);
    expect(s.written.map((r) => r.id)).toEqual(["a", "b", "c"]);
    expect(w.healthy).toBe(true);
    expect(errors).toEqual([2]);
  });

  test("the queue is bounded: overflow is counted, not silent", async () => {
    const s = fakeStore();
    let dropped = 0;
    const w = createLogWriter<string>({ store: s.store, toRow: row, maxQueue: 3, flushMs: 1000, onDrop: () => dropped++ });
    s.fail(true);
    for (let i = 0; i < 5; i++) w.enqueue(String(i));
    expect(dropped).toBe(2);
    s.fail(false);
    await w.drain();
    expect(s.written.length).toBe(3);
  });

  describe("bounded in bytes", () => {
    // An item holding `size` body bytes; dropping releases them as the daemon's dropBodies does.
    type Item = { id: string; body: Uint8Array | null; dropped: boolean };
    const item = (id: string, size: number): Item => ({ id, body: new Uint8Array(size), dropped: false });
    const toRow = (i: Item) => ({ id: i.id, requestBody: i.body ? `${i.body.length}` : null, bodiesDropped: i.dropped }) as LogRow;
    function boundedWriter(s: ReturnType<typeof fakeStore>, maxQueueBytes: number, extra: { maxQueue?: number; now?: () => number } = {}) {
      const counts = { bodiesDropped: 0, rowsDropped: 0, recovered: 0 };
      const w = createLogWriter<Item>({
        store: s.store,
        toRow,
        flushMs: 1000,
        maxQueueBytes,
        sizeOf: (i) => i.body?.length ?? 0,
        dropBodies: (i) => ((i.body = null), (i.dropped = true)),
        onBodiesDropped: () => counts.bodiesDropped++,
        onDrop: () => counts.rowsDropped++,
        onRecovered: () => counts.recovered++,
        ...extra,
      });
      return { w, counts };
    }

    test("past the byte bound rows keep their metadata, lose their bodies, and the bytes are released at once", async () => {
      const s = fakeStore();
      const { w, counts } = boundedWriter(s, 2500);
      s.fail(true);
      const items = ["a", "b", "c", "d"].map((id) => item(id, 1000));
      for (const i of items) w.enqueue(i);
      await w.flush(); // fails: everything stays queued
      expect(w.queued).toBe(4);
      expect(w.queuedBytes).toBe(2000); // a and b: c and d were over the bound
      expect(items.map((i) => i.body === null)).toEqual([false, false, true, true]);
      expect(counts).toEqual({ bodiesDropped: 2, rowsDropped: 0, recovered: 0 });
      s.fail(false);
      expect(await w.drain()).toBe(0);
      expect(s.written.map((r) => [r.id, r.requestBody, r.bodiesDropped])).toEqual([
        ["a", "1000", false],
        ["b", "1000", false],
        ["c", null, true],
        ["d", null, true],
      ]);
      expect(w.queuedBytes).toBe(0);
      expect(counts.recovered).toBe(1);
    });

    test("one row's bodies always fit an empty queue, however large", async () => {
      const s = fakeStore();
      const { w, counts } = boundedWriter(s, 100);
      const big = item("big", 5000);
      w.enqueue(big);
      expect(big.body).not.toBeNull();
      expect(w.queuedBytes).toBe(5000);
      await w.drain();
      expect(s.written[0]!.bodiesDropped).toBe(false);
      expect(counts.bodiesDropped).toBe(0);
    });

    test("whole rows are dropped only past the row cap; metadata rows below it arrive exactly once", async () => {
      const s = fakeStore();
      const { w, counts } = boundedWriter(s, 1000, { maxQueue: 5 });
      s.fail(true);
      for (let i = 0; i < 8; i++) w.enqueue(item(String(i), 600));
      await w.flush();
      expect(counts).toEqual({ bodiesDropped: 4, rowsDropped: 3, recovered: 0 });
      s.fail(false);
      await w.drain();
      expect(s.written.map((r) => r.id)).toEqual(["0", "1", "2", "3", "4"]);
      expect(new Set(s.written.map((r) => r.id)).size).toBe(5);
    });

    test("state() shows the backlog and the failure from the first failed write until a write succeeds", async () => {
      const s = fakeStore();
      let t = 1000;
      const { w } = boundedWriter(s, 1 << 20, { now: () => t });
      expect(w.state()).toEqual({ state: "healthy", since: 1000, queuedRows: 0, queuedBytes: 0, lastError: null, spooledRows: 0, spooledBytes: 0 });
      s.fail(true);
      w.enqueue(item("a", 10));
      expect(w.state().queuedRows).toBe(1); // the real backlog before any flush
      t = 2000;
      await w.flush();
      t = 3000;
      await w.flush(); // still failing: `since` stays at the first failure
      expect(w.state()).toEqual({ state: "failing", since: 2000, queuedRows: 1, queuedBytes: 10, lastError: "database is locked", spooledRows: 0, spooledBytes: 0 });
      s.fail(false);
      t = 4000;
      await w.drain();
      expect(w.state()).toEqual({ state: "healthy", since: 4000, queuedRows: 0, queuedBytes: 0, lastError: null, spooledRows: 0, spooledBytes: 0 });
    });
  });
});
