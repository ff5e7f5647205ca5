// route-tui end to end, in a real terminal: the real routed (a child process, by path) with a
// small fake upstream, route-tui running in tmux, keys sent with `send-keys`, the screen read with
// `capture-pane`. Every wait polls the screen until the expected text appears, with a deadline.
// Without tmux the test is skipped (it installs nothing): apt-get install tmux to run it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import OpenAI from "openai";
import { startTinyUpstream } from "./tiny-upstream.ts";

const ROOT = resolve(import.meta.dir, "../..");
const TMUX = Bun.which("tmux");
const KEY = "route-tui-e2e-client-key";
if (!TMUX) console.warn("route-tui e2e: tmux is not installed, skipping the real-terminal test (apt-get install tmux to run it)");

let dir: string;
let sock: string;
let routed: { proc: ReturnType<typeof Bun.spawn>; url: string };
let upstream: ReturnType<typeof startTinyUpstream>;
const server = `route-tui-e2e-${process.pid}`; // a tmux server of our own, never the user's

/** routed start, ready once its control socket listens; its HTTP address read from its log. */
async function startRouted() {
  const proc = Bun.spawn([process.execPath, join(ROOT, "daemon/cli/routed.ts"), "start", "--addr", "127.0.0.1:0", "--db", join(dir, "db.sqlite"), "--upstreams", join(dir, "upstreams.yaml"), "--socket", sock], {
    stdout: "ignore",
    stderr: "pipe",
  });
  let log = "";
  let ready!: (r: { proc: typeof proc; url: string }) => void;
  const started = new Promise<{ proc: typeof proc; url: string }>((r) => (ready = r));
  // Keeps reading stderr for the process's whole life, so routed never blocks on a full pipe.
  const reading = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) {
      log += dec.decode(chunk, { stream: true });
      const addr = /msg=listening addr=([\d.:]+)/.exec(log);
      if (addr && log.includes('msg="control socket listening"')) ready({ proc, url: `http://${addr[1]}` });
    }
  })();
  return Promise.race([started, reading.then(() => Promise.reject(new Error(`routed exited before listening:\n${log}`)))]);
}

function tmux(...args: string[]): string {
  const r = Bun.spawnSync([TMUX!, "-L", server, "-f", "/dev/null", ...args], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}
const screen = () => tmux("capture-pane", "-p", "-t", "tui");
const keys = (...k: string[]) => tmux("send-keys", "-t", "tui", ...k);
const typeText = (s: string) => tmux("send-keys", "-t", "tui", "-l", s);

async function waitFor(what: string | RegExp, ms = 10_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = screen();
    if (typeof what === "string" ? s.includes(what) : what.test(s)) return s;
    if (Date.now() > deadline) throw new Error(`route-tui did not show ${what} within ${ms} ms; screen:\n${s}`);
    await Bun.sleep(50); // the poll interval, not a synchronisation
  }
}

describe.skipIf(!TMUX)("route-tui in tmux against the real routed", () => {
  beforeAll(async () => {
    dir = mkdtempSync("/tmp/rtui-");
    sock = join(dir, "routed.sock");
    writeFileSync(join(dir, "upstreams.yaml"), `authorization: ${KEY}\n`);
    upstream = startTinyUpstream("tiny");
    routed = await startRouted();
    const cmd = `'${process.execPath}' '${join(ROOT, "tui/main.tsx")}' --socket '${sock}'; echo "route-tui exited $?"; read _`;
    tmux("new-session", "-d", "-s", "tui", "-x", "100", "-y", "30", "-e", "LANG=C.UTF-8", "-e", "TERM=xterm-256color", cmd);
  });

  afterAll(async () => {
    try {
      tmux("kill-server");
    } catch {}
    routed?.proc.kill("SIGTERM");
    await routed?.proc.exited;
    upstream?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("connects and shows the empty upstream list", async () => {
    await waitFor("No upstreams yet");
    expect(screen()).toMatch(/connected .*http 127\.0\.0\.1:\d+/);
  });

  test("adds an upstream through the form", async () => {
    keys("a");
    await waitFor("Add upstream");
    typeText("tiny");
    await waitFor(/› Name\s+tiny/);
    keys("Tab");
    await waitFor("› Endpoint");
    typeText(upstream.url);
    await waitFor(upstream.url);
    keys("Tab");
    await waitFor("› API key");
    typeText("sk-e2e-secret-4321");
    await waitFor("••••");
    keys("Enter");
    const s = await waitFor("added tiny (id 1) at position 1");
    expect(s).toMatch(/›\s+1 tiny\s+127\.0\.0\.1:\d+\s+on\s+healthy/);
    expect(s).not.toContain("sk-e2e-secret");
  });

  test("a request made with the openai SDK appears in the tail with its reply; enter shows it in full", async () => {
    keys("2");
    await waitFor("LIVE");
    const sdk = new OpenAI({ apiKey: KEY, baseURL: `${routed.url}/v1`, maxRetries: 0 });
    const stream = await sdk.chat.completions.create({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "hi tmux" }] });
    let text = "";
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
    expect(text).toBe("reply from tiny to: hi tmux");
    const s = await waitFor("reply from tiny to: hi tmux");
    expect(s).toMatch(/› \d\d:\d\d:\d\d 200\s+tiny\s+gpt-4o-mini/);
    keys("Enter");
    await waitFor("── reply");
    expect(screen()).toMatch(/\[user\]\nhi tmux/);
    expect(screen()).toMatch(/1\. tiny\s+ok\s+200/);
    keys("Escape");
    await waitFor("LIVE");
  });

  test("disabling the upstream changes its state", async () => {
    keys("1");
    await waitFor(/› +1 tiny/);
    keys("Space");
    await waitFor("disabled tiny: disabled");
    await waitFor(/›\s+1 tiny\s+\S+\s+off\s+disabled/);
  });

  test("routed restarts: a banner while it is down, then the TUI reconnects by itself", async () => {
    routed.proc.kill("SIGTERM");
    await routed.proc.exited;
    const down = await waitFor("ROUTED IS DOWN");
    expect(down).toContain("tiny"); // the last data stays on screen
    expect(down).toContain("disconnected");
    routed = await startRouted();
    const back = await waitFor("(restarted)");
    expect(back).not.toContain("ROUTED IS DOWN");
    expect(back).toMatch(/1 tiny\s+\S+\s+off\s+disabled/); // the change survived the restart
  });

  test("q quits and gives the terminal back", async () => {
    keys("q");
    const s = await waitFor("route-tui exited 0");
    expect(s).not.toContain("Upstreams");
  });
});
