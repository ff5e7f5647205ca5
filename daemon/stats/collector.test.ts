import { describe, expect, test } from "bun:test";
import { createHealthBook } from "../routing/health-book.ts";
import { createLimitBook } from "../routing/limit-book.ts";
import { createPool } from "../routing/pool.ts";
import { ROUTING_DEFAULTS, type LogRow, type UpstreamRecord } from "../store/types.ts";
import { createStatsCollector } from "./collector.ts";

const up = (id: number, name: string, enabled = true): UpstreamRecord => ({
  id, name, endpoint: "http://h/v1", sk: "k", timeoutMs: null, streamTimeoutMs: null, enabled, position: id, source: "runtime", extra: null, ...ROUTING_DEFAULTS, createdAt: 0, updatedAt: 0,
});

const row = (over: Partial<LogRow>): LogRow => ({
  id: "x", ts: 0, clientIp: null, method: "POST", path: "/v1/chat/completions", model: "m", stream: true, requestBody: null, requestBytes: 0,
  requestTruncated: false, upstreamId: null, upstreamName: null, attempts: [], status: 200, ttfbMs: null, ttftMs: null, totalMs: 0,
  replyText: null, toolCalls: null, promptTokens: null, completionTokens: null, totalTokens: null, tokensEstimated: false, upstreamModel: null, plan: null, errorCode: null, errorMessage: null, userAgent: null, upstreamRequestId: null, bodiesDropped: false, keyId: null, keyName: null, costMicros: null, priceSource: null, cachedTokens: null, cacheWriteTokens: null, reasoningTokens: null, affinity: false, bodiesOmitted: null, replyTruncated: false,
  ...over,
});

describe("stats collector", () => {
  test("attempts count for their upstream, latency for the one that answered", () => {
    let t = 50_000;
    const stats = createStatsCollector({ now: () => t, windowS: 10 });
    const pool = createPool({ timeoutMs: 1, streamTimeoutMs: 1, stallTimeoutMs: 1 });
    pool.set([up(1, "a"), up(2, "b"), up(3, "c", false)]);
    stats.record(row({ upstreamId: 2, attempts: [{ upstreamId: 1, upstream: "a", outcome: "timeout", ms: 5 }, { upstreamId: 2, upstream: "b", outcome: "ok", status: 200, ms: 9 }], totalMs: 120, ttftMs: 30 }));
    stats.record(row({ upstreamId: 1, attempts: [{ upstreamId: 1, upstream: "a", outcome: "ok", status: 200, ms: 5 }], totalMs: 80 }));
    stats.record(row({ status: 502, attempts: [{ upstreamId: 1, upstream: "a", outcome: "http_5xx", status: 500, ms: 5 }] }));
    t += 2000;
    const live = { limits: createLimitBook({ now: () => t }), health: createHealthBook({ now: () => t }) };
    live.limits.sync(pool.all());
    live.health.sync(pool.all(), pool.all().map(() => ""));
    const s = stats.snapshot(pool, 0, live);
    expect(s.totals).toEqual({ rps: 1.5, requests: 3, inflight: 0, statusClasses: { "2xx": 2, "5xx": 1 } });
    const [a, b, c] = s.upstreams;
    expect(a).toMatchObject({ label: "a", position: 1, state: "up", attempts: 3, rps: 1.5, latencyMs: { p50: 80, p95: 80 }, ttftMs: null });
    expect(a!.errorRate).toBeCloseTo(2 / 3);
    expect(a!.errors.timeout).toBeCloseTo(1 / 3);
    expect(b).toMatchObject({ attempts: 1, errorRate: 0, errors: {}, latencyMs: { p50: 120, p95: 120 }, ttftMs: { p50: 30, p95: 30 } });
    expect(c).toMatchObject({ state: "disabled", attempts: 0, errorRate: null });
  });
});
