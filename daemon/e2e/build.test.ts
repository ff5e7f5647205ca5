// `npm run build` output: the single multi-call executable, run as routed and (through its
// routectl link) as routectl, from a directory with no sources or migrations beside it. Threads are
// read from /proc (Linux, where routed runs as a service).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../build/compile.ts";
import { shortTempDir } from "./control-harness.ts";
import { routectl, spawnRouted } from "./processes.ts";

let out: string;
beforeAll(async () => {
  out = shortTempDir("rt-dist-");
  await compile(out);
}, 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true })); // ~100 MB

describe("compiled executables", () => {
  test("the built routectl talks to the built routed; migrations come from inside the binary", async () => {
    const run = shortTempDir(); // an empty working directory: no drizzle/ here
    const sock = join(run, "s.sock");
    const routed = await spawnRouted(["--socket", sock, "--noauth"], { cwd: run, bin: [join(out, "routed")] });
    const ctl = (...args: string[]) => routectl(["--socket", sock, ...args], {}, [join(out, "routectl")]);
    const added = await ctl("add", "--json", "--name", "x", "--endpoint", "http://127.0.0.1:9/v1", "--sk", "sk-built-9999");
    expect(added.code).toBe(0);
    expect(added.json()).toMatchObject({ id: 1, name: "x", sk: "****9999" });
    expect((await ctl("status", "--json")).json()).toMatchObject({ db: "./db.sqlite", counts: { upstreams: 1 } });
    // The request log has its own thread in the binary too (not the same-thread fallback).
    const threads = readdirSync(`/proc/${routed.proc.pid}/task`).map((t) => readFileSync(`/proc/${routed.proc.pid}/task/${t}/comm`, "utf8").trim());
    expect(threads).toContain("Worker");
    routed.proc.kill("SIGTERM");
    expect(await routed.exited).toBe(0);
    const offline = await routectl(["--socket", sock, "--db", join(run, "db.sqlite"), "list", "--json"], {}, [join(out, "routectl")]);
    expect(offline.json()).toEqual([expect.objectContaining({ name: "x" })]);
  });

  test("route-tui is the TUI (Ink bundled in): it answers --version, and asks for a terminal when it has none", async () => {
    const version = await routectl(["--version"], {}, [join(out, "route-tui")]);
    expect(version.code).toBe(0);
    expect(version.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const piped = await routectl([], {}, [join(out, "route-tui")]); // stdout is a pipe here
    expect(piped.code).toBe(2);
    expect(piped.err).toContain("needs an interactive terminal");
  });
});
