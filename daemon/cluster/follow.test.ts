import { describe, expect, test } from "bun:test";
import { silentLogger } from "../log.ts";
import { createFakeCluster, until } from "./fake-cluster.ts";
import { createConfigFollower } from "./follow.ts";

/** A follower whose re-read counts itself and can be held open or made to fail. */
async function setup(pollMs = 3_600_000) {
  const fake = createFakeCluster();
  let applies = 0;
  let failures = 0;
  let gate: Promise<void> | null = null;
  let failWith: Error | null = null;
  const follower = createConfigFollower({
    cluster: fake.cluster,
    log: silentLogger,
    pollMs,
    onFailure: () => failures++,
    apply: async () => {
      await gate;
      if (failWith) throw failWith;
      applies++;
    },
  });
  await follower.prime();
  await follower.start();
  await until(() => fake.calls.configVersion === 2, "the check after connecting"); // prime, then the connect's null
  await follower.idle();
  return {
    fake,
    follower,
    applies: () => applies,
    failures: () => failures,
    hold: () => {
      let open!: () => void;
      gate = new Promise((r) => (open = r));
      return () => ((gate = null), open());
    },
    failNext: (err: Error | null) => (failWith = err),
  };
}

describe("config follower", () => {
  test("a notification of a new version re-reads once; the start's reconnect with nothing new does not", async () => {
    const t = await setup();
    expect(t.applies()).toBe(0); // primed at version 0, the first (re)connect found nothing new
    t.fake.bump();
    await until(() => t.applies() === 1, "the re-read");
    expect(t.follower.state().appliedVersion).toBe(1);
    await t.follower.stop();
  });

  test("a reconnect after missed notifications re-reads", async () => {
    const t = await setup();
    t.fake.disconnect();
    t.fake.bump();
    t.fake.bump();
    await t.follower.idle();
    expect(t.applies()).toBe(0); // nothing was heard
    t.fake.reconnect();
    await until(() => t.applies() === 1, "the re-read after reconnecting");
    expect(t.follower.state().appliedVersion).toBe(2);
    await t.follower.stop();
  });

  test("the poll catches a missed notification", async () => {
    const t = await setup(20);
    t.fake.bump(false); // committed, never notified
    await until(() => t.applies() === 1, "the poll's re-read");
    expect(t.follower.state().appliedVersion).toBe(1);
    await t.follower.stop();
  });

  test("a burst during a re-read folds into one more re-read", async () => {
    const t = await setup();
    const release = t.hold();
    t.fake.bump();
    await until(() => t.fake.calls.configVersion >= 3, "the first re-read to start"); // prime, connect, this one
    const heard = t.fake.calls.notified;
    for (let i = 0; i < 10; i++) t.fake.bump();
    await until(() => t.fake.calls.notified === heard + 10, "the ten notifications");
    release();
    await until(() => t.follower.state().appliedVersion === 11, "the version to catch up");
    await t.follower.idle();
    expect(t.applies()).toBe(2); // the one under way, then one for the ten that came meanwhile
    await t.follower.stop();
  });

  test("a failed re-read is counted and retried on the next trigger", async () => {
    const t = await setup();
    t.failNext(new Error("database went away"));
    t.fake.bump();
    await until(() => t.failures() === 1, "the failure");
    expect(t.follower.state().appliedVersion).toBe(0); // not applied: the next trigger retries
    t.failNext(null);
    await t.follower.trigger();
    expect(t.applies()).toBe(1);
    expect(t.follower.state().appliedVersion).toBe(1);
    await t.follower.stop();
  });

  test("a database that stops answering marks the listener down until it answers again", async () => {
    const t = await setup();
    t.fake.fail(new Error("connection refused"));
    await t.follower.trigger();
    expect(t.follower.state().listener).toBe("down");
    expect(t.failures()).toBe(1);
    t.fake.fail(null);
    t.fake.bump();
    await until(() => t.applies() === 1, "the re-read once it answers");
    expect(t.follower.state().listener).toBe("connected");
    await t.follower.stop();
  });

  test("after stop no notification re-reads", async () => {
    const t = await setup();
    await t.follower.stop();
    expect(t.fake.listeners).toBe(0);
    t.fake.bump();
    await t.follower.trigger();
    expect(t.applies()).toBe(0);
  });
});
