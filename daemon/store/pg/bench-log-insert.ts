#!/usr/bin/env bun
// Rows/s of the two batched request-log inserts on a scratch database (figures in README.md):
//   bun daemon/store/pg/bench-log-insert.ts [admin-url]   (default postgres://postgres@127.0.0.1:5432/postgres)
import { connectPg } from "./client.ts";
import { unnestInserter, type LogInserter } from "./log-insert.ts";
import { bindLog, logColumnSpecs } from "./log-rows.ts";
import { migratePg } from "./migrate.ts";
import type { LogRow } from "../types.ts";

const admin = process.argv[2] ?? "postgres://postgres@127.0.0.1:5432/postgres";
const name = `route_bench_${Date.now()}`;
const BATCH = 500;
const BATCHES = 60;

const row = (i: number): LogRow => ({
  id: Bun.randomUUIDv7(), ts: Date.now(), clientIp: "10.0.0.1", method: "POST", path: "/v1/chat/completions", model: "gpt-4o-mini", stream: true,
  requestBody: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x".repeat(400) }] }), requestBytes: 480, requestTruncated: false,
  upstreamId: 1, upstreamName: "main", upstreamModel: null, plan: ["main", "backup"], attempts: [{ upstreamId: 1, upstream: "main", outcome: "ok", status: 200, ms: 40 }],
  status: 200, ttfbMs: 10, ttftMs: 12, totalMs: 40, replyText: "y".repeat(300), toolCalls: null, promptTokens: 100, completionTokens: 80, totalTokens: 180,
  tokensEstimated: false, errorCode: null, errorMessage: null, userAgent: "bench/1", upstreamRequestId: `req_${i}`, bodiesDropped: false, keyId: i % 3 === 0 ? 1 : null,
  keyName: i % 3 === 0 ? "k" : null, costMicros: 1234, priceSource: "estimate", cachedTokens: null, cacheWriteTokens: null, reasoningTokens: null, affinity: false, bodiesOmitted: null, replyTruncated: false,
});

/** The alternative measured: rows as VALUES tuples, chunked under PG's 65535-parameter limit. */
function valuesInserter(): LogInserter {
  const specs = logColumnSpecs();
  const head = `INSERT INTO request_logs (${specs.map((c) => `"${c.name}"`).join(", ")}) VALUES `;
  const perChunk = Math.floor(65535 / specs.length);
  const statement = (n: number) =>
    head + Array.from({ length: n }, (_, r) => `(${specs.map((c, i) => `$${r * specs.length + i + 1}::${c.type}`).join(", ")})`).join(", ");
  return async (sql, rows) => {
    await sql.begin(async (tx) => {
      for (let at = 0; at < rows.length; at += perChunk) {
        const chunk = rows.slice(at, at + perChunk);
        await tx.unsafe(statement(chunk.length), chunk.flatMap(bindLog) as never[]);
      }
    });
  };
}

const a = connectPg(admin, { max: 1 });
await a.unsafe(`CREATE DATABASE ${name}`);
const url = Object.assign(new URL(admin), { pathname: `/${name}` }).toString();
try {
  await migratePg(url);
  const sql = connectPg(url);
  await sql`select 1`; // as openPgStore does: the driver learns the array types
  for (const [label, insert] of [["unnest", unnestInserter()], ["values", valuesInserter()], ["unnest", unnestInserter()], ["values", valuesInserter()]] as [string, LogInserter][]) {
    const batches = Array.from({ length: BATCHES }, (_, b) => Array.from({ length: BATCH }, (_, i) => row(b * BATCH + i)));
    const t0 = performance.now();
    for (const b of batches) await insert(sql, b);
    const s = (performance.now() - t0) / 1000;
    process.stdout.write(`${label}: ${BATCHES} batches of ${BATCH} in ${s.toFixed(2)} s = ${Math.round((BATCH * BATCHES) / s)} rows/s\n`);
  }
  await sql.end();
} finally {
  await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await a.end();
}
