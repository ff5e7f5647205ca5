import { expect, test } from "bun:test";
import { createLogger } from "../log.ts";
import { createStoreFailureLog } from "./failure-log.ts";
import type { LogStoreState } from "./log-writer.ts";

test("a failing store: one line when it starts, a summary a minute, one line when it recovers", () => {
  let t = 0;
  const lines: string[] = [];
  const state: LogStoreState = { state: "failing", since: 0, queuedRows: 7, queuedBytes: 4096, lastError: "database or disk is full", spooledRows: 0, spooledBytes: 0 };
  const sl = createStoreFailureLog(createLogger("info", (l) => lines.push(l.replace(/^ts=\S+ /, ""))), () => state, () => t);
  sl.bodiesDropped(); // bodies dropped while the store is healthy (a burst) are not an outage
  expect(lines).toEqual([]);
  sl.failed(new Error("database or disk is full"));
  for (let i = 0; i < 11; i++) {
    t += 5_000; // retried every 5 s, bodies dropped in between
    sl.failed(new Error("database or disk is full"));
    sl.bodiesDropped();
    sl.bodiesDropped();
  }
  expect(lines.length).toBe(1);
  t += 5_000;
  sl.failed(new Error("database or disk is full"));
  expect(lines).toEqual([
    'level=error msg="request log write failed; rows kept for retry" err="database or disk is full" queued_rows=7 queued_bytes=4096\n',
    'level=error msg="request log store still failing; 12 failed writes, 22 rows queued without their bodies in the last 60 s" err="database or disk is full" queued_rows=7 queued_bytes=4096\n',
  ]);
  t += 10_000;
  sl.recovered();
  expect(lines[2]).toBe('level=info msg="request log store recovered; queued rows are being written" failed_for_s=70 queued_rows=7\n');
  sl.recovered(); // a success after successes says nothing
  expect(lines.length).toBe(3);
});
