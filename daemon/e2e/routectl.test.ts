// routectl as a child process against `routed start` as a child process, on a real socket, with
// fake upstreams and the openai SDK as the client: the operator's workflow end to end.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { displayWidth } from "../../shared/table.ts";
import { shortTempDir } from "./control-harness.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { CLIENT_KEY, chatBody } from "./harness.ts";
import { followRoutectl, routectl, spawnRouted } from "./processes.ts";

let a: FakeUpstream;
let b: FakeUpstream;
let dir: string;
let sock: string;
let db: string;
let file: string;
let routed: Awaited<ReturnType<typeof spawnRouted>>;

const start = async () => (routed = await spawnRouted(["--db", db, "--upstreams", file, "--socket", sock]));
const ctl = (...args: string[]) => routectl(["--socket", sock, ...args]);
const sdk = () => new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${routed.url}/v1`, maxRetries: 0 });
async function servedBy(): Promise<string | null> {
  const { response } = await sdk().chat.completions.create(chatBody()).withResponse();
  return response.headers.get("x-route-attempts");
}

beforeAll(async () => {
  a = await startFakeUpstream("A");
  b = await startFakeUpstream("B");
  dir = shortTempDir();
  sock = join(dir, "routed.sock");
  db = join(dir, "db.sqlite");
  file = join(dir, "upstreams.yaml");
  writeFileSync(file, `# managed by hand\nauthorization: ${CLIENT_KEY}\n`);
  await start();
});
afterAll(async () => {
  routed.proc.kill("SIGTERM");
  await routed.exited;
  a.stop();
  b.stop();
});

describe("routectl with a running routed", () => {
  test("add two upstreams and list them (table within 80 columns, and --json)", async () => {
    expect((await ctl("add", "--name", "a", "--endpoint", a.url, "--sk", "sk-ctl-a-0000aaaa")).out).toContain("added a (id 1) at position 1");
    const added = await ctl("add", "--json", "--name", "b", "--endpoint", b.url, "--sk", "sk-ctl-b-0000bbbb", "--timeout", "20s", "--stream-timeout", "3s");
    expect(added.json()).toMatchObject({ id: 2, name: "b", position: 2, sk: "****bbbb", timeoutMs: 20_000, streamTimeoutMs: 3000, source: "runtime" });
    const list = await ctl("list");
    expect(list.code).toBe(0);
    const lines = list.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^#\s+ID\s+NAME\s+ENDPOINT\s+KEY\s+STATE\s+SOURCE$/);
    expect(lines[1]).toMatch(/^1\s+1\s+a\s+http:\/\/127\.0\.0\.1:\d+\/v1\s+\*\*\*\*aaaa\s+up\s+runtime$/);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    expect(list.out).not.toContain("sk-ctl");
    expect((await ctl("list", "--json")).json().map((u: any) => u.name)).toEqual(["a", "b"]);
    expect(await servedBy()).toBe("a=ok");
  });

  test("move the second first: the next request is served by it", async () => {
    const moved = await ctl("move", "b", "1");
    expect(moved.code).toBe(0);
    expect(moved.out).toMatch(/\n1\s+2\s+b\s/);
    expect(await servedBy()).toBe("b=ok");
  });

  test("disable one: it is skipped", async () => {
    expect((await ctl("disable", "b")).out).toContain("disabled b (id 2) at position 1, disabled");
    expect(await servedBy()).toBe("a=ok");
    expect((await ctl("list")).out).toMatch(/\n1\s+2\s+b\s.*\sdisabled\s+runtime/);
  });

  test("restart: the order and the disabled state are kept; with routed down, list and add work on --db and say so", async () => {
    const history = (await ctl("stats", "--since", "24h", "--json")).json();
    expect(history.totals.requests).toBeGreaterThan(0);
    routed.proc.kill("SIGTERM");
    expect(await routed.exited).toBe(0);
    const down = await ctl("status");
    expect(down.code).toBe(3);
    expect(down.err).toContain(`cannot reach routed at ${sock}`);
    expect(down.err).toContain("is routed running?");
    const offline = await ctl("--db", db, "list", "--json");
    expect(offline.code).toBe(0);
    expect(offline.err).toContain(`routed is not reachable at ${sock}; working on the database ${db} directly`);
    expect(offline.json().map((u: any) => [u.name, u.enabled, u.state])).toEqual([["b", false, null], ["a", true, null]]);
    const added = await ctl("--db", db, "add", "--name", "c", "--endpoint", b.url, "--sk", "sk-offline-c-cccc", "--disabled");
    expect(added.out).toContain("added c (id 3) at position 3, disabled");
    expect(added.err).toContain("routed picks the change up when it starts");

    await start();
    // The history is the database's: the same after a restart (the live minute starts from zero).
    expect((await ctl("stats", "--since", "24h", "--json")).json().totals).toEqual(history.totals);
    expect((await ctl("list", "--json")).json().map((u: any) => [u.name, u.enabled, u.state])).toEqual([["b", false, "disabled"], ["a", true, "up"], ["c", false, "disabled"]]);
    expect(await servedBy()).toBe("a=ok");
    expect((await ctl("rm", "c")).out).toContain("removed c (id 3)");
  });

  test("logs -f prints a request made with the openai SDK, reply text included; show prints the full record", async () => {
    const f = followRoutectl(["--socket", sock, "logs", "-f", "-n", "1"]);
    await f.until(/TIME\s+ID\s+ST\s+UPSTREAM\s+MODEL\s+TOTAL\s+REPLY\n.*\n/); // header and backlog: subscribed
    a.next({ stream: { chunks: 3 } });
    const stream = await sdk().chat.completions.create(chatBody({ stream: true, messages: [{ role: "user", content: "follow me" }] }));
    for await (const _ of stream);
    const line = (await f.until(/\n(\d\d:\d\d:\d\d\s+([0-9a-f]{12})\s+200\s+a\s+gpt-4o-mini\s+\S+\s+w0 w1 w2)\s*\n/))[2]!;
    f.proc.kill("SIGINT");
    expect(await f.proc.exited).toBe(0);

    const show = await ctl("show", line);
    expect(show.code).toBe(0);
    expect(show.out).toMatch(/request\s+POST \/v1\/chat\/completions\s+model gpt-4o-mini\s+stream/);
    expect(show.out).toMatch(/attempts\s+a=ok 200 /);
    expect(show.out).toContain('"content": "follow me"');
    expect(show.out).toContain("── reply ──\nw0 w1 w2");
    const full = (await ctl("show", "--json", line)).json();
    expect(full).toMatchObject({ status: 200, stream: true, replyText: "w0 w1 w2 ", upstreamName: "a" });
    expect(full.id.endsWith(line)).toBe(true);
    const listed = (await ctl("logs", "--json", "-n", "2", "--grep", "follow me")).json();
    expect(listed.map((e: any) => e.id)).toEqual([full.id]);
  });

  test("status, test, stats, export and reload; --json parses everywhere", async () => {
    const status = (await ctl("status", "--json")).json();
    expect(status).toMatchObject({ socket: sock, db, upstreamsFile: file, counts: { upstreams: 2, enabled: 1 } });
    expect((await ctl("status")).out).toMatch(/^routed\s+0\.\d+\.\d+ \(protocol 1\)/);
    const t = await ctl("test", "a");
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/^ok {2}GET http:\/\/127\.0\.0\.1:\d+\/v1\/models → 200 in \d+ ms, 1 models/);
    expect((await ctl("test", "--json", "a")).json()).toMatchObject({ ok: true, status: 200, models: 1 });
    const stats = (await ctl("stats", "--json")).json();
    expect(stats.upstreams.map((u: any) => u.label)).toEqual(["b", "a"]);
    expect(stats.upstreams[1].attempts).toBeGreaterThan(0);
    expect((await ctl("stats")).out).toMatch(/UPSTREAM\s+STATE\s+REQ\/S/);
    const logged = status.counts.logs;
    const day = await ctl("stats", "--since", "24h");
    const lines = day.out.trimEnd().split("\n");
    expect(lines[1]).toMatch(/^UPSTREAM\s+REQS\s+ERR\s+TOKENS\s+COST\s+P50\s+P95\s+TTFT50\s+TTFT95$/);
    expect(lines.find((l) => l.startsWith("TOTAL"))).toMatch(new RegExp(`^TOTAL\\s+${logged}\\s`));
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    const byModel = (await ctl("stats", "--since", "7d", "--by", "model", "--json")).json();
    expect(byModel.groups.reduce((n: number, g: any) => n + g.requests, 0)).toBe(logged);
    expect((await ctl("stats", "--since", "yesterday")).code).toBe(2);
    const exported = await ctl("export");
    expect(exported.out).toContain('sk: "****aaaa"');
    expect(exported.out).not.toContain("sk-ctl-a");
    const full = await ctl("--db", db, "export");
    expect(full.out).toContain("sk: sk-ctl-a-0000aaaa");
    expect(full.err).toContain("keys are in full");
    expect((await ctl("reload", "--json")).json()).toMatchObject({ file, found: true, added: 0, removed: 0, upstreams: 2 });
  });

  test("SIGHUP re-reads the upstreams file", async () => {
    appendFileSync(file, `upstreams:\n  - name: f\n    sk: sk-from-file-ffff\n    endpoint: ${b.url}\n`);
    routed.proc.kill("SIGHUP");
    await routed.log.until(/msg="config reloaded".* added=1/);
    expect((await ctl("list", "--json")).json().map((u: any) => `${u.name}:${u.source}`)).toEqual(["f:file", "b:runtime", "a:runtime"]);
    expect(await servedBy()).toBe("f=ok");
  });

  test("import api-together's apis.json: rpm/rpd/models/modelMapping become settings, other fields are kept; a second import skips them", async () => {
    const apis = join(dir, "apis.json");
    writeFileSync(apis, JSON.stringify({ server: { port: 3001, apiKey: "sk-123" }, apis: [{ id: "t1", name: "Together", baseUrl: a.url.replace(/\/v1$/, ""), apiKey: "sk-together-1111", rpm: 60, rpd: 1000, enabled: true, models: ["gpt-4"], modelMapping: { g4: "gpt-4" } }] }));
    const first = await ctl("import", apis);
    expect(first.code).toBe(0);
    expect(first.out).toContain("imported 1 upstream from");
    expect(first.out).toContain("note: server.apiKey");
    const t1 = (await ctl("list", "--json")).json().find((u: any) => u.name === "t1");
    expect(t1).toMatchObject({ endpoint: a.url, sk: "****1111", rpm: 60, rpd: 1000, models: ["gpt-4"], modelMapping: { g4: "gpt-4" }, extra: { id: "t1", name: "Together" } });
    expect((await ctl("import", "--json", apis)).json()).toMatchObject({ added: [], skipped: ["t1"] });
  });

  test("usage errors exit 2, failures exit 1, each with one line on stderr", async () => {
    const usage = await ctl("move", "a", "zero");
    expect(usage.code).toBe(2);
    expect(usage.err).toContain("use a position from 1");
    expect((await ctl("frobnicate")).code).toBe(2);
    const missing = await ctl("disable", "nope");
    expect(missing.code).toBe(1);
    expect(missing.err.trim()).toBe('routectl: no upstream with id or name "nope"; list them to see ids and names');
    expect((await ctl("disable", "--json", "nope")).err).toContain('"code":"not_found"');
  });
});
