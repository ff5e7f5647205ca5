import { expect, test } from "bun:test";
import { timeArg } from "../daemon/cli/ctl/log-filters.ts";
import { parseDurationMs } from "./duration.ts";
import { parseSpanMs } from "./rpc/history-contract.ts";

test("one duration grammar for settings, flags and periods: bare seconds, ms … weeks", () => {
  expect(parseDurationMs(30)).toBe(30_000);
  expect(parseDurationMs("500ms")).toBe(500);
  expect(parseDurationMs("1.5h")).toBe(5_400_000);
  expect(parseDurationMs("2w")).toBe(14 * 86_400_000);
  expect(parseDurationMs("2y")).toBeNull();
  expect(parseSpanMs("2w")).toBe(14 * 86_400_000);
  expect(parseSpanMs("90s")).toBeNull(); // periods: minutes to weeks
  const now = Date.UTC(2026, 10, 30);
  expect(timeArg("2w", now)).toBe(now - 14 * 86_400_000); // routectl logs --since 2w, as keys usage takes it
  expect(timeArg("2026-11-29", now)).toBe(Date.UTC(2026, 10, 29));
  expect(() => timeArg("yesterday", now)).toThrow();
});
