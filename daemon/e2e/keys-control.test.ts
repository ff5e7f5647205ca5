// keys.* on the real daemon's control socket: the secret crosses the socket once, every write is
// visible to the next call, usage sums the log rows to the micro-dollar.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { RpcClient } from "../../shared/rpc/client.ts";
import { hashSecret } from "../keys/secret.ts";
import { rpcClient, rpcError, shortTempDir } from "./control-harness.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { chatBody, startRoute, type Route } from "./harness.ts";

const T0 = 1_900_000_000_000;
let a: FakeUpstream;
let route: Route;
let rpc: RpcClient;

beforeAll(async () => {
  a = await startFakeUpstream("A");
  route = await startRoute([{ name: "a", sk: "sk-upstream-keys-aaaa", endpoint: a.url }], { socketPath: join(shortTempDir(), "r.sock"), now: () => T0 });
  rpc = await rpcClient(route.daemon.control!.path);
});
afterAll(async () => {
  rpc.close();
  await route.stop();
  a.stop();
});

describe("keys over the control socket", () => {
  test("add answers the secret once; list, get and the database hold only its prefix and hash", async () => {
    const { key, secret } = await rpc.call("keys.add", { name: "alice", budgetMicros: 10_000_000, budgetWindow: "month", models: ["gpt-4o*"], rpm: 60 });
    expect(secret).toMatch(/^sk-route-[A-Za-z0-9]{32}$/);
    expect(key).toMatchObject({ name: "alice", prefix: secret.slice(0, 13), budgetMicros: 10_000_000, budgetWindow: "month", models: ["gpt-4o*"], rpm: 60, enabled: true, standing: { state: "active" } });
    const list = await rpc.call("keys.list", {});
    const got = await rpc.call("keys.get", { key: key.id });
    for (const shown of [list, got]) {
      expect(JSON.stringify(shown)).not.toContain(secret);
      expect(JSON.stringify(shown)).not.toContain(hashSecret(secret));
    }
    const rows = JSON.stringify(await route.daemon.store.listKeys());
    expect(rows).not.toContain(secret);
    expect(rows).toContain(hashSecret(secret));
  });

  test("a write is seen by the very next call: disable, enable, rename, remove", async () => {
    const { key } = await rpc.call("keys.add", { name: "bob" });
    expect((await rpc.call("keys.disable", { key: "bob" })).standing.state).toBe("disabled");
    expect((await rpc.call("keys.get", { key: key.id })).enabled).toBe(false);
    expect((await rpc.call("keys.enable", { key: key.id })).standing.state).toBe("active");
    const renamed = await rpc.call("keys.update", { key: "bob", patch: { name: "robert", expiresAt: T0 - 1, note: "gone" } });
    expect(renamed).toMatchObject({ name: "robert", note: "gone", standing: { state: "expired" } });
    expect((await rpcError(rpc.call("keys.get", { key: "bob" }))).code).toBe("not_found");
    expect((await rpc.call("keys.remove", { key: "robert" })).name).toBe("robert");
    expect((await rpc.call("keys.list", {})).keys.map((k) => k.name)).not.toContain("robert");
  });

  test("rotate: a new secret, the old hash accepted for the grace period by the daemon's clock", async () => {
    const { secret: old } = await rpc.call("keys.add", { name: "svc" });
    const { key, secret } = await rpc.call("keys.rotate", { key: "svc" });
    expect(secret).not.toBe(old);
    expect(key.rotatedUntil).toBe(T0 + 3_600_000);
    const row = (await route.daemon.store.listKeys()).find((r) => r.name === "svc")!;
    expect(row).toMatchObject({ hash: hashSecret(secret), prevHash: hashSecret(old), prevValidUntil: T0 + 3_600_000 });
    expect((await rpc.call("keys.rotate", { key: "svc", graceMs: 0 })).key.rotatedUntil).toBeNull();
  });

  test("usage sums the key's log rows exactly (unpriced ones counted apart); adjust goes to the ledger", async () => {
    const { key } = await rpc.call("keys.add", { name: "meter" });
    expect((await route.post("/v1/chat/completions", chatBody())).status).toBe(200);
    const [real] = await route.rows();
    const charged = [123_457, 1, 999_999].map((costMicros) => ({ ...real!, id: Bun.randomUUIDv7(), keyId: key.id, keyName: "meter", costMicros }));
    await route.daemon.store.insertLogs([...charged, { ...charged[0]!, id: Bun.randomUUIDv7(), costMicros: null }]);
    await rpc.call("keys.adjust", { key: "meter", amountMicros: 100_000, note: "refund owed" });
    const { usage, ledger } = await rpc.call("keys.usage", { key: "meter" });
    expect(usage).toEqual([{ key: "meter", keyId: key.id, requests: 4, promptTokens: 4 * real!.promptTokens!, completionTokens: 4 * real!.completionTokens!, costMicros: 1_123_457, unpriced: 1 }]);
    expect(ledger).toMatchObject([{ kind: "adjust", amountMicros: 100_000, note: "refund owed", ts: T0 }]);
    expect((await rpc.call("keys.usage", { key: "meter", since: real!.ts + 1 })).usage[0]!.requests).toBe(0);
    await rpc.call("keys.remove", { key: "meter" });
    expect((await rpc.call("keys.usage", {})).usage.find((u) => u.keyId === key.id)?.key).toBe(`#${key.id}`);
  });

  test("export carries hashes, never secrets; import skips existing names unless replace; a known secret under another name is refused", async () => {
    const { secret } = await rpc.call("keys.add", { name: "exp", rpd: 100 });
    const { keys } = await rpc.call("keys.export", {});
    const mine = keys.find((k) => k.name === "exp")!;
    expect(mine).toMatchObject({ hash: hashSecret(secret), prefix: secret.slice(0, 13), rpd: 100 });
    expect(JSON.stringify(keys)).not.toContain(secret);
    expect(await rpc.call("keys.import", { keys })).toEqual({ added: 0, updated: 0, skipped: keys.length });
    expect(await rpc.call("keys.import", { keys: [{ ...mine, rpd: 5 }], replace: true })).toEqual({ added: 0, updated: 1, skipped: 0 });
    expect((await rpc.call("keys.get", { key: "exp" })).rpd).toBe(5);
    expect((await rpcError(rpc.call("keys.import", { keys: [{ ...mine, name: "other" }] }))).code).toBe("duplicate_key");
  });
});
