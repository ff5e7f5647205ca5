// The `responses` upstream setting through the pure parts: the config schema, file → record →
// file entry, and the pool's resolved value (null follows the type; Anthropic/Gemini never).
import { describe, expect, test } from "bun:test";
import { Document } from "yaml";
import { parseConfigText } from "../config/load.ts";
import { createPool } from "../routing/pool.ts";
import { fromFile } from "../store/reconcile.ts";
import { ROUTING_DEFAULTS, type UpstreamRecord, type UpstreamType } from "../store/types.ts";
import { entryFor } from "./file.ts";
import { fieldsOf } from "./order.ts";

const one = (extra: string) => parseConfigText("f.yaml", `upstreams:\n  - { name: u, sk: k, endpoint: "http://h/v1"${extra} }\n`).upstreams![0]!;

describe("responses setting", () => {
  test("config: true/false accepted, absent stays unset, anything else refused naming the field", () => {
    expect(fromFile(one(", responses: false"), 0).responses).toBe(false);
    expect(fromFile(one(", responses: true"), 0).responses).toBe(true);
    expect(fromFile(one(""), 0).responses).toBeNull();
    expect(() => one(", responses: maybe")).toThrow(/upstreams\[0\]\.responses: must be true \(it serves the Responses API itself\) or false/);
  });

  test("file → record → file entry keeps it; unset is left out of the entry", () => {
    for (const [extra, line] of [[", responses: false", "responses: false"], [", responses: true", "responses: true"], ["", null]] as const) {
      const rec = fromFile(one(extra), 0);
      const doc = new Document({});
      doc.set("upstreams", [entryFor(doc, fieldsOf({ ...rec, id: 1, createdAt: 0, updatedAt: 0 }))]);
      if (line) expect(String(doc)).toContain(line);
      else expect(String(doc)).not.toContain("responses");
      expect(fromFile(parseConfigText("f.yaml", String(doc)).upstreams![0]!, 0)).toEqual(rec);
    }
  });

  test("the pool resolves it: unset → true for openai/azure; anthropic and gemini never, whatever is set", () => {
    const base = { ...ROUTING_DEFAULTS, name: null, endpoint: "http://h/v1", sk: "k", timeoutMs: null, streamTimeoutMs: null, enabled: true, position: 0, source: "runtime" as const, extra: null, createdAt: 0, updatedAt: 0 };
    const cases: [UpstreamType, boolean | null, boolean][] = [
      ["openai", null, true], ["openai", false, false], ["openai", true, true],
      ["azure", null, true], ["azure", false, false],
      ["anthropic", null, false], ["anthropic", true, false],
      ["gemini", null, false], ["gemini", true, false],
    ];
    const records: UpstreamRecord[] = cases.map(([type, responses], i) => ({ ...base, id: i + 1, type, responses, apiVersion: type === "azure" ? "2024-10-21" : null }));
    const pool = createPool({ timeoutMs: 60_000, streamTimeoutMs: 5_000, stallTimeoutMs: 60_000 });
    pool.set(records);
    expect(pool.all().map((u) => u.responses)).toEqual(cases.map(([, , want]) => want));
  });
});
