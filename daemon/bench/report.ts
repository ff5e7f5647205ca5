// The benchmark's one table, the targets it checks, and the machine it ran on, as Markdown.
import { cpus } from "node:os";

export interface Row {
  scenario: string;
  target: string;
  rps: number | null;
  vsBare: number | null;
  p50: number | null; // ms
  p99: number | null;
  addDirect: number | null; // p50 added over direct, ms
  addBare: number | null;
  peakMB: number | null;
  /** The proxy's CPU time (user + system, all threads, from /proc) per request served, µs. */
  cpuUs: number | null;
  note: string;
}

export interface Results {
  quick: boolean;
  params: object;
  rows: Row[];
  runs: Record<string, unknown>;
  checks: Record<string, unknown>;
  fdLimit?: number;
}

const f = (x: number | null, digits = 3) => (x === null ? "" : x.toFixed(digits));
const signed = (x: number | null) => (x === null ? "" : `${x >= 0 ? "+" : ""}${x.toFixed(3)}`);

function targets(r: Results): [string, boolean | null, string][] {
  const row = (scenario: string, target = "routed") => r.rows.find((x) => x.scenario.startsWith(scenario) && x.target === target);
  const c50 = row("non-stream, c=50");
  const c1 = row("non-stream, c=1");
  const ttft = row("stream TTFT");
  const streams = row("open streams");
  const peak = Math.max(row("non-stream, c=50")?.peakMB ?? 0, row("stream 20 chunks")?.peakMB ?? 0);
  const log = r.checks.log as { requests: number; rows: number; dropped: number; sustainRows: number | null; sustainWrk: number | null };
  const held = streams ? /held (\d+)\/(\d+), completed (\d+)/.exec(streams.note) : null;
  const sus = r.checks.sustain as { backlog: number } | undefined;
  const pgLog = r.checks.pgLog as { requests: number; rows: number; dropped: number } | undefined;
  const stream = row("stream 20 chunks");
  const lean50 = row("non-stream, c=50", "lean");
  const vsLean = c50?.vsBare && lean50?.vsBare ? c50.vsBare / lean50.vsBare : null; // as the floor line below
  const cpuVsLean = c50?.cpuUs && lean50?.cpuUs ? c50.cpuUs / lean50.cpuUs : null;
  const perStream = streams ? Number(/([\d.]+) KB\/stream/.exec(streams.note)?.[1]) : null;
  return [
    ["stream 20 chunks at c=50 ≥ 0.8× bare (req/s)", stream ? stream.vsBare! >= 0.8 : null, stream ? `${stream.vsBare!.toFixed(2)}×` : "not run"],
    ["non-stream at c=50 ≥ 0.9× the lean floor (req/s)", vsLean === null ? null : vsLean >= 0.9, vsLean === null ? "not run" : `${vsLean.toFixed(2)}× (${c50!.vsBare!.toFixed(2)}× bare)`],
    ["CPU per non-stream request at c=50 ≤ 1.2× lean's", cpuVsLean === null ? null : cpuVsLean <= 1.2, cpuVsLean === null ? "not run" : `${cpuVsLean.toFixed(2)}× (${c50!.cpuUs!.toFixed(0)} vs ${lean50!.cpuUs!.toFixed(0)} µs)`],
    ["added median latency at c=1 ≤ 0.2 ms over bare", c1 ? c1.addBare! <= 0.2 : null, c1 ? `${signed(c1.addBare)} ms` : "not run"],
    ["first content of a stream added ≤ 0.3 ms over bare (p50, sequential)", ttft ? ttft.addBare! <= 0.3 : null, ttft ? `${signed(ttft.addBare)} ms` : "not run"],
    ["peak RSS under c=50 ≤ 100 MB", peak ? peak <= 100 : null, peak ? `${peak.toFixed(0)} MB` : "not run"],
    ["RSS per open stream ≤ 8 KB", perStream === null || Number.isNaN(perStream) ? null : perStream <= 8, perStream === null ? "not run" : `${perStream.toFixed(1)} KB`],
    [
      "10,000 concurrent open streams held",
      held && held[1] === held[2] && held[2] === held[3] ? (Number(held[2]) >= 10_000 ? true : null) : held ? false : null,
      held
        ? `${held[1]} of ${held[2]} held, ${held[3]} completed` +
          (streams!.note.includes("open-files limit") ? ` — 10,000 not reachable here: open-files hard limit ${r.fdLimit}, two sockets per stream` : "")
        : "not run",
    ],
    [
      "no request-log rows lost",
      log.rows === log.requests && log.dropped === 0,
      `${log.rows} rows for ${log.requests} requests, ${log.dropped} dropped` +
        (log.sustainRows !== null ? `; sustained run: ${log.sustainRows} rows ≥ ${log.sustainWrk} completed by wrk, max backlog ${sus?.backlog} rows` : ""),
    ],
    [
      "no request-log rows lost on the Postgres store",
      pgLog ? pgLog.rows === pgLog.requests && pgLog.dropped === 0 : null,
      pgLog ? `${pgLog.rows} rows in Postgres for ${pgLog.requests} requests, ${pgLog.dropped} dropped` : "not run (no Postgres)",
    ],
  ];
}

/** Where the least logging gateway (lean-proxy.ts) lands, and routed against it, non-stream and stream. */
function floor(r: Results): string[] {
  const lines: string[] = [];
  for (const [scenario, what] of [["non-stream, c=50", "non-stream c=50"], ["stream 20 chunks", "streams of 20 chunks, c=50"]] as const) {
    const at = (target: string) => r.rows.find((x) => x.scenario.startsWith(scenario) && x.target === target);
    const [lean, routed] = [at("lean"), at("routed")];
    if (!lean?.vsBare || !routed?.vsBare) continue;
    lines.push(`Floor for a gateway that logs every request with its reply (lean-proxy.ts), ${what}: ${lean.vsBare.toFixed(2)}× bare; routed ${routed.vsBare.toFixed(2)}× bare, ${((routed.vsBare / lean.vsBare) * 100).toFixed(0)} % of the floor.`);
  }
  return lines.length ? [...lines, ""] : [];
}

export function renderReport(r: Results, args: string[]): string {
  const lines = [
    `Route benchmark — ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} × ${cpus()[0]?.model.trim()}, Bun ${Bun.version}${r.quick ? " (quick mode: smoke run, not for quoting)" : ""}`,
    `Command: \`npm run bench${args.length ? ` -- ${args.join(" ")}` : ""}\`; parameters ${JSON.stringify(r.params)}. Latencies in ms (wrk, -t1). req/s, p50, p99: medians of the rounds; × bare and "added": medians of the same-round ratios and differences.`,
    "",
    "| scenario | target | req/s | × bare | p50 | p99 | p50 added vs direct | p50 added vs bare | peak RSS MB | CPU µs/req | notes |",
    "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ...r.rows.map((x) => `| ${x.scenario} | ${x.target} | ${x.rps === null ? "" : Math.round(x.rps)} | ${f(x.vsBare, 2)} | ${f(x.p50)} | ${f(x.p99)} | ${signed(x.addDirect)} | ${signed(x.addBare)} | ${f(x.peakMB, 0)} | ${f(x.cpuUs, 0)} | ${x.note} |`),
    "",
    "| target for routed | met | measured |",
    "|---|---|---|",
    ...targets(r).map(([what, ok, measured]) => `| ${what} | ${ok === null ? "—" : ok ? "yes" : "**no**"} | ${measured} |`),
    "",
    ...floor(r),
  ];
  return lines.join("\n");
}
