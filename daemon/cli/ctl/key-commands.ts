// routectl keys …: client keys with budgets. A secret is printed once, by add and rotate; every
// other command shows only the prefix. add, import and export also work on --db with routed down.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { BUDGET_WINDOWS } from "../../../shared/key-fields.ts";
import { microsToUsd } from "../../../shared/money.ts";
import { methods, type MethodName, type Params, type Result } from "../../../shared/rpc/contract.ts";
import type { KeyView } from "../../../shared/rpc/keys-contract.ts";
import { keyMethods } from "../../control/methods/keys.ts";
import { createKeyService } from "../../keys/service.ts";
import { restingStandings } from "../../keys/view.ts";
import type { Store } from "../../store/types.ts";
import { action } from "./action.ts";
import { upstreamArg as keyArg, withDaemon, withDaemonOrDb, type Ctx } from "./backend.ts";
import { captureArg, countArg, expiresArg, graceArg, listArg, settingsFromOpts, signedUsdArg, sinceArg, usdArg } from "./key-args.ts";
import { printKey, printKeys, printUsage } from "./key-format.ts";
import { CliError, EXIT, paint, printJson } from "./output.ts";

type KeyMethod = Extract<MethodName, `keys.${string}`>;
const MAX_IMPORT_BYTES = 64 << 20;

/** The method on the daemon; for `offline` ones, on the database (--db) when routed is down. */
function callKeys<M extends KeyMethod>(ctx: Ctx, method: M, params: Params<M>, offline?: "read" | "write"): Promise<Result<M>> {
  if (!offline) return withDaemon(ctx, (rpc) => rpc.call(method, params));
  return withDaemonOrDb(ctx, (rpc) => rpc.call(method, params), (_upstreams, store) => onDb(store, method, params), offline === "write");
}

/** The daemon's own handler over the database, with its validation. */
async function onDb<M extends KeyMethod>(store: Store, method: M, params: Params<M>): Promise<Result<M>> {
  const parsed = methods[method].params.safeParse(params);
  if (!parsed.success) throw new CliError(parsed.error.issues[0]!.message, EXIT.usage, "invalid_params");
  const standings = restingStandings(() => store.listKeys(), Date.now);
  await standings.reload();
  const handlers = keyMethods(createKeyService({ store, standing: standings.standing, onChange: standings.reload }));
  return (handlers[method] as (p: unknown) => Promise<Result<M>>)(parsed.data);
}

/** The settings flags of add and edit: [flag, help, parser]; all but --budget-window can be cleared on edit. */
const SETTING_FLAGS: [string, string, ((value: string, previous: any) => unknown)?][] = [
  ["--budget <usd>", "spending limit in USD per budget window", usdArg],
  ["--soft-budget <usd>", "alert (without refusing) past this spend", usdArg],
  ["--models <globs>", "comma-separated models it may use (gpt-4o*); default all", listArg],
  ["--groups <groups>", "comma-separated upstream groups it may use; default all", listArg],
  ["--rpm <n>", "requests per minute", countArg],
  ["--rpd <n>", "requests per day", countArg],
  ["--tpm <n>", "tokens per minute", countArg],
  ["--max-inflight <n>", "most requests in flight at once", countArg],
  ["--expires <when>", "a date (2026-12-31) or a duration from now (30d, 12h)", expiresArg],
  ["--allow-ip <cidr>", "an address or CIDR it may be used from, repeatable; default any", listArg],
  ["--allow-pinning", "may pin an upstream with the KEY-CHANNEL suffix"],
  ["--log-capture <mode>", "what the request log keeps of its requests: full, metadata or truncate:<size>; default log.capture", captureArg],
  ["--note <text>", "free-form note"],
];

function settingsOptions(cmd: Command, edit: boolean): Command {
  cmd.addOption(new Option("--budget-window <window>", "when the budget starts afresh (default total: never)").choices(BUDGET_WINDOWS));
  for (const [flag, help, parse] of SETTING_FLAGS) {
    const option = new Option(flag, help);
    cmd.addOption(parse ? option.argParser(parse) : option);
    if (edit) cmd.option(`--no-${flag.split(" ")[0]!.slice(2)}`, "clear it");
  }
  if (edit) cmd.option("--name <new>", "rename the key");
  return cmd;
}

/** The secret, once, and the key. */
function printSecret(ctx: Ctx, r: { key: KeyView; secret: string }, verb: string) {
  if (ctx.g.json) return printJson(ctx.o, { key: r.secret, ...r.key });
  ctx.o.out(`${verb} key ${paint(ctx.o, "bold", r.key.name)} (id ${r.key.id}):\n\n  ${r.secret}\n`);
  ctx.o.out("Copy it now: it will not be shown again (Route keeps only its hash).");
  if (r.key.rotatedUntil !== null) ctx.o.out(`The previous secret keeps working until ${new Date(r.key.rotatedUntil).toISOString()}.`);
}

const said = (ctx: Ctx, k: KeyView, line: string) => (ctx.g.json ? printJson(ctx.o, k) : ctx.o.out(line));

export function registerKeyCommands(program: Command): void {
  const keys = program.command("keys").description("client keys with budgets and limits (the secret is shown once, at add and rotate)");

  settingsOptions(keys.command("add").argument("<name>", "unique name").description("create a key and print its secret once (works with routed down, given --db)"), false).action(
    action(async (ctx, name: string, o: Record<string, unknown>) => {
      printSecret(ctx, await callKeys(ctx, "keys.add", { name, ...settingsFromOpts(o) }, "write"), "created");
    }),
  );

  keys
    .command("list")
    .alias("ls")
    .description("every key: prefix, state, spend against budget, requests today, limits, expiry")
    .action(
      action(async (ctx) => {
        const { keys: list } = await callKeys(ctx, "keys.list", {});
        ctx.g.json ? printJson(ctx.o, list) : printKeys(ctx.o, list);
      }),
    );

  keys
    .command("show")
    .argument("<key>", "name or id")
    .description("one key in full")
    .action(action(async (ctx, ref: string) => void (ctx.g.json ? printJson : printKey)(ctx.o, await callKeys(ctx, "keys.get", { key: keyArg(ref) }))));

  settingsOptions(keys.command("edit").argument("<key>", "name or id").description("change a key's settings; --no-budget, --no-rpm, … clear one"), true).action(
    action(async (ctx, ref: string, o: Record<string, unknown>) => {
      const patch = { ...settingsFromOpts(o), ...(typeof o.name === "string" ? { name: o.name } : {}) };
      if (Object.keys(patch).length === 0) throw new CliError("nothing to change: give at least one option (see --help)", EXIT.usage, "invalid_params");
      const k = await callKeys(ctx, "keys.update", { key: keyArg(ref), patch });
      said(ctx, k, `updated key ${k.name}`);
    }),
  );

  for (const [verb, method, line] of [
    ["disable", "keys.disable", "disabled key %s: refused from its next request"],
    ["enable", "keys.enable", "enabled key %s"],
    ["rm", "keys.remove", "removed key %s: refused from its next request (its usage stays in the logs)"],
  ] as const) {
    keys
      .command(verb)
      .argument("<key>", "name or id")
      .description(line.replace(" %s", "").replace(/:.*/, ""))
      .action(
        action(async (ctx, ref: string) => {
          const k = await callKeys(ctx, method, { key: keyArg(ref) });
          said(ctx, k, line.replace("%s", k.name));
        }),
      );
  }

  keys
    .command("rotate")
    .argument("<key>", "name or id")
    .option("--grace <duration>", "how long the old secret keeps working (default 1h; 0: not at all)", graceArg)
    .description("issue a new secret, printed once; the old one works for the grace period")
    .action(action(async (ctx, ref: string, o: { grace?: number }) => printSecret(ctx, await callKeys(ctx, "keys.rotate", { key: keyArg(ref), graceMs: o.grace }), "rotated")));

  keys
    .command("usage")
    .argument("[key]", "name or id; default every key")
    .option("--since <when>", "a date (2026-11-01) or a duration back from now (7d)", sinceArg)
    .description("requests, tokens and cost per key from the request logs; for one key, its ledger too")
    .action(
      action(async (ctx, ref: string | undefined, o: { since?: number }) => {
        const r = await callKeys(ctx, "keys.usage", { key: ref === undefined ? undefined : keyArg(ref), since: o.since });
        ctx.g.json ? printJson(ctx.o, r) : printUsage(ctx.o, r);
      }),
    );

  keys
    .command("adjust")
    .argument("<key>", "name or id")
    .option("--amount <usd>", "charge (positive) or credit (negative) USD, e.g. 0.10 or -5", signedUsdArg)
    .option("--reset", "set the current window's spend back to zero")
    .option("--note <text>", "why (kept in the ledger)")
    .description("change a key's balance by hand; recorded in its ledger")
    .action(
      action(async (ctx, ref: string, o: { amount?: number; reset?: boolean; note?: string }) => {
        if ((o.amount === undefined) === !o.reset) throw new CliError("give either --amount USD or --reset", EXIT.usage, "invalid_params");
        const k = await callKeys(ctx, "keys.adjust", { key: keyArg(ref), amountMicros: o.amount, reset: o.reset, note: o.note });
        said(ctx, k, o.reset ? `reset the spend of key ${k.name} in its current window` : `recorded ${o.amount! > 0 ? "+" : ""}${microsToUsd(o.amount!)} USD on key ${k.name}`);
      }),
    );

  keys
    .command("export")
    .argument("[file]", "write here (owner-only) instead of stdout")
    .description("every key's hash and settings as JSON, never a secret (works with routed down, given --db)")
    .action(
      action(async (ctx, file?: string) => {
        const r = await callKeys(ctx, "keys.export", {}, "read");
        const text = `${JSON.stringify(r, null, 2)}\n`;
        if (!file) return ctx.o.out(text);
        writeFileSync(file, text, { mode: 0o600 });
        if (ctx.g.json) printJson(ctx.o, { file, keys: r.keys.length });
        else ctx.o.out(`exported ${r.keys.length} keys to ${file} (hashes and settings; the same secrets work where it is imported)`);
      }),
    );

  keys
    .command("import")
    .argument("<file>", "a file written by `routectl keys export`")
    .option("--replace", "overwrite keys of the same name (default: skip them)")
    .description("add the keys a file lists, by name (works with routed down, given --db)")
    .action(
      action(async (ctx, file: string, o: { replace?: boolean }) => {
        const r = await callKeys(ctx, "keys.import", { keys: readExport(file), replace: o.replace }, "write");
        ctx.g.json ? printJson(ctx.o, r) : ctx.o.out(`imported ${file}: ${r.added} added, ${r.updated} replaced, ${r.skipped} skipped (names that exist; --replace overwrites them)`);
      }),
    );
}

function readExport(file: string): Params<"keys.import">["keys"] {
  let text: string;
  try {
    if (statSync(file).size > MAX_IMPORT_BYTES) throw new CliError(`${file} is larger than ${MAX_IMPORT_BYTES >> 20} MB; not a key export`);
    text = readFileSync(file, "utf8");
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not JSON; expected what \`routectl keys export\` writes`);
  }
  const keys = Array.isArray(data) ? data : (data as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new CliError(`${file} holds no "keys" list; expected what \`routectl keys export\` writes`);
  return keys;
}
