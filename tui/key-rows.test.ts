import { describe, expect, test } from "bun:test";
import { bar, expiryText, keyStateRole, limitsText, spendShare, spendText } from "./key-rows.ts";
import { makeKey } from "./test/fixtures.ts";

describe("key rows", () => {
  test("states read as the other screens' states: active ok, disabled muted, expired warn, exhausted error", () => {
    expect(["active", "disabled", "expired", "exhausted"].map((s) => keyStateRole(s as never))).toEqual(["ok", "muted", "warn", "error"]);
  });

  test("spend against budget: the share includes what in-flight requests hold; warn past the soft budget or 80%", () => {
    const k = (spent: number, reserved = 0, soft: number | null = null) => makeKey({ id: 1, budgetMicros: 10_000_000, softBudgetMicros: soft, standing: { spentMicros: spent, reservedMicros: reserved } });
    expect(spendShare(k(2_500_000))).toEqual({ share: 0.25, role: "ok" });
    expect(spendShare(k(2_500_000, 6_000_000))).toEqual({ share: 0.85, role: "warn" });
    expect(spendShare(k(3_000_000, 0, 2_000_000))!.role).toBe("warn");
    expect(spendShare(k(12_000_000))).toEqual({ share: 1, role: "error" });
    expect(spendShare(makeKey({ id: 2 }))).toBeNull();
    expect(spendText(k(1))).toBe("$0.000001 / $10.00 (total)");
    expect(spendText(makeKey({ id: 2, standing: { spentMicros: 1_230_000 } }))).toBe("$1.23");
  });

  test("bars, expiry and limits, compactly", () => {
    expect(bar(0, 4, ["#", "."])).toBe("....");
    expect(bar(0.01, 4, ["#", "."])).toBe("#..."); // any spend shows
    expect(bar(1, 4, ["#", "."])).toBe("####");
    const now = Date.UTC(2026, 0, 1);
    expect([null, now - 1, now + 90_000, now + 5 * 3_600_000, now + 3 * 86_400_000 + 1].map((t) => expiryText(t, now))).toEqual(["never", "expired", "in 1m", "in 5h", "in 3d"]);
    expect(limitsText(makeKey({ id: 1, rpm: 60, rpd: 1000, tpm: 200_000, maxInflight: 4 }))).toBe("60rpm 1000rpd 200ktpm 4infl");
    expect(limitsText(makeKey({ id: 1 }))).toBe("-");
  });
});
