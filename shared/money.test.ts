import { describe, expect, test } from "bun:test";
import { microsToUsd, usdToMicros } from "./money.ts";

describe("money", () => {
  test("decimal text to micro-dollars, exactly", () => {
    expect(usdToMicros("0.1")).toBe(100_000);
    expect(usdToMicros("12.345678")).toBe(12_345_678);
    expect(usdToMicros("$5")).toBe(5_000_000);
    expect(usdToMicros("0.0000010")).toBe(1);
    expect(usdToMicros(0.3)).toBe(300_000);
    expect(usdToMicros(19.99)).toBe(19_990_000);
    for (const bad of ["-1", "1.2345678", "abc", "", "1e3"]) expect(usdToMicros(bad)).toBeNull();
  });

  test("micro-dollars to text", () => {
    expect(microsToUsd(12_500_000)).toBe("12.50");
    expect(microsToUsd(1)).toBe("0.000001");
    expect(microsToUsd(-250_000)).toBe("-0.25");
    expect(microsToUsd(0)).toBe("0.00");
  });
});
