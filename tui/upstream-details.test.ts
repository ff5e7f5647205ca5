import { expect, test } from "bun:test";
import { makeUpstream } from "./test/fixtures.ts";
import { upstreamDetails } from "./upstream-rows.ts";

const text = (u: Parameters<typeof upstreamDetails>[0]) => upstreamDetails(u, undefined).map((l) => l.text).join("\n");

test("details show responses: false (translated) and true; unset is not listed", () => {
  expect(text(makeUpstream({ id: 1, responses: false }))).toMatch(/responses\s+false/);
  expect(text(makeUpstream({ id: 2, responses: true }))).toMatch(/responses\s+true/);
  expect(text(makeUpstream({ id: 3 }))).not.toContain("responses");
});
