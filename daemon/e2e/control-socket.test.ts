// The socket file itself (permissions, a live or stale socket at the path, bad paths) and the
// client library's subscriptions and reconnection, against the real daemon.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRpcClient, type ConnectionState } from "../../shared/rpc/client.ts";
import type { LogSummaryView } from "../../shared/rpc/contract.ts";
import { rpcClient, rpcError, shortTempDir } from "./control-harness.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { chatBody, startRoute } from "./harness.ts";

let a: FakeUpstream;
beforeAll(async () => {
  a = await startFakeUpstream("A");
});
afterAll(() => a.stop());

const up = () => [{ name: "a", sk: "sk-socket-test-0000", endpoint: a.url }];

/** Resolves with the first value `next` yields that passes `ok`. */
function waitFor<T>(subscribe: (push: (v: T) => void) => void, ok: (v: T) => boolean): Promise<T> {
  return new Promise((resolve) => subscribe((v) => ok(v) && resolve(v)));
}

describe("socket file", () => {
  test("created 0600 in a directory created 0700; removed on stop", async () => {
    const path = join(shortTempDir(), "sub", "r.sock");
    const route = await startRoute(up(), { socketPath: path });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
    await route.stop();
    expect(() => statSync(path)).toThrow();
  });

  test("a live socket is never taken over; the first daemon keeps serving", async () => {
    const path = join(shortTempDir(), "r.sock");
    const first = await startRoute(up(), { socketPath: path });
    await expect(startRoute(up(), { socketPath: path })).rejects.toThrow(`another routed is already listening on ${path}`);
    const rpc = await rpcClient(path);
    expect((await rpc.call("daemon.status", {})).pid).toBe(process.pid);
    rpc.close();
    await first.stop();
  });

  test("a stale socket left by a crash is replaced", async () => {
    const path = join(shortTempDir(), "r.sock");
    // A process that listens and dies without cleaning up, as after kill -9.
    const crash = Bun.spawn([process.execPath, "-e", `require("net").createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, "SIGKILL"))`]);
    await crash.exited;
    expect(statSync(path).isSocket()).toBe(true);
    const route = await startRoute(up(), { socketPath: path });
    const rpc = await rpcClient(path);
    expect((await rpc.call("upstreams.list", {})).upstreams).toHaveLength(1);
    rpc.close();
    await route.stop();
  });

  test("refused: a file that is not a socket, an over-long path, a directory others can write", async () => {
    const dir = shortTempDir();
    writeFileSync(join(dir, "file"), "x");
    await expect(startRoute(up(), { socketPath: join(dir, "file") })).rejects.toThrow("exists and is not a socket");
    await expect(startRoute(up(), { socketPath: join(dir, "x".repeat(120), "r.sock") })).rejects.toThrow(/unix sockets allow at most \d+: pass a shorter --socket/);
    mkdirSync(join(dir, "open"));
    chmodSync(join(dir, "open"), 0o777);
    await expect(startRoute(up(), { socketPath: join(dir, "open", "r.sock") })).rejects.toThrow(`chmod 700 ${join(dir, "open")}`);
  });

  test("the client names the socket it tried and how to fix it", async () => {
    const path = join(shortTempDir(), "none.sock");
    const err = await rpcError(createRpcClient({ socketPath: path }).connect());
    expect(err.code).toBe("daemon_unreachable");
    expect(err.message).toContain(path);
    expect(err.message).toContain("ROUTE_SOCKET");
  });
});

describe("subscriptions", () => {
  test("logs.subscribe: filtered live entries with the reply; stats.tick every interval", async () => {
    const path = join(shortTempDir(), "r.sock");
    const route = await startRoute(up(), { socketPath: path, statsTickMs: 50 });
    const rpc = await rpcClient(path);
    const entries: LogSummaryView[] = [];
    let onEntry: (e: LogSummaryView) => void = () => {};
    await rpc.subscribe("logs.subscribe", { status: "2xx" }, ({ entry }) => (entries.push(entry), onEntry(entry)));
    const got = waitFor<LogSummaryView>((push) => (onEntry = push), (e) => e.path === "/v1/embeddings");
    await route.post("/v1/chat/completions", "{not json"); // 400: filtered out
    await route.client.chat.completions.create(chatBody());
    await route.client.embeddings.create({ model: "e", input: "x" });
    await got;
    expect(entries.map((e) => [e.status, e.path, e.replyPreview])).toEqual([
      [200, "/v1/chat/completions", "hello from A"],
      [200, "/v1/embeddings", null],
    ]);
    // Every notified id can be fetched in full.
    expect((await rpc.call("logs.get", { id: entries[0]!.id.slice(-12) })).replyText).toBe("hello from A");

    const tick = await new Promise<any>((resolve) => rpc.subscribe("stats.subscribe", {}, (t) => t.stats.totals.requests >= 3 && resolve(t)));
    expect(tick.stats.upstreams[0]).toMatchObject({ label: "a", state: "up", attempts: 2, errorRate: 0 });
    expect(tick.stats.totals.statusClasses).toEqual({ "2xx": 2, "4xx": 1 });
    rpc.close();
    await route.stop();
  });

  test("with reconnect, the client comes back after a restart and its subscription resumes", async () => {
    const path = join(shortTempDir(), "r.sock");
    const db = join(shortTempDir(), "db.sqlite");
    let route = await startRoute(up(), { socketPath: path, dbPath: db });
    const client = createRpcClient({ socketPath: path, reconnect: true, backoff: { minMs: 20, maxMs: 100 } });
    const states: ConnectionState[] = [];
    let onState: (s: ConnectionState) => void = () => {};
    client.onState((s) => (states.push(s), onState(s)));
    await client.connect();
    let onEntry: (e: LogSummaryView) => void = () => {};
    await client.subscribe("logs.subscribe", {}, ({ entry }) => onEntry(entry));

    const lost = waitFor<ConnectionState>((push) => (onState = push), (s) => s === "disconnected");
    await route.stop();
    await lost;
    const back = waitFor<ConnectionState>((push) => (onState = push), (s) => s === "connected");
    route = await startRoute(up(), { socketPath: path, dbPath: db });
    await back;
    const entry = waitFor<LogSummaryView>((push) => (onEntry = push), () => true);
    // "connected" is announced once the subscription is re-established.
    await route.client.chat.completions.create(chatBody());
    expect((await entry).replyPreview).toBe("hello from A");
    expect(states).toContain("disconnected");
    client.close();
    await route.stop();
  });
});
