// list, add, rm, enable, disable, move, test.
import { InvalidArgumentError, type Command } from "commander";
import type { z } from "zod";
import { parseDurationMs } from "../../../shared/duration.ts";
import { methods, type UpstreamView } from "../../../shared/rpc/contract.ts";
import { toUpstreamViews, viewOne } from "../../control/views.ts";
import { action } from "./action.ts";
import { upstreamArg, withDaemon, withDaemonOrDb, type Ctx } from "./backend.ts";
import { printUpstreams } from "./format.ts";
import { upstreamKey } from "./secret-input.ts";
import { CliError, EXIT, paint, printJson } from "./output.ts";

export function durationArg(v: string): number {
  const n = parseDurationMs(v);
  if (n === null || n <= 0) throw new InvalidArgumentError('use seconds or a duration with a unit, e.g. "30s" or "500ms"');
  return n;
}
export function positionArg(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError("use a position from 1, as numbered by `routectl list`");
  return Number(v);
}

export function numberArg(v: string): number {
  if (!/^-?\d+(\.\d+)?$/.test(v)) throw new InvalidArgumentError("use a number");
  return Number(v);
}
/** Repeatable `a<sep>b` options collected into a mapping. */
function collectPair(sep: string) {
  return (v: string, acc: Record<string, string> | undefined): Record<string, string> => {
    const i = v.indexOf(sep);
    if (i <= 0) throw new InvalidArgumentError(`use NAME${sep}VALUE`);
    return { ...acc, [v.slice(0, i).trim()]: v.slice(i + 1).trim() };
  };
}

// Fields whose flag is not their name in kebab case.
const FLAG_OF: Record<string, string> = { groups: "group", modelMapping: "map", headers: "header" };
const flagOf = (field: string) => FLAG_OF[field] ?? field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Checked here too, so offline changes get the daemon's validation and bad input exits 2. */
function checked<M extends "upstreams.add" | "upstreams.update">(method: M, raw: unknown) {
  const parsed = methods[method].params.safeParse(raw);
  if (parsed.success) return parsed.data as z.output<(typeof methods)[M]["params"]>;
  const i = parsed.error.issues[0]!;
  const field = i.path.find((k) => typeof k === "string" && k !== "patch") ?? "";
  throw new CliError(`--${flagOf(String(field))}: ${i.message}`, EXIT.usage, "invalid_params");
}
const addParams = (raw: unknown) => checked("upstreams.add", raw);
const list = (v: string | undefined) => v?.split(",").map((m) => m.trim()).filter(Boolean);

/** The routing settings `add` and `edit` share. */
function routingOptions(cmd: Command): Command {
  return cmd
    .option("--type <type>", "openai (default), azure, anthropic or gemini")
    .option("--api-version <v>", "Azure api-version, e.g. 2024-10-21")
    .option("--models <list>", "comma-separated models it serves (globs such as gpt-4o* allowed); default any")
    .option("--map <from=to>", "model mapping, repeatable: requested name=this upstream's name", collectPair("="), undefined)
    .option("--weight <n>", "share of traffic under the weighted strategy (default 1)", numberArg)
    .option("--priority <n>", "tier; higher tiers are tried first (default 0)", numberArg)
    .option("--rpm <n>", "requests per minute (-1 unlimited, 0 never used)", numberArg)
    .option("--rpd <n>", "requests per day", numberArg)
    .option("--tpm <n>", "tokens per minute", numberArg)
    .option("--max-inflight <n>", "most requests in flight at once", numberArg)
    .option("--header <name:value>", "extra request header, repeatable", collectPair(":"), undefined)
    .option("--group <list>", "comma-separated upstream groups (client keys may be limited to some); default: default")
    .option("--responses", "it serves POST /v1/responses itself (default for openai and azure)")
    .option("--no-responses", "Route translates /v1/responses to Chat Completions for it");
}
const routingParams = (opts: Record<string, any>) => ({
  type: opts.type,
  apiVersion: opts.apiVersion,
  models: list(opts.models),
  modelMapping: opts.map,
  weight: opts.weight,
  priority: opts.priority,
  rpm: opts.rpm,
  rpd: opts.rpd,
  tpm: opts.tpm,
  maxInflight: opts.maxInflight,
  headers: opts.header,
  groups: list(opts.group),
  responses: opts.responses,
});

const done = (ctx: Ctx, u: UpstreamView, verb: string) => {
  if (ctx.g.json) return printJson(ctx.o, u);
  const where = u.source === "file" ? " (in the upstreams file)" : "";
  ctx.o.out(`${verb} ${paint(ctx.o, "bold", u.label)} (id ${u.id}) at position ${u.position}${where}${u.enabled ? "" : ", disabled"}`);
};

export function registerUpstreamCommands(program: Command): void {
  program
    .command("list")
    .alias("ls")
    .description("list upstreams in failover order (works with routed down, given --db)")
    .action(
      action(async (ctx) => {
        const list = await withDaemonOrDb(ctx, async (rpc) => (await rpc.call("upstreams.list", {})).upstreams, async (svc) => toUpstreamViews(await svc.list()));
        ctx.g.json ? printJson(ctx.o, list) : printUpstreams(ctx.o, list);
      }),
    );

  routingOptions(program
    .command("add")
    .description("add an upstream (works with routed down, given --db)")
    .requiredOption("--endpoint <url>", "API base, e.g. https://api.openai.com/v1")
    .option("--sk <key>", "the upstream's API key; - reads it from stdin (a key given here is visible in the process list)")
    .option("--sk-file <file>", "file holding the upstream's API key")
    .option("--name <name>", "unique name shown in headers, logs and metrics")
    .option("--timeout <duration>", "non-stream timeout, e.g. 60s", durationArg)
    .option("--stream-timeout <duration>", "time to first token for streams, e.g. 5s", durationArg)
    .option("--stall-timeout <duration>", "longest gap between stream chunks, e.g. 60s", durationArg)
    .option("--position <n>", "place in the failover order (1 = first); default last", positionArg)
    .option("--disabled", "add it out of rotation"))
    .action(
      action(async (ctx, opts: Record<string, any>) => {
        const params = addParams({
          endpoint: opts.endpoint,
          sk: await upstreamKey(ctx, opts),
          name: opts.name,
          timeoutMs: opts.timeout,
          streamTimeoutMs: opts.streamTimeout,
          stallTimeoutMs: opts.stallTimeout,
          position: opts.position,
          enabled: opts.disabled ? false : undefined,
          ...routingParams(opts),
        });
        const view = await withDaemonOrDb(
          ctx,
          (rpc) => rpc.call("upstreams.add", params),
          async (svc) => {
            const row = await svc.add(params);
            return viewOne(await svc.list(), row);
          },
          true,
        );
        done(ctx, view, "added");
      }),
    );

  routingOptions(program
    .command("edit")
    .argument("<upstream>", "id or name")
    .description("change an upstream's settings; only the options given change (works with routed down, given --db)")
    .option("--name <name>", "new name")
    .option("--endpoint <url>", "new API base")
    .option("--timeout <duration>", "non-stream timeout, e.g. 60s", durationArg)
    .option("--stream-timeout <duration>", "time to first token for streams, e.g. 5s", durationArg)
    .option("--stall-timeout <duration>", "longest gap between stream chunks, e.g. 60s", durationArg))
    .action(
      action(async (ctx, ref: string, opts: Record<string, any>) => {
        const given = { name: opts.name, endpoint: opts.endpoint, timeoutMs: opts.timeout, streamTimeoutMs: opts.streamTimeout, stallTimeoutMs: opts.stallTimeout, ...routingParams(opts) };
        const patch = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
        if (Object.keys(patch).length === 0) throw new CliError("nothing to change: give at least one option (see routectl edit --help)", EXIT.usage, "invalid_params");
        const params = checked("upstreams.update", { upstream: upstreamArg(ref), patch });
        const view = await withDaemonOrDb(
          ctx,
          (rpc) => rpc.call("upstreams.update", params),
          async (svc) => viewOne(await svc.list(), await svc.update(params.upstream, params.patch)),
        );
        done(ctx, view, "updated");
      }),
    );

  program
    .command("rm")
    .alias("remove")
    .argument("<upstream>", "id or name")
    .description("remove an upstream")
    .action(
      action(async (ctx, ref: string) => {
        const u = await withDaemon(ctx, (rpc) => rpc.call("upstreams.remove", { upstream: upstreamArg(ref) }));
        ctx.g.json ? printJson(ctx.o, u) : ctx.o.out(`removed ${u.label} (id ${u.id})`);
      }),
    );

  for (const [verb, method] of [["enable", "upstreams.enable"], ["disable", "upstreams.disable"]] as const) {
    program
      .command(verb)
      .argument("<upstream>", "id or name")
      .description(`${verb} an upstream (${verb === "enable" ? "back into" : "out of"} rotation)`)
      .action(action(async (ctx, ref: string) => done(ctx, await withDaemon(ctx, (rpc) => rpc.call(method, { upstream: upstreamArg(ref) })), `${verb}d`)));
  }

  program
    .command("move")
    .argument("<upstream>", "id or name")
    .argument("<position>", "new place in the failover order, from 1 as `list` numbers it", positionArg)
    .description("reorder: the upstream takes POSITION, the others shift")
    .action(
      action(async (ctx, ref: string, position: number) => {
        const { upstreams } = await withDaemon(ctx, (rpc) => rpc.call("upstreams.move", { upstream: upstreamArg(ref), position }));
        ctx.g.json ? printJson(ctx.o, upstreams) : printUpstreams(ctx.o, upstreams);
      }),
    );

  program
    .command("test")
    .argument("<upstream>", "id or name")
    .description("send GET {endpoint}/models through that upstream; report status and latency")
    .action(
      action(async (ctx, ref: string) => {
        const r = await withDaemon(ctx, (rpc) => rpc.call("upstreams.test", { upstream: upstreamArg(ref) }));
        if (ctx.g.json) printJson(ctx.o, r);
        else if (r.ok) ctx.o.out(`${paint(ctx.o, "green", "ok")}  GET ${r.url} → ${r.status} in ${r.latencyMs} ms${r.models === null ? "" : `, ${r.models} models`}`);
        else ctx.o.out(`${paint(ctx.o, "red", "failed")}  GET ${r.url} → ${r.error} (after ${r.latencyMs} ms)`);
        return r.ok ? EXIT.ok : EXIT.failed;
      }),
    );
}
