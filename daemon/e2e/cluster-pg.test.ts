// Three real routed processes on one PostgreSQL database and one Redis, as operators run them
// behind a load balancer. Postgres and Redis are reached through TCP links the test can cut, so a
// "restart" or an outage hits only these nodes, not the servers other tests share.
//   - upstream edits on node A are seen on B and C (propagation p50/p99 printed);
//   - an upstream with rpm 60 hammered through all three admits exactly 60 in its minute;
//   - a key budget that fits N requests admits N across the nodes;
//   - kill -9 of a node mid-load: the others keep answering, every answered request gets its row;
//   - Postgres cut mid-load: no row lost; Redis cut: share mode, alert, then shared again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { testDatabase, testRedis } from "../test-services.ts";
import { rpcClient, shortTempDir } from "./control-harness.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { startHookReceiver, type HookReceiver } from "./hook-receiver.ts";
import { spawnRouted } from "./processes.ts";
import { tcpLink, type TcpLink } from "./tcp-link.ts";

const pg = await testDatabase();
const redis = await testRedis();
const CLIENT = "route-cluster-client-key";
const NODES = ["a", "b", "c"] as const;
const SLOW = 60_000; // processes start, minutes turn, outages last: each test has its own deadlines inside
type Node = Awaited<ReturnType<typeof spawnRouted>> & { name: string; socket: string; spoolDir: string };

/** Polls `check` until it returns a value (not undefined), or fails after `ms`. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(2);
  }
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

describe.skipIf(!pg || !redis)("three routed processes on one Postgres and one Redis", () => {
  const dir = shortTempDir("rpg-");
  const pgUrl = new URL(pg ?? "postgres://x/y");
  let pgLink: TcpLink, redisLink: TcpLink, up: FakeUpstream, limited: FakeUpstream, hooks: HookReceiver, sql: postgres.Sql;
  const nodes = new Map<string, Node>();

  const args = (name: string) => {
    const dbUrl = new URL(pgUrl);
    dbUrl.host = `127.0.0.1:${pgLink.port}`;
    return [
      "--db", dbUrl.toString(), "--redis", redisLink.url("redis"), "--upstreams", join(dir, "upstreams.yaml"),
      "--socket", join(dir, `${name}.sock`), "--spool-dir", join(dir, `spool-${name}`),
    ];
  };
  async function startNode(name: string): Promise<Node> {
    const n = await spawnRouted(args(name), { env: { ROUTE_REDIS_PREFIX: redis!.prefix } });
    const node = { ...n, name, socket: join(dir, `${name}.sock`), spoolDir: join(dir, `spool-${name}`) };
    nodes.set(name, node);
    return node;
  }
  const node = (name: string) => nodes.get(name)!;
  const chat = (n: Node, extra: Record<string, unknown> = {}, key = CLIENT) =>
    fetch(`${n.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], ...extra }),
    });
  const rowIds = async () => new Set((await sql`SELECT id FROM request_logs`).map((r) => r.id as string));

  beforeAll(async () => {
    pgLink = tcpLink(pgUrl.hostname, Number(pgUrl.port || 5432));
    const r = new URL(process.env.ROUTE_TEST_REDIS ?? "redis://127.0.0.1:6379");
    redisLink = tcpLink(r.hostname, Number(r.port || 6379));
    up = await startFakeUpstream("U");
    limited = await startFakeUpstream("L");
    hooks = startHookReceiver();
    sql = postgres(pg!, { max: 2, onnotice: () => {} });
    writeFileSync(
      join(dir, "upstreams.yaml"),
      [
        `authorization: ${CLIENT}`,
        // One micro-dollar per completion token: max_tokens 7 reserves 7 µ$ and the fake's 7 tokens cost 7 µ$.
        `prices: { "gpt-4o*": { input: 0, output: 1 } }`,
        `notify: { window: 1s, webhook: [{ url: "${hooks.url}" }] }`,
        `upstreams:`,
        `  - { name: main, sk: sk-upstream-cluster-main, endpoint: "${up.url}/v1" }`,
      ].join("\n"),
    );
    for (const n of NODES) await startNode(n);
  }, SLOW);
  afterAll(async () => {
    for (const n of nodes.values()) if (n.proc.exitCode === null) n.proc.kill("SIGTERM");
    const t0 = performance.now();
    await Promise.all([...nodes.values()].map((n) => n.exited.then(() => console.log(`${n.name} exited after ${(performance.now() - t0).toFixed(0)} ms`))));
    await sql?.end();
    pgLink?.stop();
    redisLink?.stop();
    up?.stop();
    limited?.stop();
    hooks?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, SLOW);

  test("20 upstream edits on node A are each seen on B and C (propagation p50/p99 printed)", async () => {
    const [a, b, c] = await Promise.all(NODES.map((n) => rpcClient(node(n).socket)));
    const times: number[] = [];
    for (let i = 1; i <= 20; i++) {
      const t0 = performance.now();
      await a!.call("upstreams.update", { upstream: "main", patch: { weight: i } });
      for (const peer of [b!, c!]) {
        await until(`weight ${i} on a peer`, async () => ((await peer.call("upstreams.get", { upstream: "main" })).weight === i ? true : undefined), 5000);
        times.push(performance.now() - t0);
      }
    }
    console.log(`config propagation over ${times.length} observations: p50 ${pct(times, 0.5).toFixed(1)} ms, p99 ${pct(times, 0.99).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`);
    for (const x of [a!, b!, c!]) x.close();
  }, SLOW);

  test("an upstream with rpm 60 hammered through all three nodes at once admits exactly 60 in its minute", async () => {
    const a = await rpcClient(node("a").socket);
    await a.call("upstreams.add", { name: "lim", sk: "sk-upstream-cluster-lim", endpoint: `${limited.url}/v1`, rpm: 60, models: ["limited-*"] });
    await a.call("upstreams.update", { upstream: "main", patch: { models: ["gpt-*"] } }); // limited-* only to lim
    for (const n of NODES) {
      const peer = await rpcClient(node(n).socket);
      await until(`lim on ${n}`, async () => ((await peer.call("upstreams.get", { upstream: "main" })).models?.length === 1 ? true : undefined));
      peer.close();
    }
    a.close();
    // Redis's minute decides: start with room left in it (the requests take well under a second).
    await until("room in the minute", () => (60_000 - (Date.now() % 60_000) > 8000 ? true : undefined), 60_000);
    const statuses = await Promise.all(Array.from({ length: 150 }, (_, i) => chat(node(NODES[i % 3]!), { model: "limited-1" }).then(async (r) => (await r.arrayBuffer(), r.status))));
    expect(limited.received.length).toBe(60);
    expect(statuses.filter((s) => s === 200).length).toBe(60);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 429)).toBe(true);
  }, SLOW);

  test("a key budget that fits 12 requests admits 12 of 45 sent at once across the nodes", async () => {
    const a = await rpcClient(node("a").socket);
    const { secret } = await a.call("keys.add", { name: "budgeted", budgetMicros: 84 });
    a.close();
    // The key has reached a node once /v1/models takes it (a 401 is the old view); nothing is spent.
    const models = (n: Node) => fetch(`${n.url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } }).then(async (r) => (await r.arrayBuffer(), r.status));
    for (const n of NODES) await until(`the key on ${n}`, async () => ((await models(node(n))) === 200 ? true : undefined));
    const before = up.received.length;
    const statuses = await Promise.all(Array.from({ length: 45 }, (_, i) => chat(node(NODES[i % 3]!), { max_tokens: 7 }, secret).then(async (r) => (await r.arrayBuffer(), r.status))));
    expect(statuses.filter((s) => s === 200).length).toBe(12);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 429)).toBe(true);
    expect(up.received.length - before).toBe(12);
  }, SLOW);

  /** Sends `total` requests, `concurrency` at a time, round-robin over the named nodes; `during` runs once, part way. */
  async function load(names: readonly string[], total: number, at: number, during: () => Promise<void>) {
    const answered: { node: string; id: string }[] = [];
    const failed: { node: string; why: string }[] = [];
    let next = 0;
    let fired = false;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        if (i === at && !fired) {
          fired = true;
          await during();
        }
        const name = names[i % names.length]!;
        const n = node(name);
        try {
          const r = await chat(n);
          const body = await r.text();
          if (r.status === 200 && body.includes("chat.completion")) answered.push({ node: name, id: r.headers.get("x-request-id")! });
          else failed.push({ node: name, why: `${r.status}` });
        } catch (err) {
          failed.push({ node: name, why: (err as Error).message });
        }
      }
    };
    await Promise.all(Array.from({ length: 9 }, worker));
    return { answered, failed };
  }

  test("kill -9 of one node mid-load: the others keep answering, and every answered request has its row", async () => {
    const { answered, failed } = await load(NODES, 600, 300, async () => {
      node("c").proc.kill("SIGKILL");
      await node("c").exited;
    });
    expect(failed.filter((f) => f.node !== "c")).toEqual([]);
    expect(answered.filter((x) => x.node === "c").length).toBeGreaterThan(0);
    await startNode("c"); // as systemd's Restart= would: its crash journal becomes rows
    const want = answered.map((x) => x.id);
    const missing = await until("every answered request's row", async () => {
      const have = await rowIds();
      const left = want.filter((id) => !have.has(id));
      return left.length === 0 ? left : undefined;
    }, 20_000);
    expect(missing).toEqual([]);
  }, SLOW);

  test("Postgres cut mid-load: answering goes on, /health says degraded, and no row is lost", async () => {
    let degraded: unknown = null;
    const { answered, failed } = await load(NODES, 450, 150, async () => {
      pgLink.cut();
      let last: unknown;
      degraded = await until("/health degraded", async () => {
        const h = (await (await fetch(`${node("a").url}/health`)).json()) as { status: string };
        last = h;
        return h.status === "degraded" ? h : undefined;
      }).catch((err) => {
        throw new Error(`${(err as Error).message}; last: ${JSON.stringify(last)}`);
      });
      setTimeout(() => pgLink.restore(), 1500); // the outage lasts while the rest of the load runs
    });
    expect(failed).toEqual([]);
    expect(degraded).toMatchObject({ status: "degraded" });
    const want = answered.map((x) => x.id);
    await until("every row after the outage", async () => {
      const have = await rowIds();
      return want.every((id) => have.has(id)) ? true : undefined;
    }, 30_000);
    for (const n of NODES) {
      const h = await until(`/health ok on ${n}`, async () => {
        const j = (await (await fetch(`${node(n).url}/health`)).json()) as { status: string };
        return j.status === "ok" ? j : undefined;
      }, 30_000);
      expect(h.status).toBe("ok");
    }
  }, SLOW);

  test("Redis cut: share mode with its alert and /health degraded; shared counting again once it is back", async () => {
    hooks.received.length = 0;
    redisLink.cut();
    await until("redis_down alert", () => (hooks.received.some((e) => JSON.stringify(e).includes("redis_down")) ? true : undefined), 15_000);
    const h = (await (await fetch(`${node("a").url}/health`)).json()) as { status: string; redis?: { redis_outage: string } };
    expect(h).toMatchObject({ status: "degraded", redis: { state: "down", redis_outage: "share" } });
    const served = await chat(node("b"));
    expect(served.status).toBe(200);
    await served.arrayBuffer();
    redisLink.restore();
    await until("redis_recovered alert", () => (hooks.received.some((e) => JSON.stringify(e).includes("redis_recovered")) ? true : undefined), 15_000);
    // Each node reconnects on its own schedule (backoff up to 1 s): every one comes back to shared counting.
    for (const n of NODES) {
      await until(`route_redis_up 1 on ${n}`, async () => (/^route_redis_up 1$/m.test(await (await fetch(`${node(n).url}/metrics`)).text()) ? true : undefined), 15_000);
    }
  }, SLOW);
});
