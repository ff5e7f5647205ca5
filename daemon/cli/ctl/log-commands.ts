// logs [-f], logs export, show, stats [--watch | --since]: read-only views of the running daemon (export: or the database, with --db).
import { InvalidArgumentError, Option, type Command } from "commander";
import { parseSpanMs } from "../../../shared/rpc/history-contract.ts";
import type { LogSummaryView, Params } from "../../../shared/rpc/contract.ts";
import { RpcError } from "../../../shared/rpc/errors.ts";
import { action } from "./action.ts";
import { withDaemon, type Ctx } from "./backend.ts";
import { logTable, printLogRecord, printStats } from "./format.ts";
import { printHistory } from "./history-format.ts";
import { exportLogs } from "./log-export.ts";
import { filterOptions, queryFilter } from "./log-filters.ts";
import { CliError, EXIT, printJson } from "./output.ts";
import { durationArg } from "./upstream-commands.ts";

function formatArg(v: string): "jsonl" | "csv" {
  if (v !== "jsonl" && v !== "csv") throw new InvalidArgumentError("use jsonl or csv");
  return v;
}
function countArg(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 1000) throw new InvalidArgumentError("use a number from 1 to 1000");
  return Number(v);
}

/** Resolves on Ctrl-C (exit 0) or when the connection to the daemon is lost (exit 1). */
function untilStopped(rpc: { onState(l: (s: string) => void): () => void }): Promise<number> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve(EXIT.ok));
    process.once("SIGTERM", () => resolve(EXIT.ok));
    rpc.onState((s) => {
      if (s === "disconnected") resolve(EXIT.failed);
    });
  });
}

async function logs(ctx: Ctx, opts: Record<string, any>): Promise<number> {
  const filter = queryFilter(opts);
  const { search, errorCode, stream, minLatencyMs, since, until, ...liveFilter } = filter;
  if (opts.follow && [search, errorCode, stream, minLatencyMs, until].some((v) => v !== undefined)) {
    throw new CliError("-f follows new requests with --grep, --status, --upstream, --model and --key only; drop -f to search the log", EXIT.usage, "invalid_params");
  }
  const table = logTable(ctx.o);
  const print = (e: LogSummaryView) => (ctx.g.json ? ctx.o.out(JSON.stringify(e)) : table.line(e));
  return withDaemon(ctx, async (rpc) => {
    // Subscribe before reading the backlog, so nothing written in between is missed; ids dedupe.
    const early: LogSummaryView[] = [];
    let live = false;
    const seen = new Set<string>();
    const onEntry = (e: LogSummaryView) => (live ? !seen.has(e.id) && print(e) : early.push(e));
    const sub = opts.follow ? await rpc.subscribe("logs.subscribe", liveFilter, ({ entry }) => onEntry(entry)) : null;
    const query: Params<"logs.query"> = { ...filter, limit: opts.lines ?? (opts.follow ? 10 : 20) };
    const backlog = (await rpc.call("logs.query", query)).entries.reverse(); // oldest first, like tail
    if (!ctx.g.json) table.header();
    if (ctx.g.json && !opts.follow) {
      printJson(ctx.o, backlog);
      return EXIT.ok;
    }
    for (const e of backlog) {
      seen.add(e.id);
      print(e);
    }
    if (!sub) return EXIT.ok;
    for (const e of early) if (!seen.has(e.id)) print(e);
    live = true; // `seen` stays: a row can be notified just after the backlog query returned it
    const code = await untilStopped(rpc);
    if (code !== EXIT.ok) throw new RpcError("connection_lost", `lost the connection to routed at ${ctx.g.socket}`);
    return code;
  });
}

function spanArg(v: string): string {
  if (parseSpanMs(v) === null) throw new InvalidArgumentError('use a period such as "24h", "7d" or "30d"');
  return v;
}

async function stats(ctx: Ctx, opts: Record<string, any>): Promise<number | void> {
  if (opts.since !== undefined) {
    if (opts.watch) throw new CliError("--since shows history; --watch the last minute: use one of them", EXIT.usage, "usage");
    const h = await withDaemon(ctx, (rpc) => rpc.call("stats.history", { since: opts.since, by: opts.by }));
    return ctx.g.json ? printJson(ctx.o, h) : printHistory(ctx.o, h, opts.since);
  }
  return withDaemon(ctx, async (rpc) => {
    const show = (s: Parameters<typeof printStats>[1]) => {
      if (ctx.g.json) return ctx.o.out(JSON.stringify(s, null, opts.watch ? undefined : 2));
      if (opts.watch && ctx.o.color) ctx.o.out("\x1b[H\x1b[2J"); // redraw in place on a terminal
      else if (opts.watch) ctx.o.out("");
      printStats(ctx.o, s);
    };
    show(await rpc.call("stats.snapshot", {}));
    if (!opts.watch) return;
    await rpc.subscribe("stats.subscribe", {}, (tick) => show(tick.stats));
    const code = await untilStopped(rpc);
    if (code !== EXIT.ok) throw new RpcError("connection_lost", `lost the connection to routed at ${ctx.g.socket}`);
    return code;
  });
}

export function registerLogCommands(program: Command): void {
  const logsCommand = program
    .command("logs")
    .description("recent requests, oldest first; -f keeps printing new ones; `logs export` writes them all out")
    .option("-f, --follow", "print new requests as they are logged (Ctrl-C stops)")
    .option("-n, --lines <n>", "how many recent requests to show (default 20; 10 with -f)", countArg)
    .enablePositionalOptions(); // `logs export --search x`: the option is export's, not logs'`
  filterOptions(logsCommand).action(action(logs));
  const exportCommand = logsCommand
    .command("export")
    .description("every request matching the filters, newest first, as JSON lines or CSV on stdout (streamed page by page)")
    .requiredOption("--format <format>", "jsonl or csv", formatArg)
    .option("--bodies", "include request bodies, replies, attempts and tool calls (one fetch per row)");
  filterOptions(exportCommand).action(action(exportLogs)); // declared for its help; `logs` parses them (log-export.ts)

  program
    .command("show")
    .argument("<log-id>", "a request id, or its last 12 characters as `logs` prints them")
    .description("one request in full: request body, reply, attempts, timings, tokens")
    .action(
      action(async (ctx, id: string) => {
        const r = await withDaemon(ctx, (rpc) => rpc.call("logs.get", { id }));
        ctx.g.json ? printJson(ctx.o, r) : printLogRecord(ctx.o, r);
      }),
    );

  program
    .command("stats")
    .description("per-upstream requests/s, error rate, p50/p95 latency and TTFT over the last minute; with --since, over a period from the hourly history")
    .option("-w, --watch", "refresh every second (Ctrl-C stops)")
    .option("--since <period>", "requests, errors, tokens, cost, latency over the last PERIOD (24h, 7d, 30d), across restarts", spanArg)
    .addOption(new Option("--by <what>", "one line per upstream, model or client key (with --since)").choices(["upstream", "model", "key"]).default("upstream"))
    .action(action(stats));
}
