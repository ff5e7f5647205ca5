import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rpcError } from "../e2e/control-harness.ts";
import { openSqliteStore } from "../store/sqlite/open.ts";
import type { Store } from "../store/types.ts";
import { hashSecret, SECRET_CHARS } from "./secret.ts";
import { createKeyService, DEFAULT_GRACE_MS } from "./service.ts";
import { standingAtRest } from "./view.ts";

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

/** A service over a fresh store, a settable clock, a settable spend per key, and a count of reloads. */
function setup(path = ":memory:") {
  const store = openSqliteStore(path);
  stores.push(store);
  let t = 1_800_000_000_000;
  const spent = new Map<number, number>();
  let reloads = 0;
  const keys = createKeyService({
    store,
    now: () => t,
    standing: (id) => ({ ...standingAtRest(undefined, t), state: "active", spentMicros: spent.get(id) ?? 0 }),
    onChange: async () => void reloads++,
  });
  return { store, keys, spent, reloads: () => reloads, advance: (ms: number) => (t += ms), now: () => t };
}

describe("secrets", () => {
  test("sk-route- plus 32 base62 characters (≥ 128 bits), different every time; the view carries only the prefix", async () => {
    const { keys } = setup();
    expect(SECRET_CHARS * Math.log2(62)).toBeGreaterThanOrEqual(128);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const { key, secret } = await keys.add({ name: `k${i}` });
      expect(secret).toMatch(/^sk-route-[A-Za-z0-9]{32}$/);
      expect(key.prefix).toBe(secret.slice(0, 13));
      expect(JSON.stringify(key)).not.toContain(secret);
      expect(JSON.stringify(key)).not.toContain(hashSecret(secret));
      seen.add(secret);
    }
    expect(seen.size).toBe(50);
    // Every base62 character turns up across 1600 characters: the alphabet is used whole.
    expect(new Set([...seen].map((s) => s.slice(9)).join("")).size).toBe(62);
  });

  test("the database holds the hash, never the secret (rows and the file itself)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keys-"));
    const path = join(dir, "db.sqlite");
    const { keys, store } = setup(path);
    const { secret: first } = await keys.add({ name: "alice", budgetMicros: 5_000_000, note: "team a" });
    const { secret: second } = await keys.rotate("alice");
    const rows = JSON.stringify(await store.listKeys());
    for (const s of [first, second]) expect(rows).not.toContain(s);
    expect(rows).toContain(hashSecret(second));
    expect(rows).toContain(hashSecret(first)); // as the previous hash, for the grace period
    await store.close();
    stores.length = 0;
    const bytes = [path, `${path}-wal`].filter(existsSync).map((p) => readFileSync(p).toString("latin1")).join("");
    expect(bytes).toContain(hashSecret(second));
    for (const s of [first, second]) expect(bytes).not.toContain(s);
  });
});

describe("rotation", () => {
  test("the previous hash stays valid for the grace period (default 1 h), by the injected clock", async () => {
    const { keys, store, advance, now } = setup();
    const { secret: old } = await keys.add({ name: "svc" });
    const { key, secret } = await keys.rotate("svc");
    expect(secret).not.toBe(old);
    const [row] = await store.listKeys();
    expect(row).toMatchObject({ hash: hashSecret(secret), prevHash: hashSecret(old), prevValidUntil: now() + DEFAULT_GRACE_MS, prefix: secret.slice(0, 13) });
    expect(key.rotatedUntil).toBe(now() + DEFAULT_GRACE_MS);
    advance(DEFAULT_GRACE_MS - 1);
    expect((await keys.get("svc")).rotatedUntil).toBe(now() + 1);
    advance(1);
    expect((await keys.get("svc")).rotatedUntil).toBeNull();
  });

  test("grace 0 drops the old secret at once; a custom grace is kept", async () => {
    const { keys, store, now } = setup();
    await keys.add({ name: "svc" });
    await keys.rotate("svc", 0);
    expect((await store.listKeys())[0]).toMatchObject({ prevHash: null, prevValidUntil: null });
    await keys.rotate("svc", 60_000);
    expect((await store.listKeys())[0]!.prevValidUntil).toBe(now() + 60_000);
  });
});

describe("changes", () => {
  test("every write reloads; update renames and clears; enable/disable; remove returns the key", async () => {
    const { keys, reloads, store } = setup();
    await keys.add({ name: "a", rpm: 10, models: ["gpt-4o*"] });
    expect(reloads()).toBe(1);
    const renamed = await keys.update("a", { name: "b", rpm: null, budgetMicros: 2_500_000, budgetWindow: "day" });
    expect(renamed).toMatchObject({ name: "b", rpm: null, models: ["gpt-4o*"], budgetMicros: 2_500_000, budgetWindow: "day" });
    expect((await keys.setEnabled("b", false)).standing.state).toBe("active"); // standing is the injected one
    expect((await store.listKeys())[0]!.enabled).toBe(false);
    expect((await keys.setEnabled(renamed.id, true)).enabled).toBe(true);
    expect((await keys.remove("b")).name).toBe("b");
    expect(await store.listKeys()).toEqual([]);
    expect(reloads()).toBe(5);
  });

  test("duplicate names, unknown keys and bad settings are refused with stable codes", async () => {
    const { keys, reloads } = setup();
    await keys.add({ name: "a" });
    await keys.add({ name: "b" });
    expect((await rpcError(keys.add({ name: "a" }))).code).toBe("duplicate_name");
    expect((await rpcError(keys.update("b", { name: "a" }))).code).toBe("duplicate_name");
    for (const p of [keys.get("zz"), keys.get(99), keys.update("zz", { rpm: 1 }), keys.setEnabled("zz", true), keys.remove("zz"), keys.rotate("zz"), keys.adjust("zz", { amountMicros: 1 }), keys.usage({ key: "zz" })]) {
      expect((await rpcError(p)).code).toBe("not_found");
    }
    const cidr = await rpcError(keys.add({ name: "c", allowIps: ["10.0.0.0/8", "10.0.0.300"] }));
    expect([cidr.code, cidr.data.field]).toEqual(["invalid_params", "allowIps"]);
    expect((await rpcError(keys.update("a", { budgetMicros: 1_000_000, softBudgetMicros: 2_000_000 }))).code).toBe("invalid_params");
    expect((await rpcError(keys.adjust("a", {}))).code).toBe("invalid_params");
    expect(reloads()).toBe(2);
  });
});

describe("money", () => {
  test("adjust writes a signed ledger entry; reset writes minus the window's spend; usage joins names", async () => {
    const { keys, spent, store } = setup();
    const { key } = await keys.add({ name: "a" });
    await keys.add({ name: "idle" });
    await keys.adjust("a", { amountMicros: 100_000, note: "manual" });
    await keys.adjust("a", { amountMicros: -30_000 });
    spent.set(key.id, 4_200_001);
    await keys.adjust("a", { reset: true, note: "new month" });
    const { ledger, usage } = await keys.usage({ key: "a" });
    expect(ledger.map((e) => [e.kind, e.amountMicros, e.note])).toEqual([
      ["adjust", 100_000, "manual"],
      ["adjust", -30_000, null],
      ["reset", -4_200_001, "new month"],
    ]);
    expect(usage).toEqual([{ key: "a", keyId: key.id, requests: 0, promptTokens: 0, completionTokens: 0, costMicros: 0, unpriced: 0 }]);
    expect(await store.spendSince(key.id, 0)).toBe(100_000 - 30_000 - 4_200_001);
    expect((await keys.usage({})).usage.map((u) => u.key)).toEqual(["a", "idle"]);
  });
});

describe("export and import", () => {
  test("round trip keeps the hash and settings; existing names skipped unless replace; a secret twice is refused", async () => {
    const a = setup();
    const { secret } = await a.keys.add({ name: "alice", budgetMicros: 10_000_000, budgetWindow: "month", models: ["gpt-4o*"], allowIps: ["10.0.0.0/8"], note: "n" });
    await a.keys.add({ name: "bob", enabled: false, rpm: 5 });
    const exported = await a.keys.export();
    expect(JSON.stringify(exported)).not.toContain(secret);
    expect(exported[0]!.hash).toBe(hashSecret(secret));

    const b = setup();
    await b.keys.add({ name: "bob" });
    expect(await b.keys.import(exported)).toEqual({ added: 1, updated: 0, skipped: 1 });
    const rows = await b.store.listKeys();
    expect(rows.find((r) => r.name === "alice")).toMatchObject({ hash: hashSecret(secret), prefix: secret.slice(0, 13), budgetMicros: 10_000_000, budgetWindow: "month", models: ["gpt-4o*"], allowIps: ["10.0.0.0/8"], note: "n" });
    expect(rows.find((r) => r.name === "bob")!.rpm).toBeNull();
    expect(await b.keys.import(exported, true)).toEqual({ added: 0, updated: 2, skipped: 0 });
    expect((await b.store.listKeys()).find((r) => r.name === "bob")).toMatchObject({ rpm: 5, enabled: false, hash: exported[1]!.hash });

    const clash = await rpcError(b.keys.import([{ ...exported[0]!, name: "carol" }]));
    expect(clash.code).toBe("duplicate_key");
    expect((await rpcError(b.keys.import([{ ...exported[0]!, name: "x", hash: "b".repeat(64) }, { ...exported[0]!, name: "x", hash: "c".repeat(64) }]))).code).toBe("invalid_params");
    expect((await b.store.listKeys()).map((r) => r.name)).toEqual(["bob", "alice"]);
  });
});
