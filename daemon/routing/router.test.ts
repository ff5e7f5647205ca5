import { describe, expect, test } from "bun:test";
import { seededRandom } from "../../shared/random.ts";
import { configFileSchema } from "../config/schema.ts";
import { HttpError } from "../proxy/openai-error.ts";
import { ROUTING_DEFAULTS, type UpstreamRecord } from "../store/types.ts";
import { createPool, type PoolUpstream } from "./pool.ts";
import { createRouter, routingSettings, type Gate } from "./router.ts";

const rec = (id: number, over: Partial<UpstreamRecord> = {}): UpstreamRecord => ({
  ...ROUTING_DEFAULTS, id, name: `u${id}`, endpoint: "http://h/v1", sk: "k", timeoutMs: null, streamTimeoutMs: null, enabled: true,
  position: id, source: "runtime", extra: null, createdAt: 0, updatedAt: 0, ...over,
});

function setup(records: UpstreamRecord[], config: Record<string, unknown> = {}, gates: Record<number, Gate> = {}) {
  const pool = createPool({ timeoutMs: 1000, streamTimeoutMs: 1000, stallTimeoutMs: 1000 });
  pool.set(records);
  const router = createRouter({ pool, random: seededRandom(1), gate: (u: PoolUpstream) => gates[u.id] ?? { ok: true } }, routingSettings(configFileSchema.parse(config)));
  const labels = (model: string | null) => {
    const p = router.plan(model, null);
    if (p instanceof HttpError) throw p;
    return p.upstreams.map((u) => u.label);
  };
  return { pool, router, labels };
}

describe("router", () => {
  test("candidates serve the model; mapped names per upstream; priority tiers first", () => {
    const { router, labels } = setup([rec(1, { models: ["gpt-*"] }), rec(2, { priority: 5, modelMapping: { "gpt-4": "g4" } }), rec(3, { models: ["claude"] })]);
    expect(labels("gpt-4")).toEqual(["u2", "u1"]);
    const p = router.plan("gpt-4", null) as { models: (string | null)[] };
    expect(p.models).toEqual(["g4", null]);
    expect(labels(null)).toEqual(["u2", "u1", "u3"]); // no model (files, …): everyone
  });

  test("none serves the model: 404 listing available; all rate-limited: 429 with the soonest Retry-After", () => {
    const { router } = setup([rec(1, { models: ["a"] }), rec(2, { models: ["b"] })], {}, { 1: { ok: false, why: "limited", retryAfterMs: 2500 } });
    const e = router.plan("zzz", null) as HttpError;
    expect([e.status, e.code]).toEqual([404, "model_not_found"]);
    expect(e.message).toContain("available: a, b");
    const l = router.plan("a", null) as HttpError;
    expect([l.status, l.code, l.headers]).toEqual([429, "rate_limit_exceeded", { "retry-after": "3" }]);
  });

  test("every candidate cooling: the one whose cooldown ends first is tried", () => {
    const { labels } = setup([rec(1), rec(2)], {}, { 1: { ok: false, why: "cooling", retryAfterMs: 9000 }, 2: { ok: false, why: "cooling", retryAfterMs: 1000 } });
    expect(labels("m")).toEqual(["u2"]);
  });

  test("every candidate cooling with when_all_cooling: reject → 503 + Retry-After; only misconfigured → 503; pinned ignores health", () => {
    const cooling = { 1: { ok: false, why: "cooling", retryAfterMs: 9000 }, 2: { ok: false, why: "misconfigured", retryAfterMs: Infinity } } as const;
    const { router, pool } = setup([rec(1), rec(2)], { when_all_cooling: "reject" }, cooling);
    const e = router.plan("m", null) as HttpError;
    expect([e.status, e.code, e.headers]).toEqual([503, "no_upstream", { "retry-after": "9" }]);
    const only = setup([rec(2)], {}, cooling).router.plan("m", null) as HttpError;
    expect([only.status, only.code]).toEqual([503, "no_upstream"]);
    expect(only.message).toContain("misconfigured");
    const pinned = router.plan("m", pool.find("u2")!) as { upstreams: PoolUpstream[]; forced: boolean };
    expect([pinned.upstreams.map((u) => u.id), pinned.forced]).toEqual([[2], true]);
  });

  test("per-model strategies: first matching glob wins; max_attempts caps", () => {
    const { labels } = setup([rec(1), rec(2), rec(3)], { strategies: { "gpt-4o*": "round-robin" }, max_attempts: 2 });
    expect([labels("gpt-4o"), labels("gpt-4o"), labels("gpt-4o")]).toEqual([["u1", "u2"], ["u2", "u3"], ["u3", "u1"]]);
    expect(labels("o1")).toEqual(["u1", "u2"]);
  });

  test("pinned: that upstream only; disabled refused", () => {
    const { pool, router } = setup([rec(1), rec(2, { enabled: false })]);
    expect((router.plan("m", pool.find("u1")!) as { upstreams: PoolUpstream[] }).upstreams.map((u) => u.id)).toEqual([1]);
    expect((router.plan("m", pool.find("2")!) as HttpError).code).toBe("no_upstream");
  });
});
