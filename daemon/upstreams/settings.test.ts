// Per-upstream routing settings end to end through the pure parts: file → record → file entry,
// the pool's compiled view (URL, auth, matcher) and api-together fields interpreted from `extra`.
import { describe, expect, test } from "bun:test";
import { Document } from "yaml";
import { parseConfigText } from "../config/load.ts";
import { createPool } from "../routing/pool.ts";
import { fromFile } from "../store/reconcile.ts";
import { ROUTING_DEFAULTS, type UpstreamRecord } from "../store/types.ts";
import { entryFor } from "./file.ts";
import { fieldsOf } from "./order.ts";

const YAML = `
upstreams:
  - name: az
    type: azure
    api_version: 2024-06-01
    sk: azure-key-1234
    endpoint: https://res.openai.azure.com
    stream_timeout: auto
    stall_timeout: 20s
    models: [gpt-4o, "gpt-4o-mini*"]
    model_mapping: { gpt-4: gpt4-deployment }
    weight: 3
    priority: 10
    rpm: 60
    rpd: -1
    tpm: 100000
    max_inflight: 8
    headers: { X-Team: research }
`;

const record = (r: Omit<UpstreamRecord, "id" | "createdAt" | "updatedAt">, id = 1): UpstreamRecord => ({ ...r, id, createdAt: 0, updatedAt: 0 });
const defaults = { timeoutMs: 60_000, streamTimeoutMs: 5_000, stallTimeoutMs: 60_000 };

describe("upstream settings", () => {
  test("file → record → file entry round trip keeps every setting", () => {
    const u = parseConfigText("f.yaml", YAML).upstreams![0]!;
    const rec = fromFile(u, 0);
    expect(rec).toMatchObject({
      type: "azure", apiVersion: "2024-06-01", streamTimeoutAuto: true, streamTimeoutMs: null, stallTimeoutMs: 20_000,
      models: ["gpt-4o", "gpt-4o-mini*"], modelMapping: { "gpt-4": "gpt4-deployment" }, weight: 3, priority: 10,
      rpm: 60, rpd: -1, tpm: 100000, maxInflight: 8, headers: { "X-Team": "research" },
    });
    const doc = new Document({});
    doc.set("upstreams", [entryFor(doc, fieldsOf(record(rec)))]);
    const again = parseConfigText("f.yaml", String(doc)).upstreams![0]!;
    expect(fromFile(again, 0)).toEqual(rec);
    expect(String(doc)).toContain("stream_timeout: auto");
  });

  test("bad values are refused with the field named", () => {
    expect(() => parseConfigText("f.yaml", "upstreams: [{sk: k, endpoint: http://h/v1, rpm: -2}]")).toThrow("upstreams[0].rpm");
    expect(() => parseConfigText("f.yaml", "upstreams: [{sk: k, endpoint: http://h/v1, type: bedrock}]")).toThrow("upstreams[0].type");
    expect(() => parseConfigText("f.yaml", "upstreams: [{sk: k, endpoint: http://h/v1, headers: {Host: x}}]")).toThrow("cannot be overridden");
  });

  test("azure: deployment URL from the mapped model, api-version query, api-key header", () => {
    const rec = fromFile(parseConfigText("f.yaml", YAML).upstreams![0]!, 0);
    const pool = createPool(defaults);
    pool.set([record(rec)]);
    const up = pool.all()[0]!;
    expect(up.target.url("/v1/chat/completions", "", "gpt4-deployment")).toBe(
      "https://res.openai.azure.com/openai/deployments/gpt4-deployment/chat/completions?api-version=2024-06-01",
    );
    expect(up.target.url("/v1/models", "?x=1", null)).toBe("https://res.openai.azure.com/openai/models?x=1&api-version=2024-06-01");
    expect(up.target.auth).toEqual(["api-key", "azure-key-1234"]);
    expect(up.target.headers).toEqual([["X-Team", "research"]]);
    expect(up.effectiveStallTimeoutMs).toBe(20_000);
    expect(up.matcher.resolve("gpt-4")).toBe("gpt4-deployment");
    expect(up.matcher.resolve("gpt-4o-mini-2024")).toBe("gpt-4o-mini-2024");
    expect(up.matcher.resolve("claude")).toBeUndefined();
  });

  test("api-together fields kept in extra by an older import count as settings", () => {
    const pool = createPool(defaults);
    const base = { ...ROUTING_DEFAULTS, name: "a", endpoint: "http://h/v1", sk: "k", timeoutMs: null, streamTimeoutMs: null, enabled: true, position: 0, source: "runtime" as const };
    pool.set([record({ ...base, extra: { rpm: 60, rpd: 1000, models: ["gpt-4"], modelMapping: { "gpt-3.5": "gpt-3.5-turbo" } } })]);
    const up = pool.all()[0]!;
    expect([up.rpm, up.rpd]).toEqual([60, 1000]);
    expect(up.matcher.resolve("gpt-3.5")).toBe("gpt-3.5-turbo");
    expect(up.matcher.resolve("gpt-5")).toBeUndefined();
  });
});
