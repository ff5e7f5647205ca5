// Where routectl takes an upstream key from: `--sk -` (stdin), `--sk-file FILE`, a prompt without
// echo on a terminal, or, still accepted, `--sk KEY`, which every local user can read in the
// process list (so it is warned about).
import { MAX_SECRET_BYTES, oneKey, readSecretFile, readSecretStream } from "../../../shared/secret-file.ts";
import type { Ctx } from "./backend.ts";
import { CliError, EXIT } from "./output.ts";

export const SK_ARGV_WARNING =
  "routectl: warning: --sk KEY puts the key in the process list, where other local users can read it; pipe it with --sk - or use --sk-file FILE";

/** Reads a line from the terminal without echoing it (raw mode); Ctrl-C aborts. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  stdin.setRawMode(true); // before the prompt: a key typed as soon as it shows is not echoed
  stdin.resume();
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = "";
    const finish = (err: Error | null) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      err ? reject(err) : resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return finish(null);
        if (ch === "\u0003") return finish(new CliError("cancelled", EXIT.failed, "cancelled"));
        if (ch === "\u007f" || ch === "\b") typed = typed.slice(0, -1);
        else if (typed.length < MAX_SECRET_BYTES) typed += ch;
      }
    };
    stdin.on("data", onData);
  });
}

export async function upstreamKey(ctx: Ctx, opts: { sk?: string; skFile?: string }): Promise<string> {
  const usage = (m: string) => new CliError(m, EXIT.usage, "invalid_params");
  try {
    if (opts.sk !== undefined && opts.skFile !== undefined) throw usage("--sk and --sk-file: give one of them");
    if (opts.skFile !== undefined) return readSecretFile(opts.skFile).key;
    if (opts.sk === "-") return await readSecretStream(Bun.stdin.stream(), "stdin (--sk -)");
    if (opts.sk !== undefined) {
      ctx.o.err(SK_ARGV_WARNING);
      return opts.sk;
    }
    if (process.stdin.isTTY) return oneKey(await promptHidden("upstream key (not echoed): "), "the key typed");
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw usage(`--sk: ${(err as Error).message}`);
  }
  throw usage("the upstream key is missing: pipe it with --sk - (stdin), or give --sk-file FILE");
}
