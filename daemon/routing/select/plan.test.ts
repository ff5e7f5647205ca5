import { describe, expect, test } from "bun:test";
import { seededRandom } from "../../../shared/random.ts";
import { planOrder } from "./plan.ts";
import type { Candidate, StrategyEnv } from "./types.ts";

const c = (id: number, over: Partial<Candidate> = {}): Candidate => ({ id, position: id, priority: 0, weight: 1, inflight: 0, latencyMs: null, ...over });
const env = (seed = 1): StrategyEnv => ({ random: seededRandom(seed), counters: new Map() });
const ids = (cs: Candidate[]) => cs.map((x) => x.id);

describe("strategies", () => {
  test("priority: configured order; higher tiers first; lower tiers only after", () => {
    const cands = [c(1, { priority: 0 }), c(2, { priority: 10 }), c(3, { priority: 10 }), c(4, { priority: 0 })];
    expect(ids(planOrder(cands, "priority", env()))).toEqual([2, 3, 1, 4]);
    expect(ids(planOrder(cands, "priority", env(), 3))).toEqual([2, 3, 1]);
  });

  test("weighted: traffic splits by weight within the top tier, every upstream still in the plan", () => {
    const cands = [c(1, { weight: 1 }), c(2, { weight: 3 }), c(3, { weight: 0, priority: -1 })];
    const e = env(42);
    const first = { 1: 0, 2: 0 } as Record<number, number>;
    for (let i = 0; i < 4000; i++) {
      const plan = planOrder(cands, "weighted", e);
      expect(plan.length).toBe(3);
      expect(plan[2]!.id).toBe(3); // the lower tier comes last
      first[plan[0]!.id]!++;
    }
    expect(first[2]! / 4000).toBeCloseTo(0.75, 1);
  });

  test("round-robin: every upstream gets its turn first, with many upstreams", () => {
    const cands = Array.from({ length: 7 }, (_, i) => c(i + 1));
    const e = env();
    const firsts = Array.from({ length: 14 }, () => planOrder(cands, "round-robin", e)[0]!.id);
    expect(firsts).toEqual([1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7]);
    expect(ids(planOrder(cands, "round-robin", e))).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  test("least-latency: power of two choices prefers the faster, never only the fastest", () => {
    const cands = [c(1, { latencyMs: 100 }), c(2, { latencyMs: 300 }), c(3, { latencyMs: 900 })];
    const e = env(7);
    const first: Record<number, number> = { 1: 0, 2: 0, 3: 0 };
    for (let i = 0; i < 3000; i++) first[planOrder(cands, "least-latency", e)[0]!.id]!++;
    expect(first[3]).toBe(0); // the slowest never wins a pair
    expect(first[1]! > first[2]!).toBe(true);
    expect(first[2]! > 0).toBe(true);
    const plan = planOrder(cands, "least-latency", e);
    expect(new Set(ids(plan)).size).toBe(3);
  });

  test("least-inflight: fewest in flight first, ties by position", () => {
    const cands = [c(1, { inflight: 3 }), c(2, { inflight: 0 }), c(3, { inflight: 0 })];
    expect(ids(planOrder(cands, "least-inflight", env()))).toEqual([2, 3, 1]);
  });
});
