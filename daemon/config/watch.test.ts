// The config watch follows the file through the ways editors save it: in place, a new file renamed
// over it, deleted and written again, and a file that only appears after routed started.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { watchConfigFile } from "./watch.ts";

let dir: string;
let file: string;
let seen: (string | null)[] = []; // what each reload found at the path (null: no file)
let watcher: { close: () => void } | null = null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "route-watch-"));
  file = join(dir, "upstreams.yaml");
  seen = [];
});
afterEach(() => {
  watcher?.close();
  rmSync(dir, { recursive: true, force: true });
});

const start = () => (watcher = watchConfigFile(file, () => seen.push(existsSync(file) ? readFileSync(file, "utf8") : null), 10));

/** Does `change`, then resolves once a reload has read `expected` (polling: the watcher has no hook to await). */
async function reloadsAfter(change: () => void, expected: string | null, withinMs = 3000): Promise<void> {
  change();
  const t0 = performance.now();
  while (seen.at(-1) !== expected) {
    if (performance.now() - t0 > withinMs) throw new Error(`no reload found ${JSON.stringify(expected)} within ${withinMs} ms (seen ${JSON.stringify(seen)})`);
    await Bun.sleep(10);
  }
  expect(seen.at(-1)).toBe(expected);
}

test("an edit in place reloads", async () => {
  writeFileSync(file, "a: 1\n");
  start();
  await reloadsAfter(() => writeFileSync(file, "a: 2\n"), "a: 2\n");
});

test("a file renamed over the config reloads, and so do edits after it", async () => {
  writeFileSync(file, "a: 1\n");
  start();
  await reloadsAfter(() => {
    writeFileSync(`${file}.tmp`, "a: 2\n");
    renameSync(`${file}.tmp`, file);
  }, "a: 2\n");
  await reloadsAfter(() => writeFileSync(file, "a: 3\n"), "a: 3\n"); // the new file is the one watched now
});

test("deleted and written again, or missing at start: the new file is picked up and watched", async () => {
  start(); // no file yet
  await reloadsAfter(() => writeFileSync(file, "a: 1\n"), "a: 1\n");
  await reloadsAfter(() => unlinkSync(file), null);
  await reloadsAfter(() => writeFileSync(file, "a: 2\n"), "a: 2\n");
  await reloadsAfter(() => writeFileSync(file, "a: 3\n"), "a: 3\n");
});
