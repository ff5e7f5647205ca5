#!/usr/bin/env bun
// `npm run build`: one single-file executable (bun build --compile: no Node or Bun needed on the
// server) at dist/routed, with dist/routectl and dist/route-tui as links to it. The binary carries
// the runtime (~100 MB), so one copy serves all three names (see daemon/cli/main.ts).
// Usage: bun daemon/build/compile.ts [--outdir DIR]
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const LINKS = ["routectl", "route-tui"];

export async function compile(outdir: string): Promise<string> {
  mkdirSync(outdir, { recursive: true });
  const binary = join(outdir, "routed");
  const proc = Bun.spawn([process.execPath, "build", "--compile", "--minify", join(ROOT, "daemon/cli/main.ts"), "--outfile", binary], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`bun build --compile failed:\n${out}${err}`);
  for (const name of LINKS) {
    rmSync(join(outdir, name), { force: true });
    symlinkSync("routed", join(outdir, name)); // relative: the directory can be moved or installed as is
  }
  return binary;
}

if (import.meta.main) {
  const i = process.argv.indexOf("--outdir");
  const outdir = resolve(i > 0 ? process.argv[i + 1]! : join(ROOT, "dist"));
  await compile(outdir);
  process.stdout.write(`built ${join(outdir, "routed")} (+ ${LINKS.join(", ")} as links)\n`);
}
