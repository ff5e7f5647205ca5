import { describe, expect, test } from "bun:test";
import { createAffinity, sessionKey } from "./affinity.ts";

const ups = [{ id: 1 }, { id: 2 }, { id: 3 }];

function setup(ttlMs = 300_000, maxSessions = 100_000) {
  const clock = { t: 0 };
  const a = createAffinity({ now: () => clock.t, ttlMs, maxSessions });
  return { a, clock };
}

describe("affinity policy", () => {
  test("a session prefers the upstream that answered it last, only among the candidates", () => {
    const { a } = setup();
    const k = sessionKey("m", "k:s1");
    expect(a.prefer(k, ups)).toBeNull();
    a.record(k, 2);
    expect(a.prefer(k, ups)).toEqual({ id: 2 });
    // Its upstream is not a candidate (unhealthy, not allowed, at its limit): no preference.
    expect(a.prefer(k, [ups[0]!, ups[2]!])).toBeNull();
  });

  test("the same identity on another model is another session", () => {
    const { a } = setup();
    a.record(sessionKey("m1", "k:s"), 1);
    expect(a.prefer(sessionKey("m2", "k:s"), ups)).toBeNull();
    expect(sessionKey("m1", "k:s")).not.toBe(sessionKey("m2", "k:s"));
  });

  test("an answer from another upstream moves the session, and says so", () => {
    const { a } = setup();
    const k = sessionKey("m", "k:s");
    expect(a.record(k, 1)).toBe(false); // new
    expect(a.record(k, 1)).toBe(false); // same upstream
    expect(a.record(k, 3)).toBe(true);
    expect(a.prefer(k, ups)).toEqual({ id: 3 });
  });

  test("entries expire after the idle time; use keeps them alive", () => {
    const { a, clock } = setup(1000);
    const idle = sessionKey("m", "idle");
    const busy = sessionKey("m", "busy");
    a.record(idle, 1);
    a.record(busy, 2);
    clock.t = 600;
    a.record(busy, 2);
    clock.t = 999;
    expect(a.prefer(idle, ups)).toEqual({ id: 1 });
    clock.t = 1000;
    expect(a.prefer(idle, ups)).toBeNull();
    expect(a.size()).toBe(1);
    clock.t = 1599;
    expect(a.prefer(busy, ups)).toEqual({ id: 2 });
    clock.t = 1600;
    expect(a.size()).toBe(0);
    // An expired entry is not a move: the session starts afresh.
    expect(a.record(idle, 3)).toBe(false);
  });

  test("100k distinct sessions past the bound keep the map at its bound, least recently used out first", () => {
    const { a, clock } = setup(300_000, 100_000);
    const heap = () => (Bun.gc(true), process.memoryUsage().heapUsed);
    const empty = heap();
    const first = sessionKey("m", "s0");
    for (let i = 0; i < 100_000; i++) a.record(sessionKey("m", `s${i}`), (i % 3) + 1);
    expect(a.size()).toBe(100_000);
    const full = heap();
    a.prefer(first, ups); // a lookup does not refresh; only an answer does
    a.record(first, 1); // the oldest, used again: now the newest
    for (let i = 100_000; i < 199_999; i++) a.record(sessionKey("m", `s${i}`), 1);
    expect(a.size()).toBe(100_000);
    expect(a.prefer(first, ups)).toEqual({ id: 1 });
    expect(a.prefer(sessionKey("m", "s1"), ups)).toBeNull(); // evicted
    expect(a.prefer(sessionKey("m", "s199998"), ups)).toEqual({ id: 1 });
    // Another 100k sessions replaced as many: the heap grows by less than half what the first 100k took.
    expect(heap() - full).toBeLessThan((full - empty) / 2);
    clock.t = 300_000;
    expect(a.size()).toBe(0);
  });

  test("a smaller bound on reload drops the least recently used", () => {
    const { a } = setup();
    for (let i = 0; i < 10; i++) a.record(sessionKey("m", `s${i}`), 1);
    a.configure({ ttlMs: 300_000, maxSessions: 3 });
    expect(a.size()).toBe(3);
    expect(a.prefer(sessionKey("m", "s9"), ups)).toEqual({ id: 1 });
    expect(a.prefer(sessionKey("m", "s6"), ups)).toBeNull();
  });
});
