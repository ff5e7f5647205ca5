import { describe, expect, test } from "bun:test";
import { MinuteLog, SecondLog } from "./minute-log.ts";

describe("sliding minute logs", () => {
  test("per-second counts follow the exact log, a second early at worst, in constant memory", () => {
    const exact = new MinuteLog();
    const coarse = new SecondLog();
    const t0 = Date.UTC(2026, 10, 22);
    for (let ms = 0; ms < 150_000; ms += 10) {
      const sa = exact.push(t0 + ms, 3);
      const sb = coarse.push(t0 + ms, 3);
      if (ms % 1000 === 0) {
        exact.correct(sa, 2); // the real usage was larger than the estimate
        coarse.correct(sb, 2);
      }
      if (ms % 1000 === 990) {
        exact.prune(t0 + ms + 10);
        coarse.prune(t0 + ms + 10);
        // The oldest second leaves whole: up to a second's admissions (100 here) early.
        expect(exact.length - coarse.length).toBe(ms + 10 < 60_000 ? 0 : 99);
      }
    }
    expect(coarse.length).toBe(5900);
    expect(coarse.seconds()).toEqual(exact.seconds().slice(1));
    expect(coarse.seconds().length).toBe(59);
    expect(coarse.at(0)).toBe(t0 + 91_000);
    expect(coarse.at(150)).toBe(t0 + 92_000);
    const sum = coarse.sum;
    coarse.correct(0, 100); // long gone: nothing changes
    expect(coarse.sum).toBe(sum);
  });
});
