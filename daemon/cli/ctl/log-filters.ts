// The filters `routectl logs` and `routectl logs export` share: parsed from their options into
// logs.query's parameters (the daemon's and the store's LogQuery alike).
import { InvalidArgumentError, type Command } from "commander";
import { parseDurationMs } from "../../../shared/duration.ts";
import type { Params } from "../../../shared/rpc/contract.ts";
import { upstreamArg } from "./backend.ts";
import { dateMs } from "./key-args.ts";

export type QueryFilter = Omit<Params<"logs.query">, "before" | "limit">;

export function statusArg(v: string): number | string {
  if (/^\d{3}$/.test(v)) return Number(v);
  if (/^[1-5]xx$/i.test(v)) return v.toLowerCase();
  throw new InvalidArgumentError('use a status such as 502 or a class such as "5xx"');
}

/** A point in time: a duration ago ("2h", "30m", "2w") or a date/time ("2026-11-29", "2026-11-29T10:00Z"). */
export function timeArg(v: string, now = Date.now()): number {
  const d = parseDurationMs(v);
  if (d !== null && d > 0) return now - d;
  const t = dateMs(v); // the same dates routectl keys takes
  if (t === null) throw new InvalidArgumentError('use a duration ago ("2h") or a date/time ("2026-11-29T10:00Z")');
  return t;
}

function latencyArg(v: string): number {
  const d = parseDurationMs(v);
  if (d === null || d < 0) throw new InvalidArgumentError('use a duration such as "2s" or "500ms"');
  return d;
}

/** Adds the filter options to a command. */
export function filterOptions(c: Command): Command {
  return c
    .option("--search <words>", "only requests whose body or reply has all these words (full-text index)")
    .option("--grep <text>", "only requests whose body or reply contains TEXT (substring; slower)")
    .option("--status <status>", 'only this status (502) or class ("5xx")', statusArg)
    .option("--error <code>", "only this error code (e.g. upstream_timeout)")
    .option("--upstream <upstream>", "only those answered by this upstream (id or name)")
    .option("--model <model>", "only this model")
    .option("--key <name>", "only requests made with this client key")
    .option("--stream", "only streamed requests")
    .option("--no-stream", "only non-streamed requests")
    .option("--min-latency <duration>", "only requests that took at least this long (e.g. 2s)", latencyArg)
    .option("--since <time>", 'only requests from then on: a duration ago ("2h") or a date/time', timeArg)
    .option("--until <time>", "only requests before then (same forms as --since)", timeArg);
}

export function queryFilter(opts: Record<string, any>): QueryFilter {
  const f: QueryFilter = {
    search: opts.search, text: opts.grep, status: opts.status, errorCode: opts.error, model: opts.model, key: opts.key,
    upstream: opts.upstream === undefined ? undefined : upstreamArg(opts.upstream), stream: opts.stream, minLatencyMs: opts.minLatency,
    since: opts.since, until: opts.until,
  };
  for (const k of Object.keys(f) as (keyof QueryFilter)[]) if (f[k] === undefined) delete f[k];
  return f;
}
