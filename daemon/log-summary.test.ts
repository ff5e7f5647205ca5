import { expect, test } from "bun:test";
import { createEpisodeLog, describeCounts, type Counts } from "./log-summary.ts";

function setup(everyMs = 60_000) {
  let t = 1_000;
  const summaries: [string, Counts, number][] = [];
  const log = createEpisodeLog({ now: () => t, everyMs, onSummary: (key, counts, windowMs) => summaries.push([key, counts, windowMs]) });
  return { log, summaries, advance: (ms: number) => (t += ms) };
}

test("a condition is reported when it begins; repeats are counted, not reported", () => {
  const { log, summaries } = setup();
  expect(log.begin("a")).toBe(true);
  for (let i = 0; i < 1000; i++) {
    expect(log.begin("a")).toBe(false);
    log.count("a", "skipped");
  }
  expect(summaries).toEqual([]);
  expect(log.holds("a")).toBe(true);
});

test("one summary per interval with the counts of that interval, then counting starts again", () => {
  const { log, summaries, advance } = setup();
  log.begin("a");
  log.count("a", "skipped");
  advance(30_000);
  log.count("a", "skipped");
  log.count("a", "trial");
  advance(30_000);
  log.count("a", "skipped"); // 60 s after the start: the summary leaves with this one
  expect(summaries).toEqual([["a", { skipped: 3, trial: 1 }, 60_000]]);
  advance(59_999);
  log.count("a", "skipped");
  expect(summaries.length).toBe(1);
  advance(1);
  log.count("a", "skipped");
  expect(summaries[1]).toEqual(["a", { skipped: 2 }, 60_000]);
});

test("end reports what was counted since the last summary; counts outside a condition are ignored", () => {
  const { log, summaries, advance } = setup();
  log.count("b", "skipped");
  expect(log.end("b")).toBeNull();
  log.begin("b");
  advance(5_000);
  log.count("b", "skipped");
  expect(log.end("b")).toEqual({ since: 1_000, counts: { skipped: 1 }, summarisedAt: 1_000 });
  expect(log.begin("b")).toBe(true); // a new condition is reported again
  expect(summaries).toEqual([]);
});

test("keys are independent; retain forgets the ones that no longer apply", () => {
  const { log } = setup();
  log.begin("a");
  log.begin("b");
  log.retain((k) => k === "b");
  expect([log.holds("a"), log.holds("b")]).toEqual([false, true]);
  expect(log.begin("a")).toBe(true);
});

test("describeCounts names non-zero counts in the given order", () => {
  expect(describeCounts({ trial: 2, skipped: 40 }, { skipped: "requests skipped it", trial: "trials failed" })).toBe("40 requests skipped it, 2 trials failed");
  expect(describeCounts({ skipped: 3 }, { skipped: "requests skipped it", trial: "trials failed" })).toBe("3 requests skipped it");
});
