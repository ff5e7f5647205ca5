#!/usr/bin/env bun
// Log search at scale: fills a SQLite database with N realistic rows (log-rows.ts) through the
// store's own INSERT and FTS triggers, then times logs.query searches through the Store: a word in
// a few replies and a common word, cold (a freshly opened store) and warm, with and without
// filters; p50 and max in ms. Then the same on Postgres (fewer rows by default: its GIN index
// makes the fill slow). Also the insert rate in 256-row batches (the log thread's) with and
// without the FTS index. Not a test: nothing here asserts a time.
//   bun daemon/bench/search.ts [--rows 1000000] [--pg-rows 100000] [--pg-url postgres://…] [--keep]
//   npm run bench -- --only search
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { getTableColumns } from "drizzle-orm";
import { LOG_COLUMNS, logBinder } from "../store/log-columns.ts";
import { openStore } from "../store/open.ts";
import * as schema from "../store/sqlite/schema.ts";
import { applyLogSearch, FTS_TABLE } from "../store/sqlite/log-search.ts";
import { migrateEmbedded } from "../store/sqlite/migrate.ts";
import { drizzle } from "drizzle-orm/bun-sqlite";
import type { LogQuery, LogRow, Store } from "../store/types.ts";
import { benchDatabase } from "./pg-db.ts";
import { rowMaker } from "./log-rows.ts";

const { values: argv } = parseArgs({ options: { rows: { type: "string" }, "pg-rows": { type: "string" }, "pg-url": { type: "string" }, only: { type: "string" } }, strict: false });
const ROWS = Number(argv.rows ?? 1_000_000);
const PG_ROWS = Number(argv["pg-rows"] ?? 100_000);
const PG_URL = (argv["pg-url"] as string | undefined) ?? "postgres://postgres@127.0.0.1:5432/postgres";
const RARE = "zanzibarite"; // in the replies of RARE_ROWS rows spread over the table
const RARE_ROWS = 5;
const DAY = 86_400_000;
const log = (s: string) => process.stderr.write(`search bench: ${s}\n`);
const lines: string[] = [];
const say = (s: string) => (lines.push(s), process.stdout.write(`${s}\n`));

/** Rows spread over 30 days up to now, ids UUIDv7 of their time, RARE in a few replies. */
function* batches(n: number, size: number): Generator<LogRow[]> {
  const make = rowMaker(42);
  const start = Date.now() - 30 * DAY;
  const step = (30 * DAY) / n;
  const rareAt = new Set(Array.from({ length: RARE_ROWS }, (_, i) => Math.floor(((i + 0.5) * n) / RARE_ROWS)));
  for (let at = 0; at < n; at += size) {
    yield Array.from({ length: Math.min(size, n - at) }, (_, j) => {
      const i = at + j;
      const ts = Math.floor(start + i * step);
      return make(Bun.randomUUIDv7("hex", ts), ts, rareAt.has(i) ? ` The ${RARE} sample is ready.` : "");
    });
  }
}

function sqliteInsert(db: Database) {
  const cols = getTableColumns(schema.requestLogs);
  const names = LOG_COLUMNS.map((k) => `"${cols[k].name}"`);
  const stmt = db.prepare(`INSERT INTO request_logs (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")}) ON CONFLICT ("id") DO NOTHING`);
  const bind = logBinder((b) => (b ? 1 : 0));
  return db.transaction((rows: LogRow[]) => {
    for (const r of rows) stmt.run(...(bind(r) as never[]));
  });
}

function freshSqlite(path: string, fts: boolean): Database {
  const db = new Database(path, { create: true, strict: true });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  migrateEmbedded(drizzle({ client: db }));
  if (fts) applyLogSearch(db);
  return db;
}

/** Rows/s of 256-row transactions (the log thread's batch), only the inserts timed. */
function insertRate(dir: string, fts: boolean, n: number): number {
  const db = freshSqlite(join(dir, `rate-${fts}-${Date.now()}.sqlite`), fts);
  const insert = sqliteInsert(db);
  let ms = 0;
  for (const b of batches(n, 256)) {
    const t0 = performance.now();
    insert(b);
    ms += performance.now() - t0;
  }
  db.close();
  return Math.round(n / (ms / 1000));
}

const QUERIES: [string, Omit<LogQuery, "limit">][] = [
  [`rare word ("${RARE}", ${RARE_ROWS} rows)`, { search: RARE }],
  ['common word ("the")', { search: "the" }],
  ["two words (database timeout)", { search: "database timeout" }],
  ["rare word + status 2xx + upstream", { search: RARE, status: "2xx", upstream: "openai-main" }],
  ["common word + status 5xx", { search: "the", status: "5xx" }],
  ["common word + last 2 days + min latency 2 s", { search: "the", since: Date.now() - 2 * DAY, minLatencyMs: 2000 }],
  ["common word, 20 pages in turn (cursor)", { search: "the" }],
];

async function timeQueries(open: () => Promise<Store>, label: string): Promise<void> {
  say(`\n| ${label} | found | cold ms | warm p50 ms | warm max ms |\n|---|--:|--:|--:|--:|`);
  for (const [name, q] of QUERIES) {
    const store = await open(); // cold: a new connection, no prepared statements, nothing in its page cache
    const paged = name.includes("20 pages");
    const run = async () => {
      let before: string | undefined;
      let rows: unknown[] = [];
      for (let p = 0; p < (paged ? 20 : 1); p++) {
        rows = await store.queryLogs({ ...q, before, limit: 50 });
        before = (rows.at(-1) as { id: string } | undefined)?.id;
      }
      return rows.length;
    };
    let t0 = performance.now();
    const found = await run();
    const cold = performance.now() - t0;
    const warm: number[] = [];
    for (let i = 0; i < 15; i++) {
      t0 = performance.now();
      await run();
      warm.push(performance.now() - t0);
    }
    await store.close();
    warm.sort((a, b) => a - b);
    say(`| ${name} | ${found} | ${cold.toFixed(1)} | ${warm[7]!.toFixed(1)} | ${warm.at(-1)!.toFixed(1)} |`);
  }
}

async function sqliteBench(dir: string): Promise<void> {
  const path = join(dir, "search.sqlite");
  const db = freshSqlite(path, true);
  const insert = sqliteInsert(db);
  const t0 = performance.now();
  for (const b of batches(ROWS, 10_000)) insert(b);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const fillS = (performance.now() - t0) / 1000;
  const size = (name: string) => (db.query("SELECT coalesce(sum(pgsize), 0) AS n FROM dbstat WHERE name LIKE ?").get(name) as { n: number }).n / 1e6;
  say(`SQLite: ${ROWS} rows filled in ${fillS.toFixed(0)} s (${Math.round(ROWS / fillS)} rows/s, FTS triggers on, 10k-row transactions); file ${(statSync(path).size / 1e6).toFixed(0)} MB, of which FTS index ${size(`${FTS_TABLE}%`).toFixed(0)} MB`);
  db.close();
  await timeQueries(() => openStore(path), `SQLite, ${ROWS} rows, limit 50`);
}

/** Rows/s of the store's insert (unnest, 500-row batches) on a fresh database, with or without the search index. */
async function pgInsertRate(withIndex: boolean, n: number): Promise<number> {
  const bench = await benchDatabase(PG_URL);
  try {
    const store = await openStore(bench.url);
    if (!withIndex) await bench.exec("DROP INDEX request_logs_search");
    let ms = 0;
    for (const b of batches(n, 500)) {
      const t0 = performance.now();
      await store.insertLogs(b);
      ms += performance.now() - t0;
    }
    await store.close();
    return Math.round(n / (ms / 1000));
  } finally {
    await bench.drop();
  }
}

async function pgBench(): Promise<void> {
  const n = Math.min(30_000, PG_ROWS);
  const rates = [await pgInsertRate(false, n), await pgInsertRate(true, n), await pgInsertRate(false, n), await pgInsertRate(true, n)];
  say(`\nPostgres insert (the store's unnest, 500-row batches), ${n} rows: without the search index ${rates[0]} / ${rates[2]} rows/s, with it ${rates[1]} / ${rates[3]} rows/s (two runs each)`);
  const bench = await benchDatabase(PG_URL);
  try {
    const store = await openStore(bench.url);
    const t0 = performance.now();
    for (const b of batches(PG_ROWS, 2_000)) await store.insertLogs(b);
    const fillS = (performance.now() - t0) / 1000;
    await store.close();
    await bench.exec("ANALYZE request_logs"); // as autovacuum would soon after: the planner needs the table's statistics
    say(`Postgres: ${PG_ROWS} rows filled in ${fillS.toFixed(0)} s (${Math.round(PG_ROWS / fillS)} rows/s, GIN index on, 2k-row unnest batches)`);
    await timeQueries(() => openStore(bench.url), `Postgres, ${PG_ROWS} rows, limit 50`);
  } finally {
    await bench.drop();
  }
}

export async function runSearchBench(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "route-search-bench-"));
  try {
    const n = Math.min(50_000, ROWS);
    const rates = [insertRate(dir, false, n), insertRate(dir, true, n), insertRate(dir, false, n), insertRate(dir, true, n)];
    say(`SQLite insert, 256-row transactions, ${n} rows: without FTS ${rates[0]} / ${rates[2]} rows/s, with FTS ${rates[1]} / ${rates[3]} rows/s (two runs each)`);
    await sqliteBench(dir);
    if (PG_ROWS > 0) await pgBench().catch((e) => log(`Postgres skipped (${PG_URL}): ${e.message}`));
    return lines.join("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await runSearchBench();
