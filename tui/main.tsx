#!/usr/bin/env bun
// route-tui: the terminal control room for routed. It talks only to routed's control socket
// (JSON-RPC, shared/rpc), never to the database or the proxy port, so it is safe to run over ssh
// as any user who can reach the socket. Exit codes: 0 quit, 2 usage (or no terminal).
import { Command, CommanderError, Option } from "commander";
import { render } from "ink";
import pkg from "../package.json" with { type: "json" };
import { defaultSocketPath } from "../shared/paths.ts";
import { createRpcClient } from "../shared/rpc/client.ts";
import { App } from "./App.tsx";
import { ErrorScreen } from "./components/ErrorScreen.tsx";
import { DEFAULT_TAIL_CAP } from "./log-tail.ts";
import { asciiFromEnv, colorFromEnv, createTheme, ThemeContext } from "./theme.ts";

interface Opts {
  socket: string;
  ascii?: boolean;
  unicode?: boolean;
  color: boolean;
  tail: number;
}

function program(): Command {
  return new Command("route-tui")
    .description("Watch and steer a running routed from the terminal: upstreams, live request tail, stats")
    .version(pkg.version)
    .addOption(
      new Option("--socket <path>", "routed's control socket")
        .env("ROUTE_SOCKET")
        .default(defaultSocketPath({ XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR }, process.getuid?.() ?? 0), "$XDG_RUNTIME_DIR/routed.sock, else /tmp/routed-<uid>/routed.sock"),
    )
    .option("--ascii", "draw with ASCII only (default when the locale is not UTF-8, or ROUTE_TUI_ASCII=1)")
    .option("--unicode", "draw with Unicode even if the locale does not say UTF-8")
    .option("--no-color", "no colours (also when NO_COLOR is set)")
    .addOption(
      new Option("--tail <n>", "request summaries kept in memory by the Logs screen").default(DEFAULT_TAIL_CAP).argParser((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 100 || n > 100_000) throw new CommanderError(2, "route-tui.tail", "--tail must be a whole number from 100 to 100000");
        return n;
      }),
    )
    .addHelpText("after", "\nKeys: press ? inside the TUI. Needs an interactive terminal; for scripts use routectl.\n")
    .exitOverride();
}

/** Entry point; also called by the multi-call executable (daemon/cli/main.ts) as `route-tui`. */
export async function runTui(argv: string[]): Promise<never> {
  let opts: Opts;
  try {
    opts = program().parse(argv).opts<Opts>();
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.code === "route-tui.tail") process.stderr.write(`route-tui: ${err.message}\n`);
    process.exit(["commander.helpDisplayed", "commander.help", "commander.version"].includes(err.code) ? 0 : 2);
  }
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    process.stderr.write("route-tui: needs an interactive terminal (it draws a full-screen UI); for scripts use routectl\n");
    process.exit(2);
  }

  const theme = createTheme({
    color: opts.color && colorFromEnv(process.env),
    ascii: opts.unicode ? false : opts.ascii ? true : asciiFromEnv(process.env),
  });
  const client = createRpcClient({ socketPath: opts.socket, reconnect: true, backoff: { minMs: 200, maxMs: 2000 }, callTimeoutMs: 60_000 });
  let crash: Error | null = null;
  const app = render(
    <ThemeContext.Provider value={theme}>
      <ErrorScreen onCrash={(e) => (crash = e)} onQuit={() => app.unmount()}>
        <App client={client} tailCap={opts.tail} />
      </ErrorScreen>
    </ThemeContext.Provider>,
    // interactive: a TTY is a TTY even when CI=1 is set (Ink would otherwise draw nothing).
    { exitOnCtrlC: false, alternateScreen: true, interactive: true, incrementalRendering: true, patchConsole: true },
  );
  for (const sig of ["SIGTERM", "SIGHUP", "SIGINT"] as const) process.once(sig, () => app.unmount());
  await app.waitUntilExit().catch(() => {});
  client.close();
  if (crash) process.stderr.write(`route-tui: internal error: ${(crash as Error).stack ?? crash}\n`);
  process.exit(crash ? 1 : 0);
}

if (import.meta.main) await runTui(process.argv);
