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

  test("limits added or removed on reload keep the minute's usage", () => {
    const a = setup({});
    for (let i = 0; i < 10; i++) {
      a.l.admit(4)(5); // estimated 4, used 5
      a.advance(100);
    }
    a.l.spec = { rpm: 12 };
    expect(a.l.usage()).toEqual({ rpm: 10, rpd: 10, tpm: 50 });
    a.l.admit(1);
    a.l.admit(1);
    expect(a.l.check()).toMatchObject({ ok: false, which: "rpm" });
    a.l.spec = {};
    expect(a.l.check().ok).toBe(true);
    expect(a.l.usage()).toEqual({ rpm: 12, rpd: 12, tpm: 52 });
  });

  test("a busy minute snapshots per second, small; an older per-admission snapshot still restores", () => {
    const a = setup({ rpm: 100_000, tpm: 10_000_000 });
    for (let i = 0; i < 6000; i++) {
      a.l.admit(2);
      a.advance(5); // 200 admissions a second for 30 s
    }
    const snap = JSON.parse(JSON.stringify(a.l.snapshot()));
    expect(snap.seconds.length).toBeLessThanOrEqual(31);
    expect(JSON.stringify(snap).length).toBeLessThan(2000);
    const b = setup({ rpm: 100_000, tpm: 10_000_000 }, a.now());
    b.l.restore(snap);
    expect(b.l.usage()).toEqual({ rpm: 6000, rpd: 6000, tpm: 12_000 });
    const old = setup({ rpm: 3 }, a.now());
    old.l.restore({ minute: [a.now() - 1000, a.now() - 500], tokens: [[a.now() - 1000, 4], [a.now() - 500, 6]], day: snap.day, dayCount: 2 });
    expect(old.l.usage()).toEqual({ rpm: 2, rpd: 2, tpm: 10 });
  });
});
