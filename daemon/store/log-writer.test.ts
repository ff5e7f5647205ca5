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
});
