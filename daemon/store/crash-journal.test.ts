import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openCrashJournal, readCrashJournal, removeCrashJournal } from "./crash-journal.ts";
import type { LogRow } from "./types.ts";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "route-journal-"));
  dirs.push(d);
  return d;
};
const receipt = (i: number, pad = 0) => ({ id: `r${i}`, ts: i, status: 200, userAgent: "x".repeat(pad) }) as unknown as LogRow;

describe("crash journal", () => {
  test("what a process recorded is there for the next one, oldest first, in owner-only files", () => {
    const dir = tmp();
    const j = openCrashJournal(dir);
    for (let i = 0; i < 5; i++) j.record(receipt(i));
    // no close(): a killed process does not close its files
    const left = readCrashJournal(dir);
    expect(left.rows.map((r) => r.id)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    for (const f of left.files) expect(statSync(f).mode & 0o777).toBe(0o600);
    removeCrashJournal(left.files);
    expect(readCrashJournal(dir).rows).toEqual([]);
    j.close();
  });

  test("a torn last line is skipped", async () => {
    const dir = tmp();
    const j = openCrashJournal(dir);
    j.record(receipt(1));
    j.close();
    const { appendFileSync } = await import("node:fs");
    appendFileSync(readCrashJournal(dir).files[0]!, '{"id":"r2","ts"');
    expect(readCrashJournal(dir).rows.map((r) => r.id)).toEqual(["r1"]);
  });

  test("segments rotate and are deleted once every receipt in them is settled, never before", () => {
    const dir = tmp();
    const j = openCrashJournal(dir);
    const big = 64 << 10; // 64 KiB receipts: a segment (4 MiB) every ~64
    for (let i = 0; i < 200; i++) j.record(receipt(i, big));
    const segments = readdirSync(dir).length;
    expect(segments).toBeGreaterThanOrEqual(3);
    j.settle(10); // inside the first segment: nothing goes
    expect(readdirSync(dir).length).toBe(segments);
    const before = readCrashJournal(dir).rows.length;
    j.settle(150);
    const after = readCrashJournal(dir);
    expect(readdirSync(dir).length).toBeLessThan(segments);
    expect(after.rows.length).toBeLessThan(before);
    // every receipt not settled yet is still there
    const ids = new Set(after.rows.map((r) => r.id));
    for (let i = 150; i < 200; i++) expect(ids.has(`r${i}`)).toBe(true);
    j.close();
  });
});
