import { describe, expect, test } from "bun:test";
import { bucket, createStatsHistory, sparkline } from "./stats-history.ts";
import { makeStats, makeUpstream } from "./test/fixtures.ts";

describe("stats history", () => {
  test("keeps a point per tick per upstream for the kept span; removed upstreams are forgotten", () => {
    const h = createStatsHistory(10);
    const ups = [makeUpstream({ id: 1 }), makeUpstream({ id: 2 })];
    for (let i = 0; i < 30; i++) h.add(makeStats(ups, { ts: i * 1000, rps: i }));
    expect(h.points(1).map((p) => p.rps)).toEqual([19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    h.add(makeStats([ups[0]!], { ts: 31_000 }));
    expect(h.points(2)).toEqual([]);
  });

  test("buckets average their ticks; spans without ticks stay empty", () => {
    const points = [0, 1, 2, 3, 8, 9].map((s) => ({ ts: s * 1000, rps: s, latency: null, errorRate: null }));
    expect(bucket(points, (p) => p.rps, 10_000, 10, 5)).toEqual([1, 2.5, null, null, 8.5]); // (now - span, now]: the tick at 0 is out
  });

  test("a cell a jittery tick just missed takes the nearest tick; a real gap stays empty", () => {
    const points = [1000, 2000, 3100, 5100, 9000].map((ts, i) => ({ ts, rps: i + 1, latency: null, errorRate: null }));
    // 1 s cells over 10 s: no tick in (4, 5] s, but ticks at 3.1 and 5.1 s; none from 5.1 to 9 s (routed down)
    expect(bucket(points, (p) => p.rps, 10_000, 10, 10)).toEqual([null, 1, 2, 3, 4, 4, null, null, null, 5]);
  });

  test("sparklines scale to their maximum and show gaps as spaces", () => {
    expect(sparkline([0, 4, 8, null, 2], ["a", "b", "c", "d", "e"])).toBe("ace b");
    expect(sparkline([0, 0], ["_", "#"])).toBe("__");
  });
});
