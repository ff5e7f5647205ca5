// The control socket's contract against the real daemon: every method refuses bad params with a
// stable data.code, application errors are coded, and protocol abuse (bad JSON, unknown methods,
// huge lines, abrupt disconnects) never disturbs the proxy.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { methods, type MethodName } from "../../shared/rpc/contract.ts";
import type { RpcClient } from "../../shared/rpc/client.ts";
import { rawConnection, rpcClient, rpcError, shortTempDir } from "./control-harness.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { chatBody, startRoute, type Route } from "./harness.ts";

let a: FakeUpstream;
let route: Route;
let rpc: RpcClient;
let socketPath: string;

beforeAll(async () => {
  a = await startFakeUpstream("A");
  socketPath = join(shortTempDir(), "r.sock");
  route = await startRoute([{ name: "a", sk: "sk-contract-secret-aaaa", endpoint: a.url }], { socketPath });
  rpc = await rpcClient(socketPath);
});
afterAll(async () => {
  rpc.close();
  await route.stop();
  a.stop();
});

// For every method: params it must refuse, beyond the unknown field every method refuses.
const BAD: Record<MethodName, unknown[]> = {
  "daemon.status": [[1]],
  "upstreams.list": [[]],
  "upstreams.get": [{}, { upstream: 0 }, { upstream: "" }, { upstream: true }],
  "upstreams.add": [{}, { endpoint: "ftp://x", sk: "k" }, { endpoint: "http://h/v1" }, { endpoint: "http://h/v1", sk: "k", name: "bad name" }, { endpoint: "http://h/v1", sk: "k", position: 0 }, { endpoint: "http://h/v1", sk: "k", timeoutMs: -5 }],
  "upstreams.update": [{ upstream: "a" }, { upstream: "a", patch: {} }, { upstream: "a", patch: { enabled: "yes" } }, { upstream: "a", patch: { sk: "k", bogus: 1 } }],
  "upstreams.remove": [{}, { upstream: -1 }],
  "upstreams.move": [{ upstream: "a" }, { upstream: "a", position: 0 }, { upstream: "a", position: 1.5 }, { upstream: "a", position: "1" }],
  "upstreams.enable": [{}],
  "upstreams.disable": [{ upstream: null }],
  "upstreams.test": [{}],
  "logs.query": [{ limit: 0 }, { limit: 5000 }, { status: "6xx" }, { since: "yesterday" }, { before: "" }],
  "logs.get": [{}, { id: "short" }, { id: 42 }],
  "logs.subscribe": [{ status: "oops" }, { model: "" }],
  "logs.unsubscribe": [{}, { subscription: 7 }],
  "stats.snapshot": [{ window: 10 }],
  "stats.subscribe": [{ intervalMs: 10 }],
  "stats.unsubscribe": [{}],
  "stats.history": [{}, { since: "yesterday" }, { since: -1 }, { since: "24h", bucket: "week" }, { since: "24h", by: "node" }, { since: "24h", key: "" }],
  "config.reload": [{ file: "/etc/passwd" }],
  "config.export": [{ keys: "full" }],
  "notify.list": [[]],
  "notify.test": [{ channel: "" }, { channel: 5 }],
  "keys.list": [[]],
  "keys.get": [{}, { key: 0 }, { key: "bad name" }],
  "keys.add": [{}, { name: "" }, { name: "k", budgetMicros: -1 }, { name: "k", budgetMicros: 0.5 }, { name: "k", budgetWindow: "year" }, { name: "k", models: "gpt-4o" }, { name: "k", maxInflight: 0 }],
  "keys.update": [{ key: "k" }, { key: "k", patch: {} }, { key: "k", patch: { enabled: "yes" } }, { key: "k", patch: { hash: "ab" } }],
  "keys.enable": [{}],
  "keys.disable": [{ key: null }],
  "keys.remove": [{ key: -1 }],
  "keys.rotate": [{}, { key: "k", graceMs: -1 }, { key: "k", graceMs: "1h" }],
  "keys.usage": [{ since: -1 }, { key: "" }],
  "keys.adjust": [{ key: "k" }, { key: "k", amountMicros: 1, reset: true }, { key: "k", amountMicros: 0.5 }, { key: "k", reset: false }],
  "keys.export": [[]],
  "cluster.nodes": [[]],
  "keys.import": [{}, { keys: [{ name: "k", prefix: "sk-route-ab12", hash: "xyz" }] }, { keys: [{ name: "k", prefix: "", hash: "a".repeat(64) }] }, { keys: [{ name: "k", prefix: "p", hash: "a".repeat(64), rpm: -1 }] }],
};

describe("params are validated", () => {
  for (const method of Object.keys(methods) as MethodName[]) {
    test(`${method}: bad params → -32602 invalid_params`, async () => {
      for (const params of [{ bogus: 1 }, ...BAD[method]]) {
        const raw = await rawConnection(socketPath);
        raw.send(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method, params })}\n`);
        const res = await raw.next();
        raw.close();
        expect(res.id).toBe(1);
        expect(res.error.code).toBe(-32602);
        expect(res.error.data.code).toBe("invalid_params");
        expect(res.error.message).toContain(method);
      }
    });
  }
});

describe("application errors carry a stable code", () => {
  test("not_found, duplicate_name, invalid_position", async () => {
    for (const call of [
      rpc.call("upstreams.get", { upstream: "nope" }),
      rpc.call("upstreams.update", { upstream: 99, patch: { enabled: false } }),
      rpc.call("upstreams.remove", { upstream: "nope" }),
      rpc.call("upstreams.move", { upstream: "nope", position: 1 }),
      rpc.call("upstreams.enable", { upstream: "nope" }),
      rpc.call("upstreams.test", { upstream: "nope" }),
      rpc.call("logs.get", { id: "00000000-0000-7000-8000-000000000000" }),
    ]) {
      const err = await rpcError(call);
      expect(err.code).toBe("not_found");
    }
    expect((await rpcError(rpc.call("upstreams.add", { endpoint: "http://h/v1", sk: "k", name: "a" }))).code).toBe("duplicate_name");
    for (const call of [rpc.call("keys.get", { key: "nope" }), rpc.call("keys.disable", { key: 99 }), rpc.call("keys.rotate", { key: "nope" }), rpc.call("keys.usage", { key: "nope" })]) {
      expect((await rpcError(call)).code).toBe("not_found");
    }
    await rpc.call("keys.add", { name: "contract-key" });
    expect((await rpcError(rpc.call("keys.add", { name: "contract-key" }))).code).toBe("duplicate_name");
    expect((await rpcError(rpc.call("keys.add", { name: "k2", allowIps: ["10.0.0.0/99"] }))).code).toBe("invalid_params");
    const pos = await rpcError(rpc.call("upstreams.move", { upstream: "a", position: 5 }));
    expect(pos.code).toBe("invalid_position");
    expect(pos.message).toContain("use 1 to 1");
  });
});

describe("protocol abuse never disturbs the proxy", () => {
  test("malformed JSON, unknown method, invalid request, batch, notification: answered, connection kept", async () => {
    const raw = await rawConnection(socketPath);
    raw.send("{not json\n");
    expect(await raw.next()).toMatchObject({ id: null, error: { code: -32700, data: { code: "parse_error" } } });
    raw.send(`${JSON.stringify({ jsonrpc: "2.0", id: 2, method: "upstreams.destroyAll" })}\n`);
    const unknown = await raw.next();
    expect(unknown).toMatchObject({ id: 2, error: { code: -32601, data: { code: "method_not_found" } } });
    expect(unknown.error.message).toContain("upstreams.list");
    raw.send(`${JSON.stringify({ id: 3, method: "daemon.status" })}\n`);
    expect(await raw.next()).toMatchObject({ id: 3, error: { code: -32600, data: { code: "invalid_request" } } });
    raw.send(`${JSON.stringify({ jsonrpc: "2.0", method: "daemon.status" })}\n`); // a notification: no answer
    raw.send(`${JSON.stringify([{ jsonrpc: "2.0", id: 4, method: "upstreams.list" }, { jsonrpc: "2.0", id: 5, method: "nope" }])}\r\n`);
    const batch = await raw.next();
    expect(batch.map((r: any) => r.id)).toEqual([4, 5]);
    expect(batch[0].result.upstreams[0]).toMatchObject({ name: "a", sk: "****aaaa" });
    // 300 logs.get calls in one 33 KB line once built a 300 MB answer: refused whole now.
    raw.send(`${JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "logs.get", params: { id: "0000000000000000" } })))}\n`);
    expect(await raw.next()).toMatchObject({ id: null, error: { code: -32600, data: { code: "batch_too_large" } } });
    raw.close();
  });

  test("a huge line closes only that connection", async () => {
    const raw = await rawConnection(socketPath);
    raw.send(new Uint8Array(2 << 20).fill(0x61));
    expect(await raw.next()).toMatchObject({ error: { data: { code: "line_too_long" } } });
    await raw.closed();
    expect((await rpc.call("daemon.status", {})).counts.upstreams).toBe(1);
    expect((await route.post("/v1/chat/completions", chatBody())).status).toBe(200);
  });

  test("abrupt disconnects (mid-line, with a subscription, many at once) leave the daemon serving", async () => {
    const conns = await Promise.all(Array.from({ length: 20 }, () => rawConnection(socketPath)));
    conns.forEach((c, i) => {
      if (i % 2) c.send('{"jsonrpc":"2.0","id":1,"method":"logs.subscribe","params":{}}\n');
      c.send('{"jsonrpc":"2.0","id":2,"meth');
    });
    await Promise.all(conns.filter((_, i) => i % 2).map((c) => c.next()));
    for (const c of conns) c.socket.resetAndDestroy();
    // Rows written now are published to no one: the closed subscriptions are gone.
    expect((await route.post("/v1/chat/completions", chatBody())).status).toBe(200);
    await route.rows();
    const status = await rpc.call("daemon.status", {});
    expect(status.counts.logs).toBeGreaterThan(0);
    expect(route.daemon.control!.path).toBe(socketPath);
  });
});

describe("results match the contract", () => {
  test("status, list, stats snapshot and export parse with the contract's schemas", async () => {
    const s = await rpc.call("daemon.status", {});
    expect(s).toMatchObject({ protocol: 1, socket: socketPath, draining: false, pid: process.pid });
    expect((await rpc.call("stats.snapshot", {})).upstreams[0]).toMatchObject({ label: "a", state: "up" });
    const { yaml } = await rpc.call("config.export", {});
    expect(yaml).toContain("sk: \"****aaaa\"");
    expect(yaml).not.toContain("sk-contract-secret");
  });
});
