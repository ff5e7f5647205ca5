import { describe, expect, test } from "bun:test";
import { dayClock, UpstreamLimits } from "./limits.ts";

function setup(spec: ConstructorParameters<typeof UpstreamLimits>[0], start = Date.UTC(2026, 10, 21, 10, 0, 0), tz = "UTC") {
  let t = start;
  const l = new UpstreamLimits(spec, () => t, dayClock(tz));
  return { l, advance: (ms: number) => (t += ms), now: () => t };
}

describe("limits", () => {
  test("RPM is a sliding minute with the right Retry-After", () => {
    const { l, advance } = setup({ rpm: 5 });
    for (let i = 0; i < 5; i++) {
      expect(l.check().ok).toBe(true);
      l.admit(0);
      advance(1000);
    }
    expect(l.check()).toEqual({ ok: false, which: "rpm", retryAfterMs: 55_000 });
    advance(55_000);
    expect(l.check().ok).toBe(true);
  });

  test("RPD resets at midnight in the configured time zone", () => {
    // 15:30 UTC is 23:30 in Shanghai (UTC+8): midnight there is 30 minutes away.
    const { l, advance } = setup({ rpd: 2 }, Date.UTC(2026, 10, 21, 15, 30), "Asia/Shanghai");
    l.admit(0);
    l.admit(0);
    expect(l.check()).toEqual({ ok: false, which: "rpd", retryAfterMs: 30 * 60_000 });
    advance(30 * 60_000);
    expect(l.check().ok).toBe(true);
    expect(l.usage().rpd).toBe(0);
  });

  test("TPM counts estimates at admission, corrected with real usage", () => {
    const { l } = setup({ tpm: 1000 });
    const correct = l.admit(900);
    expect(l.check().ok).toBe(true);
    correct(1200);
    expect(l.check()).toMatchObject({ ok: false, which: "tpm" });
    expect(l.remaining()).toEqual({ rpm: null, rpd: null, tpm: 0 });
  });

  test("snapshots restore the counters (restart)", () => {
    const a = setup({ rpm: 3, rpd: 10 });
    a.l.admit(5);
    a.l.admit(5);
    const snap = JSON.parse(JSON.stringify(a.l.snapshot()));
    const b = setup({ rpm: 3, rpd: 10 }, a.now() + 1000);
    b.l.restore(snap);
    expect(b.l.usage()).toEqual({ rpm: 2, rpd: 2, tpm: 10 });
  });
});
