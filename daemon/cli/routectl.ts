#!/usr/bin/env bun
// routectl: steers a running routed over its control socket (JSON-RPC 2.0, shared/rpc/contract.ts).
// Exit codes: 0 ok, 1 failed, 2 usage, 3 daemon not reachable.
import { Command, CommanderError, Option } from "commander";
import pkg from "../../package.json" with { type: "json" };
import { defaultSocketPath } from "../../shared/paths.ts";
import { registerConfigCommands } from "./ctl/config-commands.ts";
import { registerKeyCommands } from "./ctl/key-commands.ts";
import { registerLogCommands } from "./ctl/log-commands.ts";
import { registerNodeCommands } from "./ctl/node-commands.ts";
import { registerNotifyCommands } from "./ctl/notify-commands.ts";
import { EXIT } from "./ctl/output.ts";
import { registerUpstreamCommands } from "./ctl/upstream-commands.ts";

function buildProgram(): Command {
  const program = new Command("routectl")
    .description("Control a running routed: upstreams, request logs, live stats, config")
    .version(pkg.version)
    .addOption(
      new Option("--socket <path>", "routed's control socket")
        .env("ROUTE_SOCKET")
        .default(defaultSocketPath({ XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR }, process.getuid?.() ?? 0), "$XDG_RUNTIME_DIR/routed.sock, else /tmp/routed-<uid>/routed.sock"),
    )
    .addOption(new Option("--db <file|url>", "database (SQLite file or postgres:// URL) to use directly when routed is not running (list, add, import; export reads keys in full)").env("ROUTE_DB"))
    .option("--json", "machine-readable output (JSON; one object per line for -f and --watch)")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerConfigCommands(program);
  registerUpstreamCommands(program);
  registerLogCommands(program);
  registerNotifyCommands(program);
  registerKeyCommands(program);
  registerNodeCommands(program);
  program.addHelpText(
    "after",
    "\nUpstreams are named by id or name. Exit codes: 0 ok, 1 failed, 2 usage, 3 routed not reachable.\nExamples:\n  routectl add --name main --endpoint https://api.openai.com/v1 --sk-file ~/.openai-key\n  routectl move main 1\n  routectl logs -f --status 5xx\n",
  );
  return program;
}

/** Entry point; also called by the multi-call executable (main.ts) when invoked as `routectl`. */
export async function runRoutectl(argv: string[]): Promise<never> {
  process.umask(0o077); // an offline `add` may create the database: owner-only, it holds keys
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // Commander printed the problem already; help and version are not errors.
    const ok = ["commander.helpDisplayed", "commander.help", "commander.version"].includes(err.code);
    process.exit(ok ? EXIT.ok : EXIT.usage);
  }
  process.exit(process.exitCode ?? EXIT.ok);
}

if (import.meta.main) await runRoutectl(process.argv);
