#!/usr/bin/env bun
// Rows/s of Store.insertLogs (the log writer's call) on a scratch SQLite file (its log thread) and,
// given an admin URL, a scratch Postgres database: the cost of the rollup fold (figures in pg/README.md).
//   bun daemon/store/bench-store-insert.ts [postgres-admin-url]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectPg } from "./pg/client.ts";
import { openPgStore } from "./pg/open.ts";
import { openSqliteStore } from "./sqlite/open.ts";
import type { LogRow, Store } from "./types.ts";

const BATCH = 500;
const BATCHES = 60;
const row = (i: number): LogRow => ({
  id: Bun.randomUUIDv7(), ts: Date.now(), clientIp: "10.0.0.1", method: "POST", path: "/v1/chat/completions", model: `gpt-4o-mini-${i % 4}`, stream: true,
  requestBody: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x".repeat(400) }] }), requestBytes: 480, requestTruncated: false,
  upstreamId: 1 + (i % 3), upstreamName: `up-${i % 3}`, upstreamModel: null, plan: ["main", "backup"], attempts: [{ upstreamId: 1, upstream: "main", outcome: "ok", status: 200, ms: 40 }],
  status: i % 50 === 0 ? 502 : 200, ttfbMs: 10, ttftMs: 12 + (i % 200), totalMs: 40 + (i % 900), replyText: "y".repeat(300), toolCalls: null, promptTokens: 100, completionTokens: 80, totalTokens: 180,
  tokensEstimated: false, errorCode: null, errorMessage: null, userAgent: "bench/1", upstreamRequestId: `req_${i}`, bodiesDropped: false, keyId: i % 5,
  keyName: `k${i % 5}`, costMicros: 1234, priceSource: "estimate", cachedTokens: 10, cacheWriteTokens: null, reasoningTokens: null, affinity: false, bodiesOmitted: null, replyTruncated: false,
});

async function bench(label: string, store: Store): Promise<void> {
  for (let round = 0; round < 2; round++) {
    const batches = Array.from({ length: BATCHES }, (_, b) => Array.from({ length: BATCH }, (_, i) => row(b * BATCH + i)));
    const t0 = performance.now();
    for (const b of batches) await store.insertLogs(b);
    const s = (performance.now() - t0) / 1000;
    process.stdout.write(`${label}: ${BATCHES} batches of ${BATCH} in ${s.toFixed(2)} s = ${Math.round((BATCH * BATCHES) / s)} rows/s, ${((s * 1e6) / (BATCH * BATCHES)).toFixed(1)} µs/row\n`);
  }
  await store.close();
}

const dir = mkdtempSync(join(tmpdir(), "route-bench-"));
try {
  await bench("sqlite file", openSqliteStore(join(dir, "bench.sqlite")));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const admin = process.argv[2];
if (admin) {
  const name = `route_bench_${Date.now()}`;
  const a = connectPg(admin, { max: 1 });
  await a.unsafe(`CREATE DATABASE ${name}`);
  try {
    await bench("postgres", await openPgStore(Object.assign(new URL(admin), { pathname: `/${name}` }).toString()));
  } finally {
    await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await a.end();
  }
}
