// What Route adds and removes at its edges: headers both ways, its Via mark and the loop guard,
// the upstream's request id, the idle timeout of kept-alive connections, the drain deadline.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { FakeUpstream } from "./fake-upstream.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../store/sqlite/open.ts";
import { CLIENT_KEY, chatBody, json } from "./harness.ts";
import { e2eSuite, type RouteOptions } from "./suite.ts";

const suite = e2eSuite("A", "B");
let a: FakeUpstream, b: FakeUpstream;
beforeAll(() => void ([a, b] = suite.upstreams));

const route = (opts: RouteOptions = {}) => suite.route([{ name: "a", endpoint: a.url }], opts);

describe("headers at Route's edges", () => {
  test("client headers that name its network or bill another account never reach the upstream; Route adds its Via", async () => {
    const r = await route();
    await r.post("/v1/chat/completions", chatBody(), {
      "openai-organization": "org-client",
      "openai-project": "proj-client",
      "true-client-ip": "6.6.6.6",
      "x-real-ip": "6.6.6.7",
      "cf-connecting-ip": "6.6.6.8",
      via: "1.1 corporate-proxy",
    });
    const h = a.received.at(-1)!.headers;
    for (const k of ["openai-organization", "openai-project", "true-client-ip", "x-real-ip", "cf-connecting-ip"]) expect(h[k]).toBeUndefined();
    expect(h.via).toMatch(/^1\.1 corporate-proxy, 1\.1 route-[0-9a-f]{12}$/);
  });

  test("upstream headers about the operator's account and software are dropped; its request id comes back as x-upstream-request-id and is logged", async () => {
    const r = await route();
    a.next({
      headers: { server: "upstream-server/1.2", "x-powered-by": "Express", "openai-organization": "org-operator", "openai-project": "proj-operator", "set-cookie": "s=1", "x-request-id": "req_upstream_123", "openai-processing-ms": "42" },
    });
    const res = await r.post("/v1/chat/completions", chatBody());
    for (const k of ["server", "x-powered-by", "openai-organization", "openai-project", "set-cookie"]) expect(res.headers.get(k)).toBeNull();
    expect(res.headers.get("x-upstream-request-id")).toBe("req_upstream_123");
    expect(res.headers.get("x-request-id")).not.toBe("req_upstream_123"); // Route's own id
    expect(res.headers.get("openai-processing-ms")).toBe("42");
    const row = (await r.rows()).at(-1)!;
    expect(row).toMatchObject({ id: res.headers.get("x-request-id")!, upstreamRequestId: "req_upstream_123" });
  });

  test("a failed upstream's request id is kept too (streams and errors)", async () => {
    const r = await route();
    a.next({ status: 503, headers: { "x-request-id": "req_failed_9" } });
    const res = await r.post("/v1/chat/completions", chatBody());
    expect(res.status).toBe(503);
    expect(res.headers.get("x-upstream-request-id")).toBe("req_failed_9");
    expect((await r.rows()).at(-1)!.upstreamRequestId).toBe("req_failed_9");
    a.next({ headers: { "request-id": "req_anthropic_style" } });
    const s = await r.post("/v1/chat/completions", chatBody({ stream: true }));
    expect(s.headers.get("x-upstream-request-id")).toBe("req_anthropic_style");
    await s.text();
    await r.daemon.pipeline.idle();
    expect((await r.rows()).at(-1)!.upstreamRequestId).toBe("req_anthropic_style");
  });
});

describe("loop guard", () => {
  test("an upstream pointing back at Route: the echo is refused with 508 and the next upstream answers", async () => {
    // Route's own client key doubles as the upstream key, so the echo passes auth: the worst case.
    const r = await suite.route([{ name: "a", endpoint: b.url }], { config: { authorization: CLIENT_KEY } });
    await r.daemon.upstreams.add({ name: "self", endpoint: `${r.url}/v1`, sk: CLIENT_KEY, enabled: true, priority: 1 } as any);
    const res = await r.post("/v1/chat/completions", chatBody());
    expect(res.status).toBe(200);
    expect(res.headers.get("x-route-attempts")).toBe("self=http_5xx, a=ok");
    const rows = await r.rows();
    expect(rows.length).toBe(2); // the echo and the request: no multiplication
    expect(rows.find((x) => x.status === 508)).toMatchObject({ errorCode: "loop_detected" });
  });

  test("alone, the self-pointing upstream gives the client 508 loop_detected", async () => {
    const r = await suite.route([{ name: "a", endpoint: b.url, enabled: false }], { config: { authorization: CLIENT_KEY } });
    await r.daemon.upstreams.add({ name: "self", endpoint: `${r.url}/v1`, sk: CLIENT_KEY, enabled: true } as any);
    const res = await r.post("/v1/chat/completions", chatBody());
    expect(res.status).toBe(508);
    expect((await json(res)).error.code).toBe("loop_detected");
  });
});

/** Rows of a stopped Route, read back from its database file. */
async function rowsAfterStop(db: string) {
  const store = openSqliteStore(db);
  try {
    return await store.listLogs(10);
  } finally {
    await store.close();
  }
}

describe("connections and shutdown", () => {
  let dir = "";
  beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), "route-guards-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("a kept-alive connection that carried a proxied request gets its idle timeout back", async () => {
    const r = await route({ clientIdleTimeoutS: 1 });
    const { port } = new URL(r.url);
    const closed = Promise.withResolvers<void>();
    const answered = Promise.withResolvers<string>();
    let got = "";
    const body = JSON.stringify(chatBody());
    const sock = await Bun.connect({
      hostname: "127.0.0.1",
      port: Number(port),
      socket: {
        data(_s, d) {
          got += new TextDecoder().decode(d);
          if (got.includes("hello from A")) answered.resolve(got);
        },
        close: () => closed.resolve(),
        error: () => closed.resolve(),
      },
    });
    sock.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${CLIENT_KEY}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n${body}`);
    expect(await answered.promise).toStartWith("HTTP/1.1 200");
    await closed.promise; // Route closes the idle connection (before the fix it stayed open for good)
  }, 15_000);

  test("the drain deadline ends a live stream with an in-band shutting_down error, logged as that", async () => {
    const db = join(dir, "stream.sqlite");
    const r = await route({ drainTimeoutMs: 100, dbPath: db });
    a.next({ stream: { chunks: 3, holdBefore: { index: 1, until: new Promise<void>(() => {}) } } });
    const res = await r.post("/v1/chat/completions", chatBody({ stream: true }));
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("w0");
    const stopped = r.daemon.stop();
    let rest = "";
    for (let x = await reader.read(); !x.done; x = await reader.read()) rest += new TextDecoder().decode(x.value);
    const last = JSON.parse(rest.trim().split("\n\n").at(-1)!.slice(6));
    expect(last.error).toMatchObject({ code: "shutting_down", type: "server_error" });
    await stopped;
    expect((await rowsAfterStop(db))[0]).toMatchObject({ status: 200, errorCode: "shutting_down", replyText: "w0 " });
  });

  test("a request still waiting for its upstream at the drain deadline gets 503 shutting_down", async () => {
    const db = join(dir, "waiting.sqlite");
    const r = await route({ drainTimeoutMs: 100, dbPath: db });
    a.next({ hang: true });
    const arrived = a.nextRequest();
    const pending = r.post("/v1/chat/completions", chatBody());
    await arrived;
    const stopped = r.daemon.stop();
    const res = await pending;
    expect(res.status).toBe(503);
    expect((await json(res)).error.code).toBe("shutting_down");
    await stopped;
    expect((await rowsAfterStop(db))[0]).toMatchObject({ status: 503, errorCode: "shutting_down" });
  });
});
