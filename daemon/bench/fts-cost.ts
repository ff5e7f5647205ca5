// What the request log's full-text index costs the insert: `bun daemon/bench/fts-cost.ts`.
// 80 batches of 256 realistic rows (log-rows.ts) through Store.insertLogs on a scratch SQLite file
// (its log thread), with the FTS5 triggers and without them; CPU is all threads' per row.
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../store/sqlite/open.ts";
import { rowMaker } from "./log-rows.ts";

const dir = mkdtempSync(join(tmpdir(), "route-fts-cost-"));
const BATCHES = 80;
const BATCH = 256;

async function run(label: string, withIndex: boolean) {
  const file = join(dir, `${label}.sqlite`);
  const store = openSqliteStore(file);
  if (!withIndex) {
    const db = new Database(file);
    for (const t of ["insert", "delete", "update"]) db.exec(`DROP TRIGGER IF EXISTS request_logs_fts_${t}`);
    db.close();
  }
  const make = rowMaker(1);
  const batches = Array.from({ length: BATCHES }, () => Array.from({ length: BATCH }, () => make(Bun.randomUUIDv7(), Date.now())));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (const b of batches) await store.insertLogs(b);
  const s = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  console.log(`${label}: ${Math.round((BATCHES * BATCH) / s)} rows/s, CPU ${((c.user + c.system) / (BATCHES * BATCH)).toFixed(1)} µs/row`);
  await store.close();
}

try {
  for (let i = 1; i <= 2; i++) {
    await run(`with the index, run ${i}`, true);
    await run(`without it, run ${i}`, false);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
