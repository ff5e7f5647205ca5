// routectl takes the upstream key from stdin (`--sk -`) or a file (`--sk-file`), so it never has to
// sit in the process list; `--sk KEY` still works but warns. The real routectl process, on a database.
import { beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { shortTempDir } from "./control-harness.ts";
import { ROUTECTL, routectl } from "./processes.ts";

let dir: string;
let db: string;
beforeEach(() => {
  dir = shortTempDir();
  db = join(dir, "db.sqlite");
});

/** routectl against the database (no routed on the socket), with `stdin` piped in. */
async function ctl(args: string[], stdin = "") {
  const proc = Bun.spawn([...ROUTECTL, "--socket", join(dir, "none.sock"), "--db", db, ...args], {
    env: { ...process.env, NO_COLOR: "1" },
    stdin: new Blob([stdin]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { out, err, code };
}
const add = (key: string[], stdin?: string) => ctl(["add", "--name", "u", "--endpoint", "https://api.example.com/v1", ...key], stdin);
const storedKeys = async () => (await routectl(["--db", db, "export"])).out;

describe("routectl add: where the upstream key comes from", () => {
  test("--sk - reads it from stdin: stored, no warning", async () => {
    const r = await add(["--sk", "-"], "sk-from-stdin-0001\n");
    expect(r.code).toBe(0);
    expect(r.err).not.toContain("warning");
    expect(await storedKeys()).toContain("sk: sk-from-stdin-0001");
  });

  test("--sk-file reads it from a file: stored, no warning", async () => {
    const file = join(dir, "key");
    writeFileSync(file, "sk-from-file-0002\n");
    chmodSync(file, 0o600);
    const r = await add(["--sk-file", file]);
    expect(r.code).toBe(0);
    expect(r.err).not.toContain("warning");
    expect(await storedKeys()).toContain("sk: sk-from-file-0002");
  });

  test("--sk KEY still works, with a warning on stderr that names the safer ways", async () => {
    const r = await add(["--sk", "sk-in-argv-0003"]);
    expect(r.code).toBe(0);
    expect(r.err).toContain("routectl: warning: --sk KEY puts the key in the process list");
    expect(r.err).toContain("--sk -");
    expect(r.err).toContain("--sk-file");
    expect(r.err).not.toContain("sk-in-argv-0003");
    expect(await storedKeys()).toContain("sk: sk-in-argv-0003");
  });

  test("no key and no terminal, an empty stdin, a missing file, or both flags: usage error (exit 2), nothing added", async () => {
    const none = await add([]);
    expect(none.code).toBe(2);
    expect(none.err).toContain("pipe it with --sk - (stdin), or give --sk-file FILE");
    expect((await add(["--sk", "-"], "")).err).toContain("stdin (--sk -) is empty");
    expect((await add(["--sk", "-"], "two\nlines\n")).code).toBe(2);
    expect((await add(["--sk-file", join(dir, "missing")])).err).toContain("ENOENT");
    expect((await add(["--sk", "x", "--sk-file", join(dir, "k")])).code).toBe(2);
    expect(existsSync(db)).toBe(false); // refused before the database was opened
  });

  // A real terminal through util-linux `script`: the prompt appears, the typed key is not echoed.
  test.skipIf(!Bun.which("script"))("with neither on a terminal, the key is asked for without echo", async () => {
    const cmd = [...ROUTECTL, "--socket", join(dir, "none.sock"), "--db", db, "add", "--name", "t", "--endpoint", "https://api.example.com/v1"];
    const proc = Bun.spawn(["script", "-qec", cmd.map((a) => `'${a}'`).join(" "), "/dev/null"], { env: { ...process.env, NO_COLOR: "1" }, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    const reader = proc.stdout.getReader();
    let seen = "";
    while (!seen.includes("(not echoed): ")) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`no prompt; got: ${seen}`);
      seen += new TextDecoder().decode(value);
    }
    proc.stdin.write("sk-typed-key-0005\r");
    await proc.stdin.flush();
    for (let r = await reader.read(); !r.done; r = await reader.read()) seen += new TextDecoder().decode(r.value);
    expect(await proc.exited).toBe(0);
    expect(seen).toContain("added t (id 1)");
    expect(seen).not.toContain("sk-typed-key-0005");
    expect(await storedKeys()).toContain("sk: sk-typed-key-0005");
  });

  test("a metadata endpoint is refused here too", async () => {
    const r = await ctl(["add", "--endpoint", "http://169.254.169.254/v1", "--sk", "-"], "sk-meta-0004\n");
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("allow_link_local");
  });
});
