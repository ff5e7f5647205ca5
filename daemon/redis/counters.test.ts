// The shared counters' decisions, on a real Redis: exact under concurrency across connections,
// the local day of a time zone, TPM reserved then corrected, client keys' in-flight across nodes.
import { afterAll, describe, expect, test } from "bun:test";
import { dayClock } from "../routing/limits.ts";
import { testRedis } from "../test-services.ts";
import { createCounters, tzOffsetMs } from "./counters.ts";
import { closeTestConnections, roomInMinute, testConnection } from "./test-helpers.ts";

const redis = await testRedis();
afterAll(closeTestConnections);

async function counters(nodeId: string, timeZone = "UTC", prefix = redis!.prefix) {
  const clock = dayClock(timeZone);
  return createCounters(await testConnection(redis!.url), { prefix, nodeId, clock: () => clock });
}

describe.skipIf(!redis)("shared counters (Redis)", () => {
  test("rpm 25: of 90 concurrent admissions over 3 connections exactly 25 pass; the rest learn rpm and the time to the next minute", async () => {
    const nodes = await Promise.all(["n1", "n2", "n3"].map((n) => counters(n)));
    await roomInMinute(await testConnection(redis!.url));
    const scope = { kind: "u" as const, id: 1 };
    const verdicts = await Promise.all(Array.from({ length: 90 }, (_, i) => nodes[i % 3]!.admit(scope, { rpm: 25, rpd: null, tpm: null }, 0)));
    const passed = verdicts.filter((v) => v.ok);
    expect(passed.length).toBe(25);
    const refused = verdicts.filter((v) => !v.ok) as { which: string; retryAfterMs: number }[];
    expect(new Set(refused.map((v) => v.which))).toEqual(new Set(["rpm"]));
    for (const v of refused) expect(v.retryAfterMs).toBeGreaterThan(0);
    for (const v of refused) expect(v.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  test("rpd counts the day of the configured zone: refused until that zone's midnight", async () => {
    for (const tz of ["Asia/Kolkata", "America/New_York", "UTC"]) {
      const c = await counters("n1", tz);
      const scope = { kind: "u" as const, id: 100 + tz.length };
      expect((await c.admit(scope, { rpm: null, rpd: 2, tpm: null }, 0)).ok).toBe(true);
      expect((await c.admit(scope, { rpm: null, rpd: 2, tpm: null }, 0)).ok).toBe(true);
      const t = Date.now();
      const third = await c.admit(scope, { rpm: null, rpd: 2, tpm: null }, 0);
      expect(third.ok).toBe(false);
      if (third.ok) continue;
      expect(third.which).toBe("rpd");
      // Redis's clock and this process's are the same machine's: the two midnights agree to the clock's drift between the calls.
      expect(Math.abs(third.retryAfterMs - (dayClock(tz).nextMidnight(t) - t))).toBeLessThan(2000);
    }
  });

  test("the zone offset is the real one (mod a day), DST included", () => {
    const jan = Date.UTC(2025, 0, 15, 12);
    const jul = Date.UTC(2025, 6, 15, 12);
    expect(tzOffsetMs(dayClock("Asia/Kolkata"), jan)).toBe(5.5 * 3_600_000);
    expect(tzOffsetMs(dayClock("America/New_York"), jan)).toBe(86_400_000 - 5 * 3_600_000);
    expect(tzOffsetMs(dayClock("America/New_York"), jul)).toBe(86_400_000 - 4 * 3_600_000);
  });

  test("a limit of 0 refuses for ever (no retry time)", async () => {
    const c = await counters("n1");
    const v = await c.admit({ kind: "u", id: 7 }, { rpm: 0, rpd: null, tpm: null }, 0);
    expect(v).toEqual({ ok: false, which: "rpm", retryAfterMs: Infinity });
  });

  test("tpm: the estimate is reserved at admission and corrected with the real usage in the same minute", async () => {
    const a = await counters("n1");
    const b = await counters("n2");
    await roomInMinute(await testConnection(redis!.url));
    const scope = { kind: "u" as const, id: 3 };
    const limits = { rpm: null, rpd: null, tpm: 100 };
    const first = await a.admit(scope, limits, 90);
    expect(first.ok).toBe(true);
    const second = await b.admit(scope, limits, 20); // 90 < 100: admitted, now 110 reserved
    expect(second.ok).toBe(true);
    expect((await a.admit(scope, limits, 1)).ok).toBe(false); // 110 >= 100
    if (!first.ok) return;
    expect(await a.correct(scope, first.minute, 12 - 90)).toBe(32); // the first used 12 tokens
    const third = await b.admit(scope, limits, 5);
    expect(third.ok).toBe(true);
  });

  test("client key max_inflight: counted across nodes, released, and a dead node's requests forgotten by the sweep", async () => {
    const a = await counters("node-a");
    const b = await counters("node-b");
    const key = { kind: "k" as const, id: 9 };
    const limits = { rpm: null, rpd: null, tpm: null, maxInflight: 2 };
    expect((await a.admit(key, limits, 0)).ok).toBe(true);
    expect((await b.admit(key, limits, 0)).ok).toBe(true);
    const full = await a.admit(key, limits, 0);
    expect(full).toEqual({ ok: false, which: "max_inflight", retryAfterMs: 1000 });
    await a.release(key);
    expect(await a.inflight(key)).toBe(1);
    expect((await a.admit(key, limits, 0)).ok).toBe(true);
    expect(await a.inflight(key)).toBe(2);
    // node-b stops beating: its request will never be released.
    expect(await a.sweep([key], ["node-a"])).toBe(1);
    expect(await a.inflight(key)).toBe(1);
    expect((await a.admit(key, limits, 0)).ok).toBe(true);
  });
});
