import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LogRow } from "../types.ts";
import { openSqliteStore } from "./open.ts";

// A value in every field that no other field shares, so a column bound in the wrong place shows.
const row = (id: string, n: number): LogRow => ({
  id,
  ts: 1_700_000_000_000 + n,
  clientIp: `10.0.0.${n}`,
  method: "POST",
  path: "/v1/chat/completions",
  model: `model-${n}`,
  stream: true,
  requestBody: `{"model":"model-${n}","say":"é \\"quoted\\" \\n"}`,
  requestBytes: 101 + n,
  requestTruncated: true,
  upstreamId: 7,
  upstreamName: "up-seven",
  upstreamModel: `mapped-${n}`,
  plan: ["up-seven", "backup"],
  attempts: [{ upstreamId: 3, upstream: "backup", outcome: "timeout", ms: 900 }, { upstreamId: 7, upstream: "up-seven", outcome: "ok", status: 200, ms: 41 }],
  status: 201,
  ttfbMs: 11,
  ttftMs: 12,
  totalMs: 13,
  replyText: `reply ${n} 👋`,
  toolCalls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }],
  promptTokens: 21,
  completionTokens: 22,
  totalTokens: 43,
  tokensEstimated: true,
  errorCode: "upstream_reset",
  errorMessage: "upstream connection lost mid-stream",
  userAgent: "agent/1.0",
  upstreamRequestId: `req_${n}`,
  bodiesDropped: n % 2 === 1,
  keyId: n,
  keyName: `key-${n}`,
  costMicros: 1_234_567 + n,
  priceSource: "genai-prices:openai/gpt-4o",
  cachedTokens: 3,
  cacheWriteTokens: 4,
  reasoningTokens: 5,
  affinity: true,
});

describe("request-log rows", () => {
  test("every field comes back as written, on the log thread (file) and in memory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "route-store-"));
    try {
      for (const path of [join(dir, "db.sqlite"), ":memory:"]) {
        const store = openSqliteStore(path);
        const rows = Array.from({ length: 40 }, (_, i) => row(`0190-${path.length}-${i}`, i));
        await store.insertLogs(rows);
        for (const r of [rows[0]!, rows[39]!]) expect(await store.getLog(r.id)).toEqual(r);
        const bare: LogRow = { ...row(`0190-${path.length}-nulls`, 99), clientIp: null, model: null, requestBody: null, upstreamId: null, upstreamName: null, upstreamModel: null, plan: null, ttfbMs: null, ttftMs: null, replyText: null, toolCalls: null, promptTokens: null, completionTokens: null, totalTokens: null, errorCode: null, errorMessage: null, userAgent: null, upstreamRequestId: null, bodiesDropped: false, keyId: null, keyName: null, costMicros: null, priceSource: null, cachedTokens: null, cacheWriteTokens: null, reasoningTokens: null, stream: false, requestTruncated: false, tokensEstimated: false };
        await store.insertLogs([bare]);
        expect(await store.getLog(bare.id)).toEqual(bare);
        expect(await store.countLogs()).toBe(41);
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("logs.query by client key", () => {
  test("only the named key's rows, newest first, with the key's name and cost in the summary", async () => {
    const store = openSqliteStore(":memory:");
    try {
      const rows = [1, 2, 1, 3].map((k, i) => ({ ...row(`0190-key-${i}`, i), keyName: `key-${k}`, costMicros: 100 + i }));
      await store.insertLogs([...rows, { ...row("0190-key-shared", 9), keyId: null, keyName: null }]);
      const found = await store.queryLogs({ key: "key-1", limit: 50 });
      expect(found.map((e) => [e.id, e.keyName, e.costMicros])).toEqual([["0190-key-2", "key-1", 102], ["0190-key-0", "key-1", 100]]);
      expect(await store.queryLogs({ key: "nobody", limit: 50 })).toEqual([]);
      expect((await store.queryLogs({ limit: 50 })).length).toBe(5);
    } finally {
      await store.close();
    }
  });
});
