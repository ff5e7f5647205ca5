// routectl logs --search and logs export against `routed start` as a child process: a request whose
// body holds commas, quotes, newlines and non-ASCII text is found by a word of it, and exported as
// JSON lines and as CSV that parse back to what was sent (through the daemon, and with --db alone).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { shortTempDir } from "./control-harness.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { CLIENT_KEY, chatBody } from "./harness.ts";
import { routectl, spawnRouted } from "./processes.ts";

const HOSTILE = 'He said, "zebrafish, please"\nthen: café, 数据库; done';
let up: FakeUpstream;
let dir: string;
let sock: string;
let db: string;
let routed: Awaited<ReturnType<typeof spawnRouted>>;
const ctl = (...args: string[]) => routectl(["--socket", sock, ...args]);

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\r" && text[i + 1] === "\n") row.push(field), rows.push(row), (row = []), (field = ""), i++;
    else field += c;
  }
  return rows;
}

// Generous deadlines: routectl runs as a child process several times per test (seconds on a loaded machine).
beforeAll(async () => {
  up = await startFakeUpstream("A");
  dir = shortTempDir();
  sock = join(dir, "routed.sock");
  db = join(dir, "db.sqlite");
  const file = join(dir, "upstreams.yaml");
  writeFileSync(file, `authorization: ${CLIENT_KEY}\nupstreams:\n  - name: a\n    endpoint: ${up.url}\n    sk: sk-search-a-0000\n`);
  routed = await spawnRouted(["--db", db, "--upstreams", file, "--socket", sock]);
  const sdk = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${routed.url}/v1`, maxRetries: 0 });
  await sdk.chat.completions.create(chatBody({ messages: [{ role: "user", content: HOSTILE }] }));
  for (let i = 0; i < 3; i++) await sdk.chat.completions.create(chatBody({ messages: [{ role: "user", content: `plain request ${i}` }] }));
  // The log is written in batches off the response path: wait (with a deadline) until all four rows are there.
  const deadline = Date.now() + 10_000;
  while ((await ctl("logs", "--json", "-n", "10")).json().length < 4) {
    if (Date.now() > deadline) throw new Error("the four requests were not logged within 10 s");
    await Bun.sleep(50);
  }
}, 30_000);
afterAll(async () => {
  routed.proc.kill("SIGTERM");
  await routed.exited;
  up.stop();
});

describe("routectl logs --search and logs export", () => {
  test("--search finds the request by a word of its body, alone and with filters", async () => {
    const found = (await ctl("logs", "--json", "--search", "Zebrafish")).json();
    expect(found).toHaveLength(1);
    expect((await ctl("logs", "--json", "--search", "数据库", "--status", "2xx", "--upstream", "a", "--since", "1h", "--no-stream")).json()).toHaveLength(1);
    expect((await ctl("logs", "--json", "--search", "zebrafish", "--status", "5xx")).json()).toEqual([]);
    expect((await ctl("logs", "--json", "--search", "zebrafish", "--stream")).json()).toEqual([]);
    expect((await ctl("logs", "--json", "--search", "plain")).json()).toHaveLength(3);
    const table = await ctl("logs", "--search", "zebrafish");
    expect(table.out).toMatch(/TIME\s+ID\s+ST/);
    expect(table.out.trimEnd().split("\n")).toHaveLength(2);
    const refused = await ctl("logs", "-f", "--search", "x");
    expect(refused.code).toBe(2);
  }, 30_000);

  test("export --format jsonl: one row per line, newest first; --bodies carries the body as sent", async () => {
    const plain = await ctl("logs", "export", "--format", "jsonl");
    expect(plain.code).toBe(0);
    const rows = plain.out.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r.id)).toEqual(rows.map((r) => r.id).sort().reverse());
    expect(rows[0]).not.toHaveProperty("requestBody");
    const full = (await ctl("logs", "export", "--format", "jsonl", "--bodies", "--search", "zebrafish")).out.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(full).toHaveLength(1);
    expect(JSON.parse(full[0].requestBody).messages[0].content).toBe(HOSTILE);
    expect(full[0].attempts[0]).toMatchObject({ upstream: "a", outcome: "ok" });
  }, 30_000);

  test("export --format csv: quoted fields parse back (commas, quotes, newlines, non-ASCII); --db works without the daemon", async () => {
    const viaDaemon = await ctl("logs", "export", "--format", "csv", "--bodies", "--search", "zebrafish");
    const [header, row, ...rest] = parseCsv(viaDaemon.out);
    expect(rest).toEqual([]);
    const body = JSON.parse(row![header!.indexOf("requestBody")]!);
    expect(body.messages[0].content).toBe(HOSTILE);
    expect(row![header!.indexOf("status")]).toBe("200");
    expect(row![header!.indexOf("stream")]).toBe("false");
    const offline = await routectl(["--socket", join(dir, "nobody.sock"), "--db", db, "logs", "export", "--format", "csv", "--bodies", "--search", "zebrafish"]);
    expect(offline.code).toBe(0);
    expect(offline.err).toContain("working on the database");
    expect(parseCsv(offline.out)).toEqual(parseCsv(viaDaemon.out));
    const all = parseCsv((await ctl("logs", "export", "--format", "csv", "--since", "1h")).out);
    expect(all).toHaveLength(5); // header and four rows
  }, 30_000);
});
