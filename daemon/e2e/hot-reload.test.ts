// Hot reload: an edit of the upstreams file applies on its own within two seconds; a broken edit
// is refused, the running config stays, and the error shows in daemon.status until a good edit.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfigFile } from "../config/load.ts";
import { startDaemon, type Daemon } from "../daemon.ts";
import { createLogger } from "../log.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { CLIENT_KEY, chatBody } from "./harness.ts";

let a: FakeUpstream;
let b: FakeUpstream;
let dir: string;
beforeAll(async () => {
  [a, b] = await Promise.all([startFakeUpstream("A"), startFakeUpstream("B")]);
  dir = mkdtempSync(join(tmpdir(), "route-reload-"));
});
afterAll(() => {
  a.stop();
  b.stop();
  rmSync(dir, { recursive: true, force: true });
});

const yaml = (first: string, second: string) =>
  `authorization: ${CLIENT_KEY}\nupstreams:\n  - name: ${first}\n    sk: sk-1\n    endpoint: ${first === "a" ? a.url : b.url}\n  - name: ${second}\n    sk: sk-2\n    endpoint: ${second === "a" ? a.url : b.url}\n`;

/** Resolves once `check` holds, polling the daemon's own state (the watcher has no hook to await). */
async function eventually(check: () => Promise<boolean> | boolean, withinMs: number): Promise<number> {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > withinMs) throw new Error(`not within ${withinMs} ms`);
    await Bun.sleep(25);
  }
  return performance.now() - t0;
}

test("a config edit takes effect live; a broken edit is refused and reported", async () => {
  const file = join(dir, "upstreams.yaml");
  writeFileSync(file, yaml("a", "b"));
  const errors: string[] = [];
  const logger = createLogger("error", (line) => errors.push(line)); // what stderr would show
  const daemon: Daemon = await startDaemon({
    hostname: "127.0.0.1", port: 0, dbPath: ":memory:", config: loadConfigFile(file).config, upstreamsFile: file, watchConfig: true, logger,
  });
  try {
    const servedBy = async () => {
      const res = await fetch(`${daemon.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${CLIENT_KEY}`, "content-type": "application/json" }, body: JSON.stringify(chatBody()) });
      await res.arrayBuffer();
      return res.headers.get("x-route-upstream");
    };
    expect(await servedBy()).toBe("a");
    writeFileSync(file, yaml("b", "a"));
    const took = await eventually(async () => daemon.pool.all()[0]?.name === "b", 2000);
    expect(took).toBeLessThan(2000);
    expect(await servedBy()).toBe("b");

    writeFileSync(file, yaml("b", "a").replace("sk: sk-2", "sk: sk-2\n    timeuot: 3"));
    await eventually(() => errors.some((e) => e.includes("timeuot")), 2000);
    expect(await servedBy()).toBe("b"); // the running config stays
    expect(errors.join("\n")).toContain("was not applied");
    expect(daemon.lastReloadError()?.message).toContain("timeuot: unknown field");

    writeFileSync(file, yaml("a", "b"));
    await eventually(async () => daemon.pool.all()[0]?.name === "a", 2000);
    expect(daemon.lastReloadError()).toBeNull();
  } finally {
    await daemon.stop();
  }
});
