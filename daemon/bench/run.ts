// `npm run bench [-- --quick] [--only c1,c50,stream,ttft,streams,sustain | --only search] [--out file.md]`
// Runs direct / bare proxy / routed side by side against the fast fake upstream, alternating
// targets round by round, and prints one table of medians. Not a test: `npm test` times nothing.
// Non-stream scenarios add "lean": the least a gateway that logs every request can do
// (lean-proxy.ts), a floor for what recording every request costs on the machine at hand.
import { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BUN, childFdLimit, cpuMicros, openFds, peakRss, rss, startServer, withFdLimit, type Server } from "./procs.ts";
import { renderReport, type Results, type Row } from "./report.ts";
import { requireWrk, runWrk, type WrkResult } from "./wrk.ts";
import { benchDatabase } from "./pg-db.ts";

const { values: argv } = parseArgs({ options: { quick: { type: "boolean" }, only: { type: "string" }, out: { type: "string" } } });
const quick = Boolean(argv.quick);
const P = quick
  ? { rounds: 1, seconds: 2, warm: 1, probes: 50, streams: 1000, sustainS: 5 }
  : { rounds: 5, seconds: 8, warm: 3, probes: 300, streams: 10_000, sustainS: 60 };
const only = argv.only ? new Set(argv.only.split(",")) : null;
const enabled = (s: string) => !only || only.has(s);
const out = argv.out ?? (quick || only ? null : join(import.meta.dir, "results.md"));
if (argv.only === "search") {
  // Log search needs no servers (search.ts): a database filled with rows, then timed queries.
  await (await import("./search.ts")).runSearchBench();
  process.exit(0);
}
requireWrk();

const DIARY_MARKER = "<!-- diary: everything from here on is kept by npm run bench -->";
const KEY = "bench-client-key";
const CHAT = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] });
const STREAM = JSON.stringify({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "Hello" }] });
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

const dir = mkdtempSync(join(tmpdir(), "route-bench-"));
const servers: Server[] = [];
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
const cleanup = () => servers.forEach((s) => s.proc.exitCode === null && s.proc.kill("SIGKILL"));
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));

const up = await startServer("upstream", [BUN, join(import.meta.dir, "upstream.ts")], {}, /"port":(\d+)/);
servers.push(up);
const origin = `http://127.0.0.1:${up.port}`;
// Bun reads its fetch concurrency cap (256 by default) only from the environment at start.
const bare = await startServer("bare", [BUN, join(import.meta.dir, "bare-proxy.ts")], { UPSTREAM: origin, BUN_CONFIG_MAX_HTTP_REQUESTS: "65535" }, /"port":(\d+)/);
servers.push(bare);
// As deployed: the npm start script and the systemd unit both raise Bun's fetch cap and size the
// JS heap's growth as on a 128 MB machine. The lean floor runs the same way.
const DEPLOYED_ENV = { BUN_CONFIG_MAX_HTTP_REQUESTS: "65535", BUN_JSC_forceRAMSize: "134217728" };
const leanEnv = { ...DEPLOYED_ENV, UPSTREAM: origin, CLIENT_KEY: KEY, DB: join(dir, "lean.sqlite") };
const lean = await startServer("lean", [BUN, join(import.meta.dir, "lean-proxy.ts")], leanEnv, /"port":(\d+)/);
servers.push(lean);
const db = join(dir, "route.sqlite");
writeFileSync(join(dir, "upstreams.yaml"), `authorization: ${KEY}\nupstreams:\n  - name: fake\n    sk: sk-bench-upstream\n    endpoint: ${origin}/v1\n`);
const routedEnv: Record<string, string> = { ...DEPLOYED_ENV };
// Experiments: ROUTED_ENV="NAME=value …" adds to (or overrides) routed's environment for this run.
for (const kv of (process.env.ROUTED_ENV ?? "").split(/\s+/).filter(Boolean)) routedEnv[kv.slice(0, kv.indexOf("="))] = kv.slice(kv.indexOf("=") + 1);
const routedCmd = [BUN, join(import.meta.dir, "../cli/routed.ts"), "start", "--addr", "127.0.0.1:0", "--db", db, "--upstreams", join(dir, "upstreams.yaml"), "--socket", join(dir, "routed.sock")];
const routed = await startServer("routed", routedCmd, routedEnv, /msg=listening addr=[\d.]+:(\d+)/);
servers.push(routed);

// The same routed on a PostgreSQL store (a fresh database per run), when Postgres answers:
// ROUTE_BENCH_PG is an admin URL (default the local trust-auth server); "off" skips it.
const pgAdmin = process.env.ROUTE_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";
const pgBench = pgAdmin === "off" ? null : await benchDatabase(pgAdmin).catch((err) => (log(`no Postgres row: ${(err as Error).message}`), null));
const routedPg = pgBench
  ? await startServer("routed-pg", [...routedCmd.slice(0, routedCmd.indexOf("--db")), "--db", pgBench.url, "--upstreams", join(dir, "upstreams.yaml"), "--socket", join(dir, "routed-pg.sock"), "--spool-dir", join(dir, "spool-pg")], routedEnv, /msg=listening addr=[\d.]+:(\d+)/)
  : null;
if (routedPg) servers.push(routedPg);

interface Target {
  name: "direct" | "bare" | "routed" | "lean" | "routed-pg";
  base: string;
  pid: number | null; // the proxy process whose memory counts
}
const targets: Target[] = [
  { name: "direct", base: origin, pid: null },
  { name: "bare", base: `http://127.0.0.1:${bare.port}`, pid: bare.pid },
  { name: "routed", base: `http://127.0.0.1:${routed.port}`, pid: routed.pid },
];
const leanTarget: Target = { name: "lean", base: `http://127.0.0.1:${lean.port}`, pid: lean.pid };
const pgTargets: Target[] = routedPg ? [{ name: "routed-pg", base: `http://127.0.0.1:${routedPg.port}`, pid: routedPg.pid }] : [];
const chatUrl = (t: Target) => `${t.base}/v1/chat/completions`;
const rows: Row[] = [];
const results: Results = { quick, params: P, rows, runs: {}, checks: {} };

/** One wrk scenario: warm-up, then rounds with the target order flipped every round. */
async function load(id: string, label: string, connections: number, body: string, extra: Target[] = []) {
  const all = [...targets, ...extra];
  const wrk = (t: Target, seconds: number) => runWrk({ url: chatUrl(t), connections, seconds, body, key: KEY });
  for (const t of all) await wrk(t, P.warm);
  const runs = new Map<Target, WrkResult[]>(all.map((t) => [t, []]));
  const peaks = new Map<Target, number>(all.map((t) => [t, 0]));
  // CPU per request: the proxy's utime+stime (all its threads) over the round ÷ requests served.
  const cpu = new Map<Target, number[]>(all.map((t) => [t, []]));
  for (let r = 0; r < P.rounds; r++) {
    for (const t of r % 2 ? [...all].reverse() : all) {
      const cpu0 = t.pid ? cpuMicros(t.pid) : 0;
      const { result, peaks: [peak] } = await peakRss(t.pid ? [t.pid] : [], () => wrk(t, P.seconds));
      if (t.pid && result.requests > 0) cpu.get(t)!.push((cpuMicros(t.pid) - cpu0) / result.requests);
      runs.get(t)!.push(result);
      peaks.set(t, Math.max(peaks.get(t)!, peak ?? 0));
      log(`${id} round ${r + 1} ${t.name}: ${Math.round(result.rps)} req/s ${t.pid ? `${cpu.get(t)!.at(-1)?.toFixed(1)} CPU µs/req ` : ""}p50 ${result.p50.toFixed(3)} ms p99 ${result.p99.toFixed(3)} ms errors ${result.errors}`);
    }
  }
  results.runs[id] = Object.fromEntries([...runs].map(([t, rs]) => [t.name, rs]));
  // Ratios and added latency pair each round's runs (seconds apart), so a noisy neighbour slowing
  // one round shifts every target of that round alike; the medians are taken over those pairs.
  const [d, b] = [runs.get(targets[0]!)!, runs.get(targets[1]!)!];
  for (const t of all) {
    const rs = runs.get(t)!;
    const errors = rs.reduce((s, r) => s + r.errors, 0);
    rows.push({
      scenario: label,
      target: t.name,
      rps: median(rs.map((x) => x.rps)),
      vsBare: median(rs.map((x, r) => x.rps / b[r]!.rps)),
      p50: median(rs.map((x) => x.p50)),
      p99: median(rs.map((x) => x.p99)),
      addDirect: median(rs.map((x, r) => x.p50 - d[r]!.p50)),
      addBare: median(rs.map((x, r) => x.p50 - b[r]!.p50)),
      peakMB: t.pid ? peaks.get(t)! / 2 ** 20 : null,
      cpuUs: cpu.get(t)!.length ? median(cpu.get(t)!) : null,
      note: [t.name === "lean" ? "floor for a gateway that logs every request (lean-proxy.ts)" : "", errors ? `${errors} errors` : ""].filter(Boolean).join("; "),
    });
  }
}

/** Time from sending a stream request to receiving its first content event, in ms. */
async function ttft(t: Target): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(chatUrl(t), { method: "POST", headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" }, body: STREAM });
  const dec = new TextDecoder();
  let text = "";
  let first = -1;
  for await (const chunk of res.body!) {
    if (first >= 0) continue; // drain the rest
    text += dec.decode(chunk as Uint8Array, { stream: true });
    if (text.includes('"content":"w')) first = performance.now() - t0;
  }
  if (res.status !== 200 || first < 0) throw new Error(`${t.name}: stream probe failed (${res.status})`);
  return first;
}

async function ttftProbe() {
  for (const t of targets) for (let i = 0; i < 20; i++) await ttft(t);
  const samples = new Map<Target, number[]>(targets.map((t) => [t, []]));
  for (let i = 0; i < P.probes; i++) for (const t of i % 2 ? [...targets].reverse() : targets) samples.get(t)!.push(await ttft(t));
  results.runs.ttft = Object.fromEntries([...samples].map(([t, s]) => [t.name, { p50: median(s), p99: pct(s, 0.99) }]));
  const [d, b] = [samples.get(targets[0]!)!, samples.get(targets[1]!)!];
  for (const t of targets) {
    const s = samples.get(t)!;
    const added = (base: number[]) => median(s.map((x, i) => x - base[i]!)); // probe i of each target ran back to back
    rows.push({ scenario: "stream TTFT (sequential)", target: t.name, rps: null, vsBare: null, p50: median(s), p99: pct(s, 0.99), addDirect: added(d), addBare: added(b), peakMB: null, cpuUs: null, note: `${P.probes} probes` });
  }
}

/** Holds as many streams open at once as the proxy's open-files limit allows (two sockets each). */
async function openStreams(t: Target, limit: number) {
  const n = Math.min(P.streams, Math.floor((limit - openFds(t.pid!) - 32) / 2));
  const before = rss(t.pid!);
  const client = Bun.spawn(withFdLimit([BUN, join(import.meta.dir, "streams-client.ts"), chatUrl(t), KEY, String(n), "180"]), { stdout: "pipe", stderr: "inherit" });
  const lines = (async function* () {
    let buf = "";
    for await (const c of client.stdout) {
      buf += new TextDecoder().decode(c);
      for (let i; (i = buf.indexOf("\n")) >= 0; buf = buf.slice(i + 1)) yield JSON.parse(buf.slice(0, i));
    }
  })();
  const open = (await lines.next()).value;
  let held = 0;
  for (let i = 0; i < 10; i++) {
    held = Math.max(held, rss(t.pid!)); // the peak over one second with every stream open
    await Bun.sleep(100);
  }
  await fetch(`${origin}/__release`, { method: "POST" });
  const done = (await lines.next()).value ?? { phase: "missing" };
  await client.exited;
  const perStream = open.open > 0 ? (held - before) / open.open : 0;
  results.runs[`streams_${t.name}`] = { n, open, done, rssBefore: before, rssHeld: held };
  rows.push({
    scenario: `open streams (${n.toLocaleString("en")} at once)`,
    target: t.name,
    rps: null, vsBare: null, p50: null, p99: null, addDirect: null, addBare: null,
    peakMB: held / 2 ** 20, cpuUs: null,
    note:
      `held ${open.open}/${n}, completed ${done.complete ?? 0}, failed ${done.failed ?? "?"}; ${(perStream / 1024).toFixed(1)} KB/stream` +
      (n < P.streams ? ` (${P.streams} asked; open-files limit ${limit} allows ${n}: two sockets per stream)` : ""),
  });
  log(`streams ${t.name}: ${JSON.stringify(open)} → ${JSON.stringify(done)}`);
}

const scrape = async (t = targets[2]!) => {
  const text = await (await fetch(`${t.base}/metrics`)).text();
  const sum = (name: string) => text.split("\n").filter((l) => l.startsWith(name + "{") || l.startsWith(name + " ")).reduce((s, l) => s + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
  return { requests: sum("route_requests_total"), written: sum("route_log_rows_written_total"), dropped: sum("route_log_rows_dropped_total"), inflight: sum("route_inflight_requests") };
};

/** Maximum load on routed; then every request must have its row, and the backlog must have stayed small. */
async function sustain() {
  const t = targets[2]!;
  let backlog = 0;
  const poll = setInterval(async () => {
    const m = await scrape().catch(() => null);
    if (m) backlog = Math.max(backlog, m.requests - m.written);
  }, 1000);
  const start = Date.now();
  const cpu0 = cpuMicros(t.pid!);
  const { result: w, peaks: [peak] } = await peakRss([t.pid!], () => runWrk({ url: chatUrl(t), connections: 50, seconds: P.sustainS, body: CHAT, key: KEY }));
  clearInterval(poll);
  rows.push({ scenario: `sustained max load, ${P.sustainS} s, c=50`, target: t.name, rps: w.rps, vsBare: null, p50: w.p50, p99: w.p99, addDirect: null, addBare: null, peakMB: (peak ?? 0) / 2 ** 20, cpuUs: (cpuMicros(t.pid!) - cpu0) / Math.max(1, w.requests), note: `max ${w.max.toFixed(1)} ms; max log backlog ${backlog} rows` });
  results.checks.sustain = { wrkRequests: w.requests, errors: w.errors, start, backlog };
}

const limit = childFdLimit();
try {
  if (enabled("c1")) await load("c1", "non-stream, c=1", 1, CHAT, [leanTarget]);
  if (enabled("c50")) await load("c50", "non-stream, c=50", 50, CHAT, [leanTarget, ...pgTargets]);
  if (enabled("stream")) await load("stream50", "stream 20 chunks, c=50", 50, STREAM, [leanTarget]);
  if (enabled("ttft")) await ttftProbe();
  if (enabled("streams")) for (const t of targets.slice(1)) await openStreams(t, limit);
  if (enabled("sustain")) await sustain();

  // Every request routed answered must have exactly one row once it stops (SIGTERM flushes the log).
  for (let i = 0; i < 100 && (await scrape()).inflight > 0; i++) await Bun.sleep(100);
  const m = await scrape();
  const code = await routed.stop();
  const sqlite = new Database(db, { readonly: true });
  const count = (sql: string, ...a: number[]) => (sqlite.query(sql).get(...a) as { n: number }).n;
  const logRows = count("select count(*) as n from request_logs");
  const sus = results.checks.sustain as { start: number; wrkRequests: number } | undefined;
  const windowRows = sus ? count("select count(*) as n from request_logs where ts >= ?", sus.start) : null;
  sqlite.close();
  results.checks.log = { requests: m.requests, rows: logRows, dropped: m.dropped, exit: code, sustainRows: windowRows, sustainWrk: sus?.wrkRequests ?? null };
  if (routedPg && pgBench) {
    const mp = await scrape(pgTargets[0]!);
    const pgCode = await routedPg.stop();
    results.checks.pgLog = { requests: mp.requests, rows: await pgBench.rows(), dropped: mp.dropped, exit: pgCode };
  }
  results.fdLimit = limit;
  const report = renderReport(results, process.argv.slice(2));
  process.stdout.write(report);
  if (out) {
    // The diary below the marker (rounds, experiments, reverted attempts) stays; the run replaces what is above it.
    const before = existsSync(out) ? readFileSync(out, "utf8") : "";
    const at = before.indexOf(DIARY_MARKER);
    writeFileSync(out, at < 0 ? report : `${report}\n${before.slice(at)}`);
    writeFileSync(out.replace(/\.md$/, ".json"), JSON.stringify(results, null, 1) + "\n");
    log(`wrote ${out}`);
  }
} finally {
  for (const s of servers) await s.stop();
  await pgBench?.drop();
  rmSync(dir, { recursive: true, force: true });
}
