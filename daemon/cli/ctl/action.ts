// Wraps each command's work: reads the global options, builds the output, turns errors into one
// line on stderr and the documented exit code.
import type { Command } from "commander";
import type { Ctx, Globals } from "./backend.ts";
import { createOutput, reportError } from "./output.ts";

export function action<A extends unknown[]>(fn: (ctx: Ctx, ...args: A) => Promise<number | void>) {
  return async (...raw: unknown[]) => {
    const cmd = raw.at(-1) as Command;
    const g = cmd.optsWithGlobals() as Globals;
    const o = createOutput(Boolean(g.json));
    try {
      process.exitCode = (await fn({ g, o, cmd }, ...(raw.slice(0, -1) as A))) ?? 0;
    } catch (err) {
      process.exitCode = reportError(o, err);
    }
  };
}
