import { describe, expect, test } from "bun:test";
import { RpcError } from "../shared/rpc/errors.ts";
import { errorsFromDaemon, initialValues, parseExpires, validate } from "./key-form.ts";
import { makeKey } from "./test/fixtures.ts";

const values = (v: Partial<ReturnType<typeof initialValues>>) => ({ ...initialValues(), ...v });
const NOW = Date.UTC(2026, 10, 1);

describe("key form", () => {
  test("money is USD text converted exactly; invalid amounts and limits are refused before sending", () => {
    const bad = validate(values({ name: "app", budget: "1.2345678", softBudget: "ten", rpm: "-1", maxInflight: "0", window: "year", expires: "someday" })).errors;
    expect(Object.keys(bad).sort()).toEqual(["budget", "expires", "maxInflight", "rpm", "softBudget", "window"]);
    expect(bad.budget).toContain("an amount in USD");
    expect(validate(values({})).errors).toEqual({ name: "required" });
  });

  test("add: the params routed takes, empty fields left out", () => {
    const v = values({ name: "app", budget: "$0.10", window: "Day", softBudget: "0.05", models: "gpt-4o*, o3", rpm: "60", tpm: "10000", maxInflight: "4", expires: "30d", allowIps: "10.0.0.0/8", note: " ci " });
    expect(validate(v, undefined, NOW).submit).toEqual({
      kind: "add",
      params: { name: "app", budgetMicros: 100_000, budgetWindow: "day", softBudgetMicros: 50_000, models: ["gpt-4o*", "o3"], rpm: 60, tpm: 10_000, maxInflight: 4, expiresAt: NOW + 30 * 86_400_000, allowIps: ["10.0.0.0/8"], note: "ci" },
    });
  });

  test("edit: prefilled from the key; only what changed is sent, cleared fields as null", () => {
    const k = makeKey({ id: 3, name: "app", budgetMicros: 5_000_000, budgetWindow: "month", rpm: 10, expiresAt: NOW + 1000, models: ["gpt-4o*"] });
    const v = initialValues(k);
    expect(v).toMatchObject({ budget: "5.00", window: "month", rpm: "10", models: "gpt-4o*", expires: new Date(NOW + 1000).toISOString() });
    expect(validate(v, k).errors).toEqual({ form: "nothing changed" });
    expect(validate({ ...v, budget: "7.5", rpm: "" }, k).submit).toEqual({ kind: "update", params: { key: 3, patch: { budgetMicros: 7_500_000, rpm: null } } });
  });

  test("expiry: a duration from now or a date", () => {
    expect(parseExpires("12h", NOW)).toBe(NOW + 12 * 3_600_000);
    expect(parseExpires("2027-01-31", NOW)).toBe(Date.UTC(2027, 0, 31));
    expect(parseExpires("0d", NOW)).toBeNull();
    expect(parseExpires("soon", NOW)).toBeNull();
  });

  test("routed's refusals go under their field", () => {
    expect(errorsFromDaemon(new RpcError("duplicate_name", "a key named app exists"))).toEqual({ name: "a key named app exists" });
    expect(errorsFromDaemon(new RpcError("invalid_params", "x", { problems: ["patch.models.0: too long", "other: no"] }))).toEqual({ models: "too long", form: "other: no" });
  });
});
