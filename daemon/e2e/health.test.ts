// Health that does not flap (issue 6): a failing upstream leaves rotation only past a threshold,
// comes back through one trial after its cooldown, 429 Retry-After cools it, a refused key keeps
// it out until tested, and a 200 that is not an answer fails over. The daemon runs on an injected
// clock, so cooldowns pass without sleeping.
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { rpcClient, shortTempDir } from "./control-harness.ts";
import type { FakeUpstream } from "./fake-upstream.ts";
import { CLIENT_KEY, chatBody, json, type Route } from "./harness.ts";
import { e2eSuite, type RouteOptions } from "./suite.ts";

const suite = e2eSuite("A", "B");
let a: FakeUpstream;
let b: FakeUpstream;
beforeAll(() => void ([a, b] = suite.upstreams));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
let t = Date.UTC(2026, 0, 1, 12);
const clock = () => t;

const HEALTH = { window: 4, min_failures: 2, failure_ratio: 0.5, cooldown: "10s", max_cooldown: "1m" };

function route(config: Record<string, unknown> = {}, opts: RouteOptions = {}, ups = [{ name: "a", endpoint: a.url }, { name: "b", endpoint: b.url }]) {
  return suite.route(ups, { now: clock, ...opts, config: { health: HEALTH, ...config } });
}

const status = async (r: Route) => (await json(await fetch(`${r.url}/v1/status`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } }))).apis;
const healthOf = async (r: Route, name: string) => (await status(r)).find((x: any) => x.name === name).health;
const send = async (r: Route) => {
  const res = await r.post("/v1/chat/completions", chatBody());
  await res.arrayBuffer();
  return { status: res.status, upstream: res.headers.get("x-route-upstream"), plan: res.headers.get("x-route-plan"), attempts: res.headers.get("x-route-attempts") };
};

describe("passive health", () => {
  test("a flapping upstream is ejected past the threshold and re-admitted through one trial; cooldowns double", async () => {
    const r = await route();
    a.next({ status: 500 });
    expect(await send(r)).toMatchObject({ status: 200, upstream: "b" }); // one error never ejects
    expect((await healthOf(r, "a")).state).toBe("healthy");
    a.next({ status: 500 });
    expect(await send(r)).toMatchObject({ status: 200, upstream: "b", attempts: "a=http_5xx, b=ok" });
    const cooling = await healthOf(r, "a");
    expect(cooling).toMatchObject({ state: "cooling", until: t + 10_000, ejections: 1 });
    expect((await status(r))[0].available).toBe(false);
    expect(await send(r)).toMatchObject({ upstream: "b", plan: "b" }); // out of rotation
    const metrics = await (await fetch(`${r.url}/metrics`)).text();
    expect(metrics).toContain('route_upstream_up{upstream="a"} 0');

    t += 10_000; // the cooldown is over: the next request is a's trial, and it succeeds
    expect((await healthOf(r, "a")).state).toBe("half_open");
    expect(await send(r)).toMatchObject({ upstream: "a", plan: "a, b" });
    expect((await healthOf(r, "a")).state).toBe("healthy");

    // Flapping again: ejected again, for twice as long; a failed trial doubles it once more.
    a.next({ status: 500 }, { status: 500 });
    await send(r);
    await send(r);
    expect(await healthOf(r, "a")).toMatchObject({ state: "cooling", until: t + 20_000, ejections: 2 });
    t += 20_000;
    a.next({ status: 502 });
    expect(await send(r)).toMatchObject({ upstream: "b", attempts: "a=http_5xx, b=ok" });
    expect(await healthOf(r, "a")).toMatchObject({ state: "cooling", until: t + 40_000, ejections: 3 });
  });

  test("a 200 that is not an answer (empty, HTML, no choices) fails over before the client sees it", async () => {
    const r = await route({ health: { min_failures: 5 } });
    a.next({ body: "" }, { body: "<!doctype html><title>portal</title>", headers: { "content-type": "text/html" } }, { body: { object: "chat.completion" } });
    for (let i = 0; i < 3; i++) {
      const res = await r.post("/v1/chat/completions", chatBody());
      expect(res.status).toBe(200);
      expect(res.headers.get("x-route-attempts")).toBe("a=bad_reply, b=ok");
      expect((await json(res)).choices[0].message.content).toBe("hello from B");
    }
    expect((await r.rows()).at(-1)!.attempts[0]).toMatchObject({ upstream: "a", outcome: "bad_reply", status: 200 });
  });

  test("429 with Retry-After cools that upstream until then", async () => {
    const r = await route();
    a.next({ status: 429, headers: { "retry-after": "30" } });
    expect(await send(r)).toMatchObject({ upstream: "b", attempts: "a=http_429, b=ok" });
    expect(await healthOf(r, "a")).toMatchObject({ state: "cooling", until: t + 30_000 });
    expect(await send(r)).toMatchObject({ plan: "b" });
    t += 30_000;
    expect(await send(r)).toMatchObject({ upstream: "a" });
  });

  test("401 twice marks an upstream misconfigured until it is tested", async () => {
    const dir = shortTempDir();
    dirs.push(dir);
    const socketPath = join(dir, "r.sock");
    const r = await route({}, { socketPath });
    a.next({ status: 401 }, { status: 401 });
    expect((await send(r)).status).toBe(401); // the first is passed back, and counts as one failure
    expect((await healthOf(r, "a")).state).toBe("healthy");
    expect((await send(r)).status).toBe(401);
    expect(await healthOf(r, "a")).toMatchObject({ state: "misconfigured", until: null });
    t += 3_600_000; // no cooldown ends it
    expect(await send(r)).toMatchObject({ status: 200, plan: "b" });

    const rpc = await rpcClient(socketPath);
    try {
      const listed = (await rpc.call("upstreams.list", {})).upstreams[0]!;
      expect([listed.state, listed.health?.state]).toEqual(["down", "misconfigured"]);
      expect((await rpc.call("stats.snapshot", {})).upstreams[0]!.health?.state).toBe("misconfigured");
      expect((await rpc.call("upstreams.test", { upstream: "a" })).ok).toBe(true); // the key works again
      expect((await rpc.call("upstreams.get", { upstream: "a" })).health?.state).toBe("healthy");
    } finally {
      rpc.close();
    }
    expect(await send(r)).toMatchObject({ upstream: "a", plan: "a, b" });
  });

  test("every candidate cooling: the one that cools down first is tried (default), or 503 with Retry-After", async () => {
    for (const mode of ["try_soonest", "reject"] as const) {
      const r = await route({ when_all_cooling: mode }, {}, [{ name: "a", endpoint: a.url }]);
      a.next({ status: 500 }, { status: 500 });
      await send(r);
      await send(r);
      expect((await healthOf(r, "a")).state).toBe("cooling");
      const res = await r.post("/v1/chat/completions", chatBody());
      if (mode === "try_soonest") {
        expect([res.status, res.headers.get("x-route-upstream")]).toEqual([200, "a"]);
        expect((await healthOf(r, "a")).state).toBe("healthy"); // its answer decided, like a trial
      } else {
        expect([res.status, (await json(res)).error.code, res.headers.get("retry-after")]).toEqual([503, "no_upstream", "10"]);
      }
      await r.stop();
    }
  });
});

describe("active checks and adaptive timeouts", () => {
  test("health_check_interval: a cooled-down upstream is re-admitted by a check, without client traffic", async () => {
    const r = await route({ health_check_interval: "20ms" });
    a.next({ status: 500 }, { status: 500 });
    await send(r);
    await send(r);
    expect((await healthOf(r, "a")).state).toBe("cooling");
    const before = a.received.length;
    t += 10_000;
    // Observable state, polled with a bound (the checker runs on its own timer).
    for (let i = 0; (await healthOf(r, "a")).state !== "healthy"; i++) {
      if (i > 200) throw new Error("not re-admitted by an active check");
      await Bun.sleep(10);
    }
    expect(a.received.slice(before).some((q) => q.method === "GET" && q.path === "/v1/models")).toBe(true);
  });

  test("stream_timeout: auto is shown with the timeout in force, within its bounds", async () => {
    const r = await route({ stream_timeout: "4s", stream_timeout_min: "1s", stream_timeout_max: "8s" }, {}, [{ name: "a", endpoint: a.url, stream_timeout: "auto" } as any]);
    const api = (await status(r))[0];
    expect([api.stream_timeout_auto, api.stream_timeout_ms, api.health.streamTimeoutMs]).toEqual([true, 4000, 4000]);
  });
});
