// routectl keys as a child process against `routed start` as a child process: the secret is
// printed once and nowhere else (list, show, routed's log, the database), money is exact text.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { displayWidth } from "../../shared/table.ts";
import { hashSecret } from "../keys/secret.ts";
import { openSqliteStore } from "../store/sqlite/open.ts";
import { shortTempDir } from "./control-harness.ts";
import { CLIENT_KEY } from "./harness.ts";
import { routectl, spawnRouted } from "./processes.ts";

let dir: string;
let sock: string;
let db: string;
let routed: Awaited<ReturnType<typeof spawnRouted>>;
const secrets: string[] = [];
const ctl = (...args: string[]) => routectl(["--socket", sock, ...args]);
const SECRET = /sk-route-[A-Za-z0-9]{32}/g;

beforeAll(async () => {
  dir = shortTempDir();
  sock = join(dir, "routed.sock");
  db = join(dir, "db.sqlite");
  writeFileSync(join(dir, "upstreams.yaml"), `authorization: ${CLIENT_KEY}\n`);
  routed = await spawnRouted(["--db", db, "--upstreams", join(dir, "upstreams.yaml"), "--socket", sock]);
});
afterAll(async () => {
  routed.proc.kill("SIGTERM");
  await routed.exited;
});

describe("routectl keys", () => {
  test("add prints the secret once with a warning; list and show never show it", async () => {
    const add = await ctl("keys", "add", "alice", "--budget", "10", "--budget-window", "month", "--rpm", "60", "--models", "gpt-4o*,o1", "--allow-ip", "10.0.0.0/8", "--allow-ip", "::1", "--expires", "2030-01-02", "--note", "team a");
    expect(add.code).toBe(0);
    const found = add.out.match(SECRET)!;
    expect(found).toHaveLength(1);
    secrets.push(found[0]);
    expect(add.out).toContain("created key alice (id 1)");
    expect(add.out).toContain("it will not be shown again");

    const list = await ctl("keys", "list");
    const lines = list.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+PREFIX\s+STATE\s+SPENT\/BUDGET\s+TODAY\s+LIMITS\s+EXPIRES$/);
    expect(lines[1]).toMatch(new RegExp(`^alice\\s+${found[0].slice(0, 13)}\\s+active\\s+0\\.00/10\\.00 month\\s+0\\s+rpm 60\\s+2030-01-02$`));
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    const show = await ctl("keys", "show", "alice");
    expect(show.out).toMatch(/budget\s+10\.00 USD per month/);
    expect(show.out).toMatch(/allowed IPs\s+10\.0\.0\.0\/8, ::1/);
    for (const out of [list.out, show.out, (await ctl("keys", "list", "--json")).out, (await ctl("keys", "show", "1", "--json")).out]) expect(out).not.toContain(found[0]);
  });

  test("--json: add answers name and key (the secret) beside the view; bad input exits 2, a taken name 1", async () => {
    const add = await ctl("keys", "add", "bob", "--json", "--budget", "0.1", "--soft-budget", "0.05", "--max-inflight", "2");
    const j = add.json();
    expect(j).toMatchObject({ name: "bob", id: 2, budgetMicros: 100_000, softBudgetMicros: 50_000, maxInflight: 2, budgetWindow: "total", standing: { state: "active", spentMicros: 0 } });
    expect(j.key).toMatch(/^sk-route-[A-Za-z0-9]{32}$/);
    expect(j.prefix).toBe(j.key.slice(0, 13));
    secrets.push(j.key);
    expect((await ctl("keys", "list", "--json")).json().map((k: any) => [k.name, k.key])).toEqual([["alice", undefined], ["bob", undefined]]);
    expect((await ctl("keys", "add", "bob")).code).toBe(1);
    const bad = [["--budget", "1.2345678"], ["--budget", "-1"], ["--expires", "soon"], ["--budget-window", "year"], ["--rpm", "x"], ["--allow-ip", "10.0.0.0/99"]];
    expect((await Promise.all(bad.map((b) => ctl("keys", "add", "carol", ...b)))).map((r) => r.code)).toEqual(bad.map(() => 2));
    const dup = await ctl("keys", "add", "bob", "--json");
    expect(JSON.parse(dup.err)).toMatchObject({ error: { code: "duplicate_name" } });
  });

  test("edit changes, renames and clears; disable, enable", async () => {
    const edited = (await ctl("keys", "edit", "alice", "--json", "--no-rpm", "--tpm", "1000", "--no-models", "--budget", "2.5", "--name", "alice2")).json();
    expect(edited).toMatchObject({ name: "alice2", rpm: null, tpm: 1000, models: null, budgetMicros: 2_500_000, budgetWindow: "month" });
    expect((await ctl("keys", "edit", "alice2")).code).toBe(2);
    expect((await ctl("keys", "disable", "alice2")).out).toContain("disabled key alice2");
    expect((await ctl("keys", "list")).out).toMatch(/alice2\s+\S+\s+disabled/);
    expect((await ctl("keys", "enable", "alice2", "--json")).json().standing.state).toBe("active");
  });

  test("rotate prints the new secret once; the old one's grace shows; rm", async () => {

    const rotated = await ctl("keys", "rotate", "bob", "--grace", "2h");
    const [fresh] = rotated.out.match(SECRET)!;
    secrets.push(fresh!);
    expect(fresh).not.toBe(secrets[1]);
    expect(rotated.out).toContain("The previous secret keeps working until");
    const rows = await ctl("keys", "show", "bob", "--json");
    expect(rows.json().prefix).toBe(fresh!.slice(0, 13));
    expect(rows.json().rotatedUntil).toBeGreaterThan(Date.now() + 7_000_000);
    const instant = (await ctl("keys", "rotate", "bob", "--grace", "0", "--json")).json();
    secrets.push(instant.key);
    expect(instant.rotatedUntil).toBeNull();

    expect((await ctl("keys", "add", "temp")).code).toBe(0);
    secrets.push(...(await ctl("keys", "rotate", "temp")).out.match(SECRET)!);
    expect((await ctl("keys", "rm", "temp")).out).toContain("removed key temp");
    expect((await ctl("keys", "show", "temp")).code).toBe(1);
  });

  test("adjust and usage: money exact in and out (0.1 is 100000 micro-dollars)", async () => {
    expect((await ctl("keys", "adjust", "bob", "--amount", "0.1", "--note", "manual charge")).out).toContain("recorded +0.10 USD on key bob");
    expect((await ctl("keys", "adjust", "bob", "--amount", "-0.000001")).code).toBe(0);
    expect((await ctl("keys", "adjust", "bob")).code).toBe(2);
    expect((await ctl("keys", "adjust", "bob", "--amount", "1", "--reset")).code).toBe(2);
    const j = (await ctl("keys", "usage", "bob", "--json", "--since", "1h")).json();
    expect(j.ledger.map((e: any) => [e.kind, e.amountMicros, e.note])).toEqual([
      ["adjust", 100_000, "manual charge"],
      ["adjust", -1, null],
    ]);
    expect(j.usage).toEqual([{ key: "bob", keyId: 2, requests: 0, promptTokens: 0, completionTokens: 0, costMicros: 0, unpriced: 0 }]);
    const human = (await ctl("keys", "usage", "bob")).out;
    expect(human).toMatch(/adjust\s+\+0\.10\s+manual charge/);
    expect(human).toMatch(/adjust\s+-0\.000001/);
    expect((await ctl("keys", "usage")).out).toMatch(/alice2\s+0\s+0\s+0\s+0\.00\s+0/);
  });

  test("export → import on a second database (routed down, --db) restores the keys by hash", async () => {
    const file = join(dir, "keys.json");
    expect((await ctl("keys", "export", file)).out).toContain("exported 2 keys");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, "utf8");
    for (const s of secrets) expect(text).not.toContain(s);

    const other = join(dir, "second.sqlite");
    const offline = (...args: string[]) => routectl(["--socket", join(dir, "none.sock"), "--db", other, ...args]);
    const imported = await offline("keys", "import", file);
    expect(imported.code).toBe(0);
    expect(imported.out).toContain("2 added, 0 replaced, 0 skipped");
    expect(imported.err).toContain("working on the database");
    expect((await offline("keys", "import", file, "--json")).json()).toEqual({ added: 0, updated: 0, skipped: 2 });
    expect((await offline("keys", "import", file, "--replace", "--json")).json()).toEqual({ added: 0, updated: 2, skipped: 0 });
    const store = openSqliteStore(other);
    const rows = await store.listKeys();
    await store.close();
    expect(rows.map((r) => r.name)).toEqual(["alice2", "bob"]);
    expect(rows[1]!.hash).toBe(hashSecret(secrets[3]!)); // bob's current secret works on the new machine
    expect(rows[0]).toMatchObject({ tpm: 1000, budgetMicros: 2_500_000, budgetWindow: "month", allowIps: ["10.0.0.0/8", "::1"], note: "team a" });
    expect((await offline("keys", "export", "--json")).json().keys.map((k: any) => k.hash)).toEqual(rows.map((r) => r.hash));
    writeFileSync(join(dir, "bad.json"), "{nope");
    expect((await offline("keys", "import", join(dir, "bad.json"))).code).toBe(1);
  });

  test("no secret in routed's log or its database", async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    const bytes = [db, `${db}-wal`].filter(existsSync).map((p) => readFileSync(p).toString("latin1")).join("");
    for (const s of secrets) {
      expect(routed.log.text).not.toContain(s);
      expect(bytes).not.toContain(s);
    }
    expect(bytes).toContain(hashSecret(secrets[3]!));
  });
});
