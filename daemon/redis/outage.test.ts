// The outage policy alone: a node's share of each limit, and what open and closed mean.
import { describe, expect, test } from "bun:test";
import { outageVerdict, shareOf } from "./outage.ts";

const NOW = Date.UTC(2025, 0, 1, 12, 0, 45); // 15 s before the next minute
const none = { rpm: 0, rpd: 0, tpm: 0, inflight: 0 };

describe("redis_outage", () => {
  test("share: ⌊limit ÷ live nodes⌋, at least 1, 0 stays 0, unlimited stays unlimited", () => {
    expect([shareOf(60, 3), shareOf(10, 3), shareOf(2, 5), shareOf(0, 3), shareOf(null, 3), shareOf(-1, 3), shareOf(7, 0)]).toEqual([20, 3, 1, 0, null, null, 7]);
  });

  test("share: refuses at this node's share, saying which limit and when to retry", () => {
    const l = { rpm: 10, rpd: 100, tpm: 1000, maxInflight: 4 };
    expect(outageVerdict("share", l, { rpm: 4, rpd: 4, tpm: 10, inflight: 1 }, 2, NOW, 5000)).toEqual({ ok: true });
    expect(outageVerdict("share", l, { rpm: 5, rpd: 5, tpm: 10, inflight: 1 }, 2, NOW, 5000)).toEqual({ ok: false, which: "rpm", retryAfterMs: 15_000, closed: false });
    expect(outageVerdict("share", l, { rpm: 1, rpd: 50, tpm: 10, inflight: 1 }, 2, NOW, 5000)).toEqual({ ok: false, which: "rpd", retryAfterMs: 5000, closed: false });
    expect(outageVerdict("share", l, { rpm: 1, rpd: 1, tpm: 500, inflight: 1 }, 2, NOW, 5000)).toMatchObject({ ok: false, which: "tpm" });
    expect(outageVerdict("share", l, { rpm: 1, rpd: 1, tpm: 1, inflight: 2 }, 2, NOW, 5000)).toMatchObject({ ok: false, which: "max_inflight" });
    expect(outageVerdict("share", { rpm: 0, rpd: null, tpm: null }, none, 2, NOW, 5000)).toMatchObject({ ok: false, which: "rpm", retryAfterMs: Infinity });
  });

  test("open: no shared limit holds; closed: every shared decision is refused", () => {
    const used = { rpm: 1000, rpd: 1000, tpm: 1e9, inflight: 1000 };
    expect(outageVerdict("open", { rpm: 1, rpd: 1, tpm: 1, maxInflight: 1 }, used, 1, NOW, 5000)).toEqual({ ok: true });
    expect(outageVerdict("closed", { rpm: 100, rpd: null, tpm: null }, none, 1, NOW, 5000)).toMatchObject({ ok: false, closed: true });
  });
});
