// Several Route nodes sharing one Redis (issue 16): an upstream's rpm holds across the nodes
// exactly, a health verdict reached on one node takes the upstream out (and back) on the others,
// and while Redis is away a node enforces its share of the limit, says so, and comes back to
// shared counting when Redis returns. Real daemons, real Redis, real sockets.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { FakeUpstream } from "./fake-upstream.ts";
import { chatBody, json, type Route } from "./harness.ts";
import { startHookReceiver, type HookReceiver } from "./hook-receiver.ts";
import { addKey } from "./key-fixtures.ts";
import { e2eSuite } from "./suite.ts";
import { testRedis } from "../test-services.ts";
import { closeTestConnections, roomInMinute, startRelay, testConnection, until } from "../redis/test-helpers.ts";

const redis = await testRedis();
const suite = e2eSuite("A", "B");
let a: FakeUpstream;
let b: FakeUpstream;
let hook: HookReceiver;
beforeAll(() => {
  [a, b] = suite.upstreams;
  hook = startHookReceiver();
});
afterAll(() => {
  hook.stop();
  closeTestConnections();
});

const shared = (prefix = redis!.prefix) => ({ redisUrl: redis!.url, redisPrefix: prefix });
const metric = async (r: Route, line: string) => (await (await fetch(`${r.url}/metrics`)).text()).split("\n").find((l) => l.startsWith(line)) ?? null;

describe.skipIf(!redis)("nodes sharing Redis", () => {
  test("an upstream with rpm 60 hammered through three nodes at once admits exactly 60 in its minute", async () => {
    const nodes = await Promise.all([1, 2, 3].map(() => suite.route([{ name: "a", endpoint: a.url, rpm: 60 }], shared(`${redis!.prefix}rpm:`))));
    await roomInMinute(await testConnection(redis!.url));
    const answers = await Promise.all(Array.from({ length: 120 }, (_, i) => nodes[i % 3]!.post("/v1/chat/completions", chatBody())));
    const statuses = answers.map((r) => r.status);
    expect(a.received.length).toBe(60);
    expect(statuses.filter((s) => s === 200).length).toBe(60);
    expect(statuses.filter((s) => s === 429).length).toBe(60);
    const refused = await json(answers[statuses.indexOf(429)]!);
    expect(refused.error.code).toBe("rate_limit_exceeded");
    // Each node counts locally what it sent (status, metrics): together, the 60.
    const sent = nodes.map((n) => n.daemon.limits.usage(1).rpm);
    expect(sent.reduce((x, y) => x + y, 0)).toBe(60);
  });

  test("an upstream ejected on one node is out of rotation on the other, and back when it returns", async () => {
    const ups = [
      { name: "a", endpoint: a.url, priority: 1 },
      { name: "b", endpoint: b.url },
    ];
    const config = { health: { window: 2, min_failures: 2, failure_ratio: 0.5, cooldown: "5m" } };
    const p = shared(`${redis!.prefix}health:`);
    const one = await suite.route(ups, { ...p, config });
    const two = await suite.route(ups, { ...p, config });
    a.next({ status: 500 }, { status: 500 });
    for (let i = 0; i < 2; i++) expect((await one.post("/v1/chat/completions", chatBody())).headers.get("x-route-upstream")).toBe("b");
    expect(one.daemon.health.snapshot(1).state).toBe("cooling");
    await until(() => two.daemon.health.snapshot(1).state === "cooling", "node two to take a out of rotation");
    const seen = a.received.length;
    const res = await two.post("/v1/chat/completions", chatBody());
    expect([res.status, res.headers.get("x-route-upstream")]).toEqual([200, "b"]);
    expect(a.received.length).toBe(seen); // node two did not try a
    // No echo: node two adopted the verdict without alerting or publishing it back.
    one.daemon.health.reset(1); // the operator tested it (routectl test): back in rotation
    await until(() => two.daemon.health.snapshot(1).state === "healthy", "node two to bring a back");
    expect((await two.post("/v1/chat/completions", chatBody())).headers.get("x-route-upstream")).toBe("a");
  });

  test("a node that starts while another's verdict stands reads it from Redis", async () => {
    const ups = [{ name: "a", endpoint: a.url, priority: 1 }, { name: "b", endpoint: b.url }];
    const p = shared(`${redis!.prefix}late:`);
    const one = await suite.route(ups, p);
    one.daemon.health.report(1, "auth_failed", { confirmed: true }); // its key refused: misconfigured
    const late = await suite.route(ups, p);
    await until(() => late.daemon.health.snapshot(1).state === "misconfigured", "the late node to read the verdict");
  });

  test("Redis away: share mode enforces limit ÷ live nodes, with the metric, the alert and /health degraded; then shared again", async () => {
    const relay = await startRelay(redis!.url);
    const prefix = `${redis!.prefix}outage:`;
    const ups = [{ name: "a", endpoint: a.url, rpm: 10 }];
    const config = { notify: { webhook: { url: hook.url, events: ["redis_down", "redis_recovered"] } } };
    // A password in the URL (this Redis needs none: it is ignored) must not reach alerts or /health.
    const cut = await suite.route(ups, { redisUrl: relay.url.replace("redis://", "redis://:s3cret-pass@"), redisPrefix: prefix, config });
    const other = await suite.route(ups, shared(prefix));
    await other.daemon.redis!.presence.beat();
    await cut.daemon.redis!.presence.beat();
    expect(cut.daemon.redis!.presence.count()).toBe(2);
    expect(await metric(cut, "route_redis_up")).toBe("route_redis_up 1");

    relay.cut();
    await until(() => !cut.daemon.redis!.link.up, "the node to notice Redis is gone");
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await cut.post("/v1/chat/completions", chatBody())).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]); // ⌊10 ÷ 2⌋ = 5
    expect(a.received.length).toBe(5);
    expect(await metric(cut, "route_redis_up")).toBe("route_redis_up 0");
    expect(await metric(cut, 'route_redis_outage_decisions_total{mode="share"}')).toBe('route_redis_outage_decisions_total{mode="share"} 8');
    const health = await fetch(`${cut.url}/health`);
    expect(health.status).toBe(200);
    expect(await json(health)).toMatchObject({ status: "degraded", redis: { state: "down", redis_outage: "share" } });
    await until(() => hook.received.some((e) => e.type === "redis_down"), "the redis_down alert");
    expect(JSON.stringify(hook.received)).toContain(relay.url);
    expect(JSON.stringify(hook.received)).not.toContain("s3cret-pass");

    relay.restore();
    await until(() => cut.daemon.redis!.link.up, "the node to reconnect", 10_000);
    await until(() => hook.received.some((e) => e.type === "redis_recovered"), "the redis_recovered alert");
    expect(await metric(cut, "route_redis_up")).toBe("route_redis_up 1");
    expect((await fetch(`${cut.url}/health`).then(json)).status).toBe("ok");
    const r = await testConnection(redis!.url);
    await roomInMinute(r);
    const before = a.received.length;
    for (let i = 0; i < 3; i++) expect((await cut.post("/v1/chat/completions", chatBody())).status).toBe(200);
    expect(a.received.length).toBe(before + 3);
    // Decided by Redis again: counted there, not in the outage counter.
    expect(await metric(cut, 'route_redis_outage_decisions_total{mode="share"}')).toBe('route_redis_outage_decisions_total{mode="share"} 8');
    const [s] = await r.time();
    expect(Number(await r.get(`${prefix}lim:{u:1}:m:${Math.floor(Number(s) / 60)}`))).toBe(3);
    relay.stop();
  });

  test("a client key's rpm holds across nodes (its max_inflight: counters.test.ts)", async () => {
    const p = shared(`${redis!.prefix}keys:`);
    const nodes = [await suite.route([{ name: "a", endpoint: a.url }], p), await suite.route([{ name: "a", endpoint: a.url }], p)];
    // Same key id on both nodes (each its own store here; one shared store in a real cluster).
    const secrets = await Promise.all(nodes.map((n) => addKey(n, "team", { rpm: 3 })));
    await roomInMinute(await testConnection(redis!.url));
    const post = (i: number) => fetch(`${nodes[i % 2]!.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${secrets[i % 2]}`, "content-type": "application/json" }, body: JSON.stringify(chatBody()) });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(i)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await json(await post(5));
    expect(refused.error.message).toContain("key team is at its rpm limit");
  });

  test("redis_outage closed: requests that need a shared limit get 503; the others are served", async () => {
    const relay = await startRelay(redis!.url);
    const ups = [{ name: "a", endpoint: a.url, rpm: 100, priority: 1 }, { name: "b", endpoint: b.url, priority: 0 }];
    const r = await suite.route(ups, { redisUrl: relay.url, redisPrefix: `${redis!.prefix}closed:`, config: { redis_outage: "closed" } });
    relay.cut();
    await until(() => !r.daemon.redis!.link.up, "the node to notice Redis is gone");
    const served = await r.post("/v1/chat/completions", chatBody()); // a cannot be checked: b (no limit) serves
    expect([served.status, served.headers.get("x-route-upstream")]).toEqual([200, "b"]);
    const pinnedToA = await suite.route([ups[0]!], { redisUrl: relay.url, redisPrefix: `${redis!.prefix}closed:`, config: { redis_outage: "closed" } });
    const refused = await pinnedToA.post("/v1/chat/completions", chatBody());
    expect(refused.status).toBe(503);
    expect((await json(refused)).error.message).toContain("Redis is unreachable and redis_outage is closed");
    expect(await metric(pinnedToA, 'route_redis_outage_decisions_total{mode="closed"}')).toBe('route_redis_outage_decisions_total{mode="closed"} 1');
    relay.stop();
  });
});
