import { describe, expect, test } from "bun:test";
import { seededRandom } from "../../shared/random.ts";
import { configFileSchema } from "../config/schema.ts";
import { HttpError } from "../proxy/openai-error.ts";
import { ROUTING_DEFAULTS, type UpstreamRecord } from "../store/types.ts";
import { createPool, type PoolUpstream } from "./pool.ts";
import { createRouter, routingSettings, type Gate, type Planned } from "./router.ts";

const rec = (id: number, over: Partial<UpstreamRecord> = {}): UpstreamRecord => ({
  ...ROUTING_DEFAULTS, id, name: `u${id}`, endpoint: "http://h/v1", sk: "k", timeoutMs: null, streamTimeoutMs: null, enabled: true,
  position: id, source: "runtime", extra: null, createdAt: 0, updatedAt: 0, ...over,
});

function setup(records: UpstreamRecord[], config: Record<string, unknown> = { strategy: "weighted" }) {
  const pool = createPool({ timeoutMs: 1000, streamTimeoutMs: 1000, stallTimeoutMs: 1000 });
  pool.set(records);
  const gates = new Map<number, Gate>();
  const clock = { t: 0 };
  const results: string[] = [];
  const router = createRouter(
    { pool, random: seededRandom(7), gate: (u: PoolUpstream) => gates.get(u.id) ?? { ok: true }, now: () => clock.t, onAffinity: (r) => results.push(r) },
    routingSettings(configFileSchema.parse(config)),
  );
  const plan = (session: string | null, model = "m"): Planned => {
    const p = router.plan(model, null, null, () => session);
    if (p instanceof HttpError) throw p;
    return p;
  };
  const labels = (p: Planned) => p.upstreams.map((u) => u.label);
  /** The plan's first upstream answers the session. */
  const turn = (session: string, model = "m") => {
    const p = plan(session, model);
    router.answered(p.session, p.upstreams[0]!);
    return p;
  };
  return { pool, router, gates, clock, results, plan, labels, turn };
}

describe("router: session affinity", () => {
  test("a session's upstream leads its tier on every later turn; others keep the strategy's order", () => {
    const { plan, labels, turn, results } = setup([rec(1), rec(2), rec(3)]);
    const firsts = new Set<string>();
    for (let s = 0; s < 12; s++) {
      const first = labels(turn(`s${s}`))[0]!;
      firsts.add(first);
      for (let t = 0; t < 5; t++) {
        const p = plan(`s${s}`);
        expect(labels(p)[0]).toBe(first);
        expect(p.upstreams).toHaveLength(3); // failover still reaches everyone
        expect(p.session!.preferred!.label).toBe(first);
      }
    }
    expect(firsts.size).toBeGreaterThan(1); // sessions still spread by weight
    expect(results.filter((r) => r === "miss")).toHaveLength(12);
    expect(results.filter((r) => r === "hit")).toHaveLength(60);
  });

  test("never above a higher tier: the session's upstream leads only its own tier", () => {
    const { plan, labels, router, pool } = setup([rec(1, { priority: 5 }), rec(2), rec(3)]);
    const p = plan("s");
    router.answered(p.session, pool.find("u3")!);
    for (let i = 0; i < 20; i++) expect(labels(plan("s"))).toEqual(["u1", "u3", "u2"]);
  });

  test("its upstream gone from the candidates (cooling, limited): normal routing, and the answer moves the session", () => {
    const { plan, labels, router, pool, gates, results } = setup([rec(1), rec(2), rec(3)]);
    router.answered(plan("s").session, pool.find("u2")!);
    gates.set(2, { ok: false, why: "cooling", retryAfterMs: 1000 });
    const p = plan("s");
    expect(labels(p)).not.toContain("u2");
    expect(p.session!.preferred).toBeNull();
    router.answered(p.session, p.upstreams[0]!);
    gates.delete(2); // back in rotation: the session stays where it moved
    expect(labels(plan("s"))[0]).toBe(p.upstreams[0]!.label);
    expect(results).toEqual(["miss", "miss", "moved", "hit"]);
  });

  test("idle past affinity_ttl: forgotten", () => {
    const { plan, router, pool, clock } = setup([rec(1), rec(2), rec(3)], { strategy: "round-robin", affinity_ttl: "2s" });
    router.answered(plan("s").session, pool.find("u3")!);
    clock.t = 1999;
    expect(plan("s").session!.preferred!.label).toBe("u3");
    clock.t = 2000;
    expect(plan("s").session!.preferred).toBeNull();
    expect(router.sessions()).toBe(0);
  });

  test("off: globally, per model (first matching glob), and for priority; no identity is asked for", () => {
    const asked: string[] = [];
    const check = (config: Record<string, unknown>, model: string, expected: boolean) => {
      const { router } = setup([rec(1), rec(2)], config);
      const p = router.plan(model, null, null, () => (asked.push(model), "id")) as Planned;
      expect(p.session !== null).toBe(expected);
    };
    check({ strategy: "weighted", affinity: "off" }, "m", false);
    check({ strategy: "weighted", affinity_models: { "gpt-4o*": "off", "gpt-*": "on" } }, "gpt-4o-mini", false);
    check({ strategy: "weighted", affinity: "off", affinity_models: { "gpt-*": "on" } }, "gpt-4", true);
    check({ strategy: "priority" }, "m", false);
    check({ strategy: "priority", strategies: { "x*": "least-inflight" } }, "x1", true);
    expect(asked).toEqual(["gpt-4", "x1"]);
  });

  test("no session identity: no affinity, no metric", () => {
    const { plan, results } = setup([rec(1), rec(2)]);
    expect(plan(null).session).toBeNull();
    expect(results).toEqual([]);
  });

  test("the same session on another model is another session", () => {
    const { plan, router, pool } = setup([rec(1), rec(2), rec(3)]);
    router.answered(plan("s", "a").session, pool.find("u2")!);
    expect(plan("s", "b").session!.preferred).toBeNull();
    expect(plan("s", "a").session!.preferred!.label).toBe("u2");
  });

  test("hash_prompt is passed to the identity function from the config", () => {
    const seen: boolean[] = [];
    for (const v of [true, false]) {
      const { router } = setup([rec(1), rec(2)], { strategy: "weighted", affinity_hash_prompt: v });
      router.plan("m", null, null, (hash) => (seen.push(hash), null));
    }
    expect(seen).toEqual([true, false]);
  });

  test("config: on/off only, a positive ttl and bound; defaults 5m and 100000", () => {
    for (const bad of [{ affinity: "yes" }, { affinity_models: { "gpt-*": true } }, { affinity_ttl: 0 }, { affinity_max_sessions: 0 }]) {
      expect(configFileSchema.safeParse(bad).success).toBe(false);
    }
    const a = routingSettings(configFileSchema.parse({})).affinity;
    expect([a.on, a.ttlMs, a.maxSessions, a.hashPrompt]).toEqual([true, 300_000, 100_000, false]);
    expect(routingSettings(configFileSchema.parse({ affinity_ttl: "90s" })).affinity.ttlMs).toBe(90_000);
  });
});
