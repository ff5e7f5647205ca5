// The ordered retry queue of budget settlements (its retries are exercised in e2e/shared-budget.test.ts).
import { expect, test } from "bun:test";
import { createSettleQueue } from "./settle-queue.ts";

test("drain has a deadline: a settlement the database never answers does not hold a stop", async () => {
  const q = createSettleQueue<number>({ run: () => new Promise<void>(() => {}), max: 10 });
  q.push(1);
  const left = await q.drain(3, 30);
  expect(left).toBe(1); // still queued (and still owed), not dropped
  q.stop();
});
