// The real executables as child processes: `routed start` (ready once its control socket
// listens) and `routectl` (run to completion, or followed line by line for -f / --watch).
import { join } from "node:path";

const CLI = join(import.meta.dir, "../cli");
export const ROUTED = [process.execPath, join(CLI, "routed.ts")];
export const ROUTECTL = [process.execPath, join(CLI, "routectl.ts")];

/** Reads a child's stream as text; `until` resolves once the text so far matches. */
function collect(stream: ReadableStream<Uint8Array>) {
  let text = "";
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void; reject: (e: Error) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = text.match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  const done = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of stream) {
      text += dec.decode(chunk, { stream: true });
      check();
    }
    for (const w of waiters.splice(0)) w.reject(new Error(`stream ended without ${w.re}; got:\n${text}`));
  })();
  return {
    get text() {
      return text;
    },
    until(re: RegExp): Promise<RegExpMatchArray> {
      const m = text.match(re);
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => waiters.push({ re, resolve, reject }));
    },
    done,
  };
}

/** `bin`: another routed to run (the compiled one). */
export async function spawnRouted(args: string[], opts: { cwd?: string; env?: Record<string, string>; bin?: string[] } = {}) {
  const proc = Bun.spawn([...(opts.bin ?? ROUTED), "start", "--addr", "127.0.0.1:0", ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdout: "pipe", stderr: "pipe" });
  const log = collect(proc.stderr);
  const exited = proc.exited;
  const ready = log.until(/msg="control socket listening"/);
  await Promise.race([ready, exited.then((code) => Promise.reject(new Error(`routed exited ${code}:\n${log.text}`)))]);
  const addr = (await log.until(/msg=listening addr=([\d.:]+)/))[1]!;
  return { proc, url: `http://${addr}`, log, exited };
}

/** routectl to completion. */
export async function routectl(args: string[], env: Record<string, string> = {}, bin = ROUTECTL) {
  const proc = Bun.spawn([...bin, ...args], { env: { ...process.env, NO_COLOR: "1", ...env }, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err, json: () => JSON.parse(out) };
}

/** routectl that keeps running (logs -f, stats --watch): wait for output, then stop it. */
export function followRoutectl(args: string[]) {
  const proc = Bun.spawn([...ROUTECTL, ...args], { env: { ...process.env, NO_COLOR: "1" }, stdout: "pipe", stderr: "pipe" });
  const out = collect(proc.stdout);
  return { proc, out, until: (re: RegExp) => out.until(re) };
}
