import { describe, expect, test } from "bun:test";
import type { Store } from "../store/types.ts";
import { createLimitBook, type LimitedUpstream } from "./limit-book.ts";
import { dayClock, UpstreamLimits } from "./limits.ts";

const up = (id: number, over: Partial<LimitedUpstream> = {}): LimitedUpstream => ({ id, label: `u${id}`, rpm: null, rpd: null, tpm: null, ...over });

function memoryStore() {
  const rows = new Map<number, unknown>();
  const store = {
    async loadLimitCounters() {
      return [...rows].map(([upstreamId, snapshot]) => ({ upstreamId, snapshot: JSON.parse(JSON.stringify(snapshot)) }));
    },
    async saveLimitCounters(save: { upstreamId: number; snapshot: unknown }[], deletes: number[]) {
      for (const id of deletes) rows.delete(id);
      for (const r of save) rows.set(r.upstreamId, r.snapshot);
    },
  } as unknown as Store;
  return { store, rows };
}

describe("limit book", () => {
  test("only limited upstreams are refused; every upstream is counted; flush/load round-trips", async () => {
    let t = Date.UTC(2026, 0, 1, 12);
    const book = createLimitBook({ now: () => t });
    book.sync([up(1, { rpm: 2 }), up(2)]);
    for (let i = 0; i < 3; i++) {
      book.admit(up(1, { rpm: 2 }), 0);
      book.admit(up(2), 0);
    }
    expect(book.check(1)).toMatchObject({ ok: false, which: "rpm" });
    expect(book.check(2)).toEqual({ ok: true });
    expect(book.usage(2)).toEqual({ rpm: 3, rpd: 3, tpm: 0 });

    const { store, rows } = memoryStore();
    await book.flush(store);
    expect([...rows.keys()]).toEqual([1, 2]);
    book.sync([up(1, { rpm: 2 })]); // 2 removed: its row goes at the next flush
    await book.flush(store);
    expect([...rows.keys()]).toEqual([1]);

    t += 30_000;
    const restarted = createLimitBook({ now: () => t });
    restarted.sync([up(1, { rpm: 2 })]);
    await restarted.load(store);
    expect(restarted.usage(1)).toMatchObject({ rpm: 3, rpd: 3 });
    expect(restarted.check(1).ok).toBe(false);
  });

  test("reaching the daily limit is reported once; the time zone decides midnight", () => {
    let t = Date.UTC(2026, 0, 1, 15, 59); // 23:59 in Shanghai
    const hits: string[] = [];
    const book = createLimitBook({ now: () => t, timeZone: "Asia/Shanghai", onDailyLimit: (label, rpd) => hits.push(`${label}:${rpd}`) });
    const u = up(1, { rpd: 2 });
    book.sync([u]);
    book.admit(u, 0);
    book.admit(u, 0);
    expect(hits).toEqual(["u1:2"]);
    expect(book.check(1)).toEqual({ ok: false, which: "rpd", retryAfterMs: 60_000 });
    t += 60_000;
    expect(book.check(1).ok).toBe(true);
    book.setTimeZone("UTC"); // 16:00 UTC: the same UTC day as the counts (reset by Shanghai's midnight)
    expect(book.usage(1).rpd).toBe(0);
  });
});

describe("limit counters", () => {
  test("a token correction after the entry left the minute changes nothing; long runs stay exact", () => {
    let t = 0;
    const l = new UpstreamLimits({ tpm: 100_000 }, () => t, dayClock("UTC"));
    const late = l.admit(10);
    t += 60_000;
    late(500);
    expect(l.usage().tpm).toBe(0);
    for (let i = 0; i < 5000; i++) {
      l.admit(1);
      t += 20; // 3000 a minute
    }
    expect(l.usage()).toMatchObject({ rpm: 2999, tpm: 2999 }); // the one admitted exactly a minute ago has left
  });
});
