#!/usr/bin/env bun
// The multi-call entry of the compiled executable: one ~100 MB binary (it carries the Bun
// runtime) serves as routed, routectl and route-tui, dispatching on the name it was run as
// (dist/routectl and dist/route-tui are links to dist/routed). `route <program> …` works too.
import { basename } from "node:path";

const PROGRAMS = ["routed", "routectl", "route-tui"] as const;
type Program = (typeof PROGRAMS)[number];

/** argv0 keeps the name it was invoked by (a link's own name); execPath would resolve links. */
export function programFor(argv0: string, argv: string[]): { program: Program; argv: string[] } {
  const name = basename(argv0).replace(/\.(exe|ts)$/, "");
  if ((PROGRAMS as readonly string[]).includes(name)) return { program: name as Program, argv };
  const sub = argv[2];
  if (sub && (PROGRAMS as readonly string[]).includes(sub)) return { program: sub as Program, argv: [argv[0]!, argv[1]!, ...argv.slice(3)] };
  return { program: "routed", argv };
}

const { program, argv } = programFor(process.argv0, process.argv);
if (program === "routectl") {
  await (await import("./routectl.ts")).runRoutectl(argv);
} else if (program === "route-tui") {
  await (await import("../../tui/main.tsx")).runTui(argv);
} else {
  (await import("./routed.ts")).runRouted(argv);
}
