// logs.subscribe's in-memory filter agrees with logs.query's: here, the client-key filter.
import { describe, expect, test } from "bun:test";
import type { LogRow } from "../../store/types.ts";
import { matches } from "./logs.ts";

const row = (keyName: string | null) => ({ model: "gpt-4o", status: 200, upstreamId: 1, upstreamName: "main", requestBody: "{}", replyText: "hi", keyId: keyName ? 1 : null, keyName }) as LogRow;

describe("logs.subscribe filter", () => {
  test("key: only rows made with that key's name; a shared-key row never matches", () => {
    expect(matches(row("alice"), { key: "alice" })).toBe(true);
    expect(matches(row("bob"), { key: "alice" })).toBe(false);
    expect(matches(row(null), { key: "alice" })).toBe(false);
    expect(matches(row(null), {})).toBe(true);
    expect(matches(row("alice"), { key: "alice", status: "5xx" })).toBe(false);
  });
});
