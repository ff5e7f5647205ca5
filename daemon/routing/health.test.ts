import { describe, expect, test } from "bun:test";
import { DEFAULT_HEALTH, UpstreamHealth } from "./health.ts";

function setup() {
  let t = 0;
  const h = new UpstreamHealth(DEFAULT_HEALTH, () => t);
  return { h, advance: (ms: number) => (t += ms) };
}

describe("health breaker", () => {
  test("one error never ejects; 5 failures at ≥50% of the window do", () => {
    const { h } = setup();
    expect(h.record("failure")).toBeNull();
    expect(h.admit()).toBe(true);
    for (let i = 0; i < 6; i++) h.record("ok");
    for (let i = 0; i < 3; i++) expect(h.record("failure")).toBeNull(); // 4 failures of 10
    expect(h.record("failure")).toBeNull(); // 5 of 11: under 50%
    for (let i = 0; i < 1; i++) expect(h.record("failure")).toBe("ejected"); // 6 of 12 = 50%
    expect(h.admit()).toBe(false);
    expect(h.snapshot()).toMatchObject({ state: "cooling", until: 10_000, ejections: 1 });
  });

  test("half-open: one trial after the cooldown decides; repeated ejections cool longer", () => {
    const { h, advance } = setup();
    for (let i = 0; i < 5; i++) h.record("failure");
    advance(10_000);
    expect(h.snapshot().state).toBe("half_open");
    expect(h.admit()).toBe(true); // the trial
    expect(h.admit()).toBe(false); // only one
    expect(h.record("failure")).toBe("ejected");
    expect(h.snapshot()).toMatchObject({ state: "cooling", until: 30_000, ejections: 2 }); // 20 s
    advance(20_000);
    expect(h.admit()).toBe(true);
    expect(h.record("ok")).toBe("restored");
    expect(h.admit()).toBe(true);
    expect(h.snapshot().state).toBe("healthy");
  });

  test("429 with Retry-After cools until then; 401/403 is misconfigured until reset", () => {
    const { h, advance } = setup();
    expect(h.record("rate_limited", { retryAfterMs: 3000 })).toBe("ejected");
    expect(h.available()).toBe(false);
    advance(3000);
    expect(h.available()).toBe(true);
    expect(h.admit()).toBe(true);
    h.record("ok");
    expect(h.record("auth_failed")).toBe("ejected");
    advance(1e9);
    expect(h.admit()).toBe(false);
    expect(h.snapshot().state).toBe("misconfigured");
    h.reset();
    expect(h.admit()).toBe(true);
  });
});
