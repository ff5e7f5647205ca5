// `bun daemon/bench/retention.ts [--rows N] [--seconds S] [--rounds R]`: p99 latency of routed (SQLite)
// at c=50 with and without a retention pass running. Each round copies one database holding a
// backlog of N rows older than 30 days and starts routed on it twice: with `log.retention: off`
// (no pass) and with `retention: 30d` (its first pass starts at start and deletes the backlog in
// batches while wrk runs). Not a test: it prints figures; the bar is p99 within 10 %.
import { Database } from "bun:sqlite";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { logRow } from "../store/contract.test-suite.ts";
import { openSqliteStore } from "../store/sqlite/open.ts";
import { BUN, startServer, type Server } from "./procs.ts";
import { runWrk, type WrkResult } from "./wrk.ts";

const { values: argv } = parseArgs({ options: { rows: { type: "string" }, seconds: { type: "string" }, rounds: { type: "string" } } });
const ROWS = Number(argv.rows ?? 400_000);
const SECONDS = Number(argv.seconds ?? 6);
const ROUNDS = Number(argv.rounds ?? 3);
const KEY = "bench-client-key";
const CHAT = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] });
const dir = mkdtempSync(join(tmpdir(), "route-bench-retention-"));
const servers: Server[] = [];
process.on("exit", () => {
  servers.forEach((s) => s.proc.exitCode === null && s.proc.kill("SIGKILL"));
  rmSync(dir, { recursive: true, force: true });
});
const say = (s: string) => process.stderr.write(`bench: ${s}\n`);

// The backlog: rows 40 days old with ~1 KB of bodies, keyed, written in large batches.
const seed = join(dir, "seed.sqlite");
{
  const store = openSqliteStore(seed);
  const old = Date.now() - 40 * 86_400_000;
  for (let i = 0; i < ROWS; i += 5000) {
    const rows = Array.from({ length: Math.min(5000, ROWS - i) }, (_, j) => ({ ...logRow(`0000${String(i + j).padStart(10, "0")}`, (i + j) % 50), ts: old + i + j, keyId: 1, requestBody: "x".repeat(800) }));
    await store.insertLogs(rows);
  }
  await store.close();
  const db = new Database(seed);
  say(`seed: ${ROWS} old rows, ${(db.query("PRAGMA page_count").get() as { page_count: number }).page_count * 4096} bytes`);
  db.close();
}

const up = await startServer("upstream", [BUN, join(import.meta.dir, "upstream.ts")], {}, /"port":(\d+)/);
servers.push(up);

async function run(retention: string, round: number): Promise<WrkResult & { deleted: string }> {
  const db = join(dir, `r${round}-${retention}.sqlite`);
  copyFileSync(seed, db);
  const file = join(dir, `u-${retention}.yaml`);
  writeFileSync(file, `authorization: ${KEY}\nlog:\n  retention: ${retention}\n  body_retention: off\nupstreams:\n  - name: fake\n    sk: sk-bench\n    endpoint: http://127.0.0.1:${up.port}/v1\n`);
  const env = { BUN_CONFIG_MAX_HTTP_REQUESTS: "65535", BUN_JSC_forceRAMSize: "134217728" };
  const routed = await startServer("routed", [BUN, join(import.meta.dir, "../cli/routed.ts"), "start", "--addr", "127.0.0.1:0", "--db", db, "--upstreams", file, "--socket", join(dir, `s-${round}-${retention}.sock`)], env, /msg=listening addr=[\d.]+:(\d+)/);
  servers.push(routed);
  const r = await runWrk({ url: `http://127.0.0.1:${routed.port}/v1/chat/completions`, connections: 50, seconds: SECONDS, body: CHAT, key: KEY });
  await routed.stop("SIGTERM");
  const pass = /request-log retention pass.*rows_deleted=(\d+)/.exec(routed.output());
  return { ...r, deleted: pass?.[1] ?? "0 (pass not finished)" };
}

const results: Record<string, WrkResult[]> = { off: [], "30d": [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const retention of round % 2 ? ["30d", "off"] : ["off", "30d"]) {
    const r = await run(retention, round);
    results[retention]!.push(r);
    say(`round ${round} retention=${retention}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, errors ${r.errors}, rows deleted ${r.deleted}`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
for (const [k, rs] of Object.entries(results)) {
  console.log(`retention ${k === "off" ? "off (no pass)" : "30d (pass running)"}: median p99 ${median(rs.map((r) => r.p99)).toFixed(2)} ms, p50 ${median(rs.map((r) => r.p50)).toFixed(2)} ms, ${median(rs.map((r) => r.rps)).toFixed(0)} req/s`);
}
process.exit(0);
