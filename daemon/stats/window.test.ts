import { describe, expect, test } from "bun:test";
import { createWindow } from "./window.ts";

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe("sliding window", () => {
  test("counts by outcome and rate over the time it has existed", () => {
    const c = clock();
    const w = createWindow({ seconds: 10, now: c.now });
    for (let i = 0; i < 4; i++) w.add("ok");
    w.add("timeout");
    c.advance(2000);
    expect(w.read()).toMatchObject({ count: 5, perSecond: 2.5, outcomes: { ok: 4, timeout: 1 } });
    c.advance(7500); // 9.5 s after start: divided by 9.5 s
    expect(w.read().perSecond).toBeCloseTo(5 / 9.5);
    c.advance(20_000); // the window is full-length from now on, and these events left it
    w.add("ok");
    expect(w.read().perSecond).toBe(0.1);
  });

  test("events older than the window fall out, bucket by bucket", () => {
    const c = clock(0);
    const w = createWindow({ seconds: 3, now: c.now });
    w.add("ok");
    c.advance(1000);
    w.add("http_5xx");
    c.advance(1999); // t = 2.999 s: both buckets (0 s and 1 s) still inside
    expect(w.read().count).toBe(2);
    c.advance(1); // t = 3 s: the 0 s bucket left
    expect(w.read().outcomes).toEqual({ http_5xx: 1 });
    c.advance(1000);
    expect(w.read().count).toBe(0);
    w.add("ok"); // a reused bucket starts from zero
    expect(w.read().outcomes).toEqual({ ok: 1 });
  });

  test("latency and TTFT percentiles (nearest rank) over the window", () => {
    const c = clock(0);
    const w = createWindow({ seconds: 5, now: c.now });
    expect(w.read().latency).toBeNull();
    for (let ms = 1; ms <= 100; ms++) w.latency(ms);
    w.ttft(40);
    expect(w.read().latency).toEqual({ p50: 50, p95: 95 });
    expect(w.read().ttft).toEqual({ p50: 40, p95: 40 });
    c.advance(5000);
    w.latency(7);
    expect(w.read().latency).toEqual({ p50: 7, p95: 7 });
    expect(w.read().ttft).toBeNull();
  });

  test("only the latest samples are kept: memory is bounded", () => {
    const c = clock(0);
    const w = createWindow({ seconds: 60, samples: 4, now: c.now });
    for (const ms of [1000, 1000, 1000, 1, 2, 3, 4]) w.latency(ms);
    expect(w.read().latency).toEqual({ p50: 2, p95: 4 });
  });
});
