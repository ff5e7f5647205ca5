import { expect, test } from "bun:test";
import { compileModelRules } from "./models.ts";

test("model rules: exact, globs, mapping, empty serves anything", () => {
  const m = compileModelRules({ models: ["gpt-4o*", "o3"], mapping: { "gpt-3.5": "gpt-3.5-turbo" } });
  expect(m.resolve("gpt-4o-mini")).toBe("gpt-4o-mini");
  expect(m.resolve("o3")).toBe("o3");
  expect(m.resolve("gpt-3.5")).toBe("gpt-3.5-turbo");
  expect(m.resolve("claude-3")).toBeUndefined();
  expect(m.resolve(null)).toBeNull();
  expect(m.advertised().sort()).toEqual(["gpt-3.5", "o3"]);
  expect(compileModelRules({ models: [], mapping: {} }).resolve("anything")).toBe("anything");
});
