import { describe, expect, test } from "bun:test";
import { bucketValue, counterColumns, errorClass, HIST_BUCKETS, histBucket, histPercentile } from "./rollup.ts";

describe("rollup histogram", () => {
  test("a value's bucket stands for it within a factor 2^(1/4), from 1 ms to the last bucket's start", () => {
    for (let ms = 1; ms < 2 ** 23; ms *= 1.013) {
      const b = histBucket(ms);
      expect(b).toBeGreaterThan(0);
      expect(Math.abs(Math.log2(bucketValue(b) / ms))).toBeLessThanOrEqual(0.25 + 1e-9);
    }
    expect(histBucket(0)).toBe(0);
    expect(histBucket(0.7)).toBe(0);
    expect(histBucket(1)).toBe(1);
    expect(histBucket(2)).toBe(3);
    expect(histBucket(10 * 3_600_000)).toBe(HIST_BUCKETS - 1); // beyond the range: the last bucket
  });

  test("nearest-rank percentiles of the merged counts; null when empty", () => {
    const hist = new Array(HIST_BUCKETS).fill(0);
    for (const ms of [10, 10, 10, 10, 100, 100, 100, 100, 100, 5000]) hist[histBucket(ms)]++;
    expect(histPercentile(hist, 0.4)).toBe(bucketValue(histBucket(10)));
    expect(histPercentile(hist, 0.5)).toBe(bucketValue(histBucket(100)));
    expect(histPercentile(hist, 0.9)).toBe(bucketValue(histBucket(100)));
    expect(histPercentile(hist, 0.95)).toBe(bucketValue(histBucket(5000)));
    expect(histPercentile(new Array(HIST_BUCKETS).fill(0), 0.5)).toBeNull();
  });
});

describe("rollup error classes", () => {
  test("by Route's code first, then by status; none for a success", () => {
    expect(errorClass(null, 200)).toBeNull();
    expect(errorClass("upstream_timeout", 504)).toBe("errTimeout");
    expect(errorClass("upstream_stalled", 200)).toBe("errTimeout");
    expect(errorClass("rate_limit_exceeded", 429)).toBe("errLimited");
    expect(errorClass(null, 429)).toBe("errLimited");
    expect(errorClass("key_exhausted", 402)).toBe("errLimited");
    expect(errorClass("no_upstream", 503)).toBe("errConnect");
    expect(errorClass("upstream_reset", 200)).toBe("errStream");
    expect(errorClass("client_closed", 499)).toBe("errClient");
    expect(errorClass(null, 400)).toBe("errOther");
    expect(errorClass("upstream_error", 502)).toBe("errOther");
  });

  test("counter columns are named in snake_case", () => {
    const cols = counterColumns((n) => n);
    expect([cols.status4xx, cols.cacheWriteTokens, cols.errTimeout, cols.costMicros]).toEqual(["status_4xx", "cache_write_tokens", "err_timeout", "cost_micros"]);
  });
});
