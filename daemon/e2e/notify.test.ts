// Alerts from the real daemon: a request that fails everywhere reaches the webhook, with no key in
// it, and a hanging channel never delays the client.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { chatBody, CLIENT_KEY, startRoute } from "./harness.ts";
import { startHookReceiver, type HookReceiver } from "./hook-receiver.ts";

let a: FakeUpstream;
let hook: HookReceiver;
let received: any[];
let hang = false;

beforeAll(async () => {
  a = await startFakeUpstream("A");
  hook = startHookReceiver(() => hang);
  received = hook.received;
});
afterAll(() => {
  a.stop();
  hook.stop();
});

const nextHook = () => hook.next();

test("a request failing on every upstream is alerted, without keys; a hanging channel delays nothing", async () => {
  const r = await startRoute([{ name: "a", sk: "sk-SENTINEL-notify-0001", endpoint: a.url }], {
    config: { notify: { webhook: { url: `http://127.0.0.1:${hook.port}/hook`, events: ["request_failed", "upstream_auth"] }, include_excerpt: true } },
  });
  let arrived = nextHook();
  a.next({ status: 500, body: "trace sk-SENTINEL-notify-0001" });
  const res = await r.post("/v1/chat/completions", chatBody({ messages: [{ role: "user", content: "summarise this" }] }));
  expect(res.status).toBe(500); // the last upstream's own 5xx status, as the failover contract says
  await arrived;
  const ev = received.at(-1);
  expect(ev).toMatchObject({ type: "request_failed", detail: { status: 500, code: "upstream_error", model: "gpt-4o-mini" }, excerpt: "summarise this" });
  expect(ev.text).toContain("all 1 upstream failed: a (answered 500)");
  expect(JSON.stringify(received)).not.toContain("SENTINEL");
  expect(JSON.stringify(received)).not.toContain(CLIENT_KEY);

  // The channel now hangs. An upstream 401 raises upstream_auth; the client's answer does not wait.
  hang = true;
  arrived = nextHook();
  a.next({ status: 401, body: { error: { message: "bad key", code: "invalid_api_key" } } });
  const res2 = await r.post("/v1/chat/completions", chatBody());
  expect(res2.status).toBe(401);
  await arrived; // the alert is in flight and hanging…
  const ok = await r.post("/v1/chat/completions", chatBody()); // …while requests complete
  expect(ok.status).toBe(200);
  expect(received.at(-1)).toMatchObject({ type: "upstream_auth", upstream: "a" });
  await r.daemon.pipeline.idle();
  const metrics = await (await fetch(`${r.url}/metrics`)).text();
  expect(metrics).toContain('route_notifications_total{channel="webhook",outcome="sent"} 1');
  hang = false;
  await r.stop();
});

test("channels are listed and testable over the socket and with routectl; reload replaces them", async () => {
  const { shortTempDir, rpcClient, rpcError } = await import("./control-harness.ts");
  const { routectl } = await import("./processes.ts");
  const { writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const dir = shortTempDir();
  const socketPath = join(dir, "r.sock");
  const file = join(dir, "upstreams.yaml");
  const hookUrl = `http://127.0.0.1:${hook.port}/hook`;
  writeFileSync(file, `authorization: k\nnotify:\n  webhook:\n    url: ${hookUrl}\n    name: ops\n    events: [request_failed]\n`);
  const { loadConfigFile } = await import("../config/load.ts");
  const r = await startRoute([], { socketPath, upstreamsFile: file, config: loadConfigFile(file).config as Record<string, unknown> });
  const rpc = await rpcClient(socketPath);
  expect((await rpc.call("notify.list", {})).channels).toEqual([{ name: "ops", kind: "webhook", target: `127.0.0.1:${hook.port}`, events: ["request_failed"] }]);

  const arrived = nextHook();
  const out = await routectl(["--socket", socketPath, "notify", "test", "ops"]);
  expect(out.code).toBe(0);
  expect(out.out).toContain("ops (webhook): HTTP 200");
  await arrived;
  expect(received.at(-1)).toMatchObject({ type: "test" });
  expect((await rpcError(rpc.call("notify.test", { channel: "nope" }))).code).toBe("not_found");

  // A reload applies a changed notify: block; an unreachable channel makes `notify test` fail (exit 1).
  writeFileSync(file, `authorization: k\nnotify:\n  matrix:\n    homeserver: http://127.0.0.1:1\n    token: t\n    room: "!r:x"\n`);
  await rpc.call("config.reload", {});
  expect((await rpc.call("notify.list", {})).channels.map((c) => c.name)).toEqual(["matrix"]);
  const failed = await routectl(["--socket", socketPath, "--json", "notify", "test"]);
  expect(failed.code).toBe(1);
  expect(JSON.parse(failed.out).results[0]).toMatchObject({ channel: "matrix", ok: false, status: null });
  rpc.close();
  await r.stop();
});

test("health transitions and daily limits are alerted: upstream_down, upstream_up, upstream_daily_limit", async () => {
  let t = Date.UTC(2026, 0, 1, 12);
  const b = await startFakeUpstream("B");
  const r = await startRoute(
    [
      { name: "a", sk: "sk-a-key-0001", endpoint: a.url },
      { name: "b", sk: "sk-b-key-0002", endpoint: b.url, rpd: 1 },
    ],
    {
      now: () => t,
      config: {
        health: { window: 4, min_failures: 2, failure_ratio: 0.5, cooldown: "10s" },
        notify: { webhook: { url: `http://127.0.0.1:${hook.port}/hook`, events: ["upstream_down", "upstream_up", "upstream_daily_limit"] } },
      },
    },
  );
  const seen = () => received.filter((e) => e.type !== "request_failed" && e.type !== "upstream_auth").map((e) => `${e.type}:${e.upstream}`);
  const before = seen().length;
  const until = async (n: number) => {
    while (seen().length < before + n) await nextHook();
  };
  a.next({ status: 500 }, { status: 500 });
  await r.post("/v1/chat/completions", chatBody()); // a fails, b serves: b's one request of the day
  await r.post("/v1/chat/completions", chatBody()); // a fails again: ejected; b is over its limit
  await until(2);
  expect(seen().slice(before).sort()).toEqual(["upstream_daily_limit:b", "upstream_down:a"]);
  expect(received.find((e) => e.type === "upstream_down").text).toContain("a is out of rotation (cooling)");
  t += 10_000;
  expect((await r.post("/v1/chat/completions", chatBody())).status).toBe(200); // a's trial succeeds
  await until(3);
  expect(seen().at(-1)).toBe("upstream_up:a");
  await r.stop();
  b.stop();
});
