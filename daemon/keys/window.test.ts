import { describe, expect, test } from "bun:test";
import { windowClock } from "./window.ts";

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

describe("budget windows", () => {
  test("UTC: day, week from Monday, month, total", () => {
    const w = windowClock("UTC");
    const t = Date.parse("2026-11-29T21:36:00Z"); // a Sunday
    expect([w("day", t)].map((x) => [iso(x.start), iso(x.end)])).toEqual([["2026-11-29T00:00:00.000Z", "2026-11-30T00:00:00.000Z"]]);
    expect([w("week", t)].map((x) => [iso(x.start), iso(x.end)])).toEqual([["2026-11-23T00:00:00.000Z", "2026-11-30T00:00:00.000Z"]]);
    expect([w("month", t)].map((x) => [iso(x.start), iso(x.end)])).toEqual([["2026-11-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z"]]);
    expect(w("month", Date.parse("2026-12-31T23:59:59Z")).end).toBe(Date.parse("2027-01-01T00:00:00Z"));
    expect(w("total", t)).toEqual({ start: 0, end: null });
  });

  test("a zone's local midnight, across a DST change", () => {
    const sh = windowClock("Asia/Shanghai");
    expect(iso(sh("day", Date.parse("2026-11-29T17:00:00Z")).start)).toBe("2026-11-29T16:00:00.000Z"); // 01:00 local on the 30th
    const ny = windowClock("America/New_York");
    // 2026-03-08 is the spring-forward day: that local day is 23 hours long.
    const d = ny("day", Date.parse("2026-03-08T12:00:00Z"));
    expect([iso(d.start), iso(d.end)]).toEqual(["2026-03-08T05:00:00.000Z", "2026-03-09T04:00:00.000Z"]);
    expect(iso(ny("month", Date.parse("2026-11-01T03:00:00Z")).start)).toBe("2026-10-01T04:00:00.000Z"); // still October locally
  });
});
