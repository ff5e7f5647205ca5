// The real `routed` executable as a child process: flags, config errors, graceful stop.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { chatBody } from "./harness.ts";

const ROUTED = join(import.meta.dir, "../cli/routed.ts");
let dir: string;
let a: FakeUpstream;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "route-cli-"));
  a = await startFakeUpstream("A");
});
afterAll(() => a.stop());

function run(args: string[], env: Record<string, string> = {}) {
  return Bun.spawnSync([process.execPath, ROUTED, ...args], { env: { ...process.env, ...env }, cwd: dir, stderr: "pipe", stdout: "pipe" });
}

/** Starts routed and resolves with its address once it logs that it listens. */
async function spawnRouted(args: string[]) {
  const env = { ...process.env, ROUTE_SOCKET: join(dir, "routed.sock") }; // never the user's default socket
  const proc = Bun.spawn([process.execPath, ROUTED, "start", "--addr", "127.0.0.1:0", ...args], { cwd: dir, env, stderr: "pipe", stdout: "pipe" });
  const reader = proc.stderr.getReader();
  let log = "";
  const dec = new TextDecoder();
  while (!/msg=listening addr=([\d.:]+)/.test(log)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`routed exited: ${log}`);
    log += dec.decode(value);
  }
  const addr = /msg=listening addr=([\d.:]+)/.exec(log)![1]!;
  const waiting: { re: RegExp; resolve: () => void }[] = [];
  const rest = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return log;
      log += dec.decode(value);
      for (const w of waiting.splice(0)) w.re.test(log) ? w.resolve() : waiting.push(w);
    }
  })();
  /** Resolves once routed's log has a line matching `re` (rejects if routed exits first). */
  const logged = (re: RegExp) => (re.test(log) ? Promise.resolve() : Promise.race([new Promise<void>((resolve) => waiting.push({ re, resolve })), rest.then(() => Promise.reject(new Error(`routed exited before logging ${re}: ${log}`)))]));
  return { proc, url: `http://${addr}`, log: () => rest, logged };
}

describe("routed executable", () => {
  test("--help documents every flag and its environment variable", () => {
    const out = run(["start", "--help"]).stdout.toString();
    for (const flag of ["--addr", "--db", "--upstreams", "--noauth", "--max-body", "--trust-proxy", "--drain-timeout", "--log-queue-max"]) expect(out).toContain(flag);
    for (const env of ["ROUTE_ADDR", "ROUTE_DB", "ROUTE_UPSTREAMS", "ROUTE_NOAUTH", "ROUTE_MAX_BODY", "ROUTE_TRUST_PROXY", "ROUTE_LOG_QUEUE_MAX"]) expect(out).toContain(env);
    expect(run(["--help"]).stdout.toString()).toContain("start");
  });

  test("a bad config file is refused: exit 1, one line per problem naming file, field and fix", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "authorization: k\nupstreams:\n  - sk: ''\n    endpoint: ftp://x\n  - endpoint: https://ok.example/v1\n    timeuot: 5\n");
    const r = run(["start", "--upstreams", file, "--db", join(dir, "bad.sqlite")]);
    expect(r.exitCode).toBe(1);
    const lines = r.stderr.toString().trim().split("\n");
    expect(lines).toEqual([
      `routed: ${file}: upstreams[0].sk: must not be empty: the upstream's API key`,
      `routed: ${file}: upstreams[0].endpoint: must be an http(s) URL ending in the API base, such as https://api.openai.com/v1`,
      `routed: ${file}: upstreams[1].sk: is required: the upstream's API key`,
      `routed: ${file}: upstreams[1].timeuot: unknown field; remove it or check its spelling`,
    ]);
  });

  test("an invalid flag value is refused with a usage hint", () => {
    const r = run(["start", "--addr", "nonsense"]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr.toString()).toContain("host:port");
  });

  test("SIGTERM drains: the in-flight stream completes, every request has its row, exit 0", async () => {
    const file = join(dir, "upstreams.yaml");
    const db = join(dir, "drain.sqlite");
    writeFileSync(file, `authorization: "k1, k2"\nupstreams:\n  - sk: sk-file-key\n    endpoint: ${a.url}\n    name: a\n`);
    const routed = await spawnRouted(["--upstreams", file, "--db", db]);
    const post = (body: object) =>
      fetch(`${routed.url}/v1/chat/completions`, { method: "POST", headers: { authorization: "Bearer k2", "content-type": "application/json" }, body: JSON.stringify(body) });
    for (let i = 0; i < 5; i++) expect((await post(chatBody())).status).toBe(200);

    let release!: () => void;
    a.next({ stream: { chunks: 3, holdBefore: { index: 1, until: new Promise<void>((r) => (release = r)) } } });
    const res = await post(chatBody({ stream: true }));
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("chatcmpl-A");

    routed.proc.kill("SIGTERM");
    const log = routed.log();
    await routed.logged(/msg=draining/); // the signal has arrived (it is delivered asynchronously)
    // Stopped accepting: a new connection is refused while the stream is still open.
    await expect(fetch(`${routed.url}/health`)).rejects.toThrow();
    release();
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest).toContain("[DONE]");
    expect(await routed.proc.exited).toBe(0);
    expect(await log).toContain("msg=stopped");

    const sqlite = new Database(db, { readonly: true });
    const rows = sqlite.query("select status, stream, reply_text from request_logs order by id").all() as any[];
    expect(rows.length).toBe(6);
    expect(rows.at(-1)).toEqual({ status: 200, stream: 1, reply_text: "w0 w1 w2 " });
    expect(sqlite.query("select name, source from upstreams").all()).toEqual([{ name: "a", source: "file" }]);
    sqlite.close();
    expect(statSync(db).mode & 0o777).toBe(0o600);
  });

  test("a second routed on the same --addr exits 1 with a plain reason, before it touches the database", async () => {
    const db = join(dir, "first.sqlite");
    const first = join(dir, "first.yaml");
    const second = join(dir, "second.yaml");
    writeFileSync(first, `upstreams:\n  - sk: sk-first\n    endpoint: ${a.url}\n    name: a\n`);
    writeFileSync(second, `upstreams:\n  - sk: sk-second\n    endpoint: ${a.url}\n    name: b\n`);
    const routed = await spawnRouted(["--upstreams", first, "--db", db, "--noauth"]);
    const addr = routed.url.slice("http://".length);
    // Its own socket, so only the address can stop it (the same socket is refused earlier still).
    const r = run(["start", "--addr", addr, "--db", db, "--upstreams", second, "--noauth", "--socket", join(dir, "second.sock")]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.toString()).toContain(`routed: cannot start: address ${addr} is in use (another routed?)`);
    expect((await fetch(`${routed.url}/v1/models`)).status).toBe(200); // the first one still serves alone
    routed.proc.kill("SIGTERM");
    expect(await routed.proc.exited).toBe(0);
    const sqlite = new Database(db, { readonly: true });
    expect(sqlite.query("select name from upstreams").all()).toEqual([{ name: "a" }]); // the second config never applied
    sqlite.close();
  });
});
